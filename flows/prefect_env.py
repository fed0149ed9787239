"""Prefect settings Tabir needs, applied before Prefect is imported.

Prefect reads its settings from the environment once, at import. A value the
user set in the environment always wins (setdefault)."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

DEFAULTS = {
    # No telemetry: Tabir runs offline, and the analytics ping also causes
    # "database is locked" noise with the embedded API.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # Prefect 3.8's client has analytics of its own (Amplitude events from an
    # interactive terminal, checked against the server's setting over the
    # API); DO_NOT_TRACK turns them off before any of that runs.
    "DO_NOT_TRACK": "1",
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


def start_embedded_api():
    """Start Prefect's embedded API now, unless PREFECT_API_URL names a
    server: returns the EmbeddedApi to wait for before the first flow, or
    None. Sets PREFECT_API_URL for this process, so call it before Prefect
    is imported (afterwards Prefect no longer reads the environment, and
    this returns None)."""
    if os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules:
        return None
    from tabir.flows.server import EmbeddedApi

    api = EmbeddedApi()
    os.environ["PREFECT_API_URL"] = api.start()
    # The server is on loopback: an http_proxy setting must not route
    # Prefect's requests to it off the machine.
    os.environ["NO_PROXY"] = ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1", "localhost"]))
    return api


def startup_timeout() -> float:
    return float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS")
                 or DEFAULTS["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"])


@contextmanager
def no_heartbeats():
    """Flow runs inside this send no heartbeats. Use it only with the
    embedded API: heartbeats let a server that outlives its runs mark a
    crashed one as crashed, but the embedded API runs no such service and
    dies with the run. They cost a whole run of `tabir run` about a second:
    the heartbeat thread sleeps in one-second steps, and the flow joins it
    at its end (PREFECT_NOTES.md; one one-page PDF, command to exit, 5.1 s
    with them, 4.2 s without, bench/whole_process.py --fixed-cost-only).
    An environment variable cannot turn them off (Prefect allows 30 s or
    more there), hence Prefect's settings context."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
