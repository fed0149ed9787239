"""What `tabir run` leaves out to start and end quickly, and that leaving it
out loses nothing: no flow-run heartbeats with the embedded API, and no
interpreter teardown after a command that returned."""

from __future__ import annotations

import subprocess
import sys

from prefect import flow
from prefect.flow_engine import FlowRunEngine

from tabir.flows import prefect_env


def test_a_flow_run_sends_heartbeats_unless_told_not_to(prefect_api, monkeypatch):
    beats = []
    monkeypatch.setattr(FlowRunEngine, "_emit_flow_run_heartbeat", lambda self, *a: beats.append(self.flow_run.id))

    @flow
    def nothing():
        return 1

    assert nothing() == 1
    assert beats, "the heartbeat thread did not run: this test no longer shows what no_heartbeats removes"
    beats.clear()
    with prefect_env.no_heartbeats():
        assert nothing() == 1
    assert beats == []


def test_the_end_without_teardown_keeps_the_code_the_console_and_buffered_logs(tmp_path):
    log = tmp_path / "log"
    script = f"""
import atexit, logging, logging.handlers, sys
from tabir.flows.cli import _EndWithoutTeardown
ending = _EndWithoutTeardown()
atexit.register(ending)
# A handler that writes only when flushed: logging.shutdown must run.
target = logging.FileHandler({str(log)!r})
logging.getLogger().addHandler(logging.handlers.MemoryHandler(1000, flushLevel=logging.CRITICAL, target=target))
logging.getLogger().warning("the last log line")
sys.stdout.write("the summary line, no newline")
sys.stderr.write("a problem line")
ending.code = 3
sys.exit(ending.code)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3
    assert done.stdout == "the summary line, no newline"
    assert done.stderr == "a problem line"
    assert "the last log line" in log.read_text()


def test_after_an_uncaught_exception_the_interpreter_ends_the_usual_way(tmp_path):
    marker = tmp_path / "teardown ran"
    script = f"""
import atexit, pathlib
from tabir.flows.cli import _EndWithoutTeardown
# Registered before the handler, so it runs after it: only if it returns.
atexit.register(pathlib.Path({str(marker)!r}).write_text, "yes")
ending = _EndWithoutTeardown()
atexit.register(ending)
raise RuntimeError("a bug")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "RuntimeError: a bug" in done.stderr
    assert marker.read_text() == "yes"


