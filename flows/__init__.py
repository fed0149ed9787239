"""Prefect orchestration over the redactors library, and the `tabir` CLI."""
