"""The watched-folder service's library half: settings, safety checks,
claims, the archive, the per-run journal and the drain of one inbox.

Nothing here knows Prefect; flows/drain.py orchestrates it."""
