"""Tabir's redaction library: detection, per-format redaction, verification and
the manifest. Nothing here knows about Prefect; flows/ orchestrates it."""

__version__ = "0.5.0"
