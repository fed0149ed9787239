"""Prefect settings Tabir needs, applied before Prefect is imported.

Prefect reads its settings from the environment once, at import. A value the
user set in the environment always wins (setdefault)."""

from __future__ import annotations

import os

DEFAULTS = {
    # No telemetry: Tabir runs offline, and the analytics ping also causes
    # "database is locked" noise with the embedded API.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # A cold start of the embedded API took 12-14 s here; the default 20 s
    # limit is too tight for a slow or busy machine.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    # The embedded API needs no web UI.
    "PREFECT_UI_ENABLED": "false",
}


def configure(verbose: bool = False) -> None:
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    # Prefect logs every task run at INFO; with one task per file that buries
    # the progress bar and the summary. --verbose brings it back.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
