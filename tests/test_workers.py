"""Redaction in worker processes (redactors/workers.py): the records and
outputs are those of one process, in input order; a worker killed with
SIGKILL mid-run loses no file and publishes nothing half-written."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tabir.redactors.inbox import discover
from tabir.redactors.pipeline import Pipeline
from tabir.redactors.workers import STOPPED_TWICE, RedactionWorkers, worker_count

REPO = Path(__file__).resolve().parent.parent
CLIENT = "Siti Aminah"

pytestmark = pytest.mark.slow


def run_with_workers(config, inbox: Path, out: Path, workers: int, memory_mb: int | None = None) -> list:
    """The records of `tabir run`'s flow with worker processes."""
    import dataclasses

    from tabir.flows.run import redact_inbox

    if memory_mb is not None:
        config = dataclasses.replace(config, processes=dataclasses.replace(config.processes, worker_memory_mb=memory_mb))
    manifest = redact_inbox(inbox, out, config, workers)
    return [SimpleNamespace(**f) for f in manifest["files"]]


def summary(records) -> list:
    return [(r.input, r.status, sorted(f["entity_type"] for f in r.findings)) for r in records]


@pytest.fixture
def pools(monkeypatch) -> list:
    """The worker pools the flow starts, to read their counters."""
    started = []
    real_init = RedactionWorkers.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        started.append(self)

    monkeypatch.setattr(RedactionWorkers, "__init__", init)
    return started


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inbox")
    for path in sorted((REPO / "sample_data").iterdir()):
        shutil.copy(path, folder / path.name)
    for copy in range(3):
        shutil.copy(REPO / "sample_data" / "laporan_kasus_anak.pdf", folder / f"laporan_{copy}.pdf")
    return folder


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_two_workers_give_the_records_of_one_process_in_input_order(prefect_api, inbox, tmp_path, config, pools):
    """Also with the pool replaced after every file: a memory limit below
    what any worker needs (a worker that grew is replaced, the run goes on)."""
    alone = Pipeline(config, tmp_path / "alone")
    expected = [alone.process(c) for c in discover(inbox)]
    records = run_with_workers(config, inbox, tmp_path / "parallel", 2, memory_mb=100)
    assert pools[0].restarts == 0 and pools[0].replaced_for_memory >= 3
    assert summary(records) == summary(expected)
    assert all(r.status == "redacted" for r in records), [(r.input, r.reason) for r in records]
    for record in records:
        assert (tmp_path / "parallel" / record.output).is_file()
    assert CLIENT not in pdftotext(tmp_path / "parallel" / "redacted" / "laporan_2.pdf")


def test_a_worker_killed_mid_run_loses_no_file(prefect_api, inbox, tmp_path, config, pools):
    def kill_a_worker() -> None:
        deadline = time.monotonic() + 60
        while not multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)  # it is loading the models or redacting
        os.kill(multiprocessing.active_children()[0].pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_a_worker)
    killer.start()
    records = run_with_workers(config, inbox, tmp_path / "out", 2)
    killer.join()
    assert pools[0].restarts >= 1  # the files it held were redacted again in a fresh pool
    assert len(records) == len(discover(inbox))
    assert all(r.status == "redacted" for r in records), [(r.input, r.reason) for r in records]
    for record in records:
        assert (tmp_path / "out" / record.output).is_file()
    assert CLIENT not in pdftotext(tmp_path / "out" / "redacted" / "laporan_0.pdf")
    assert not list((tmp_path / "out").rglob("*.part"))  # nothing half-written (publish.py's temp files)


def test_a_file_that_kills_every_worker_fails_alone(prefect_api, tmp_path, config, pools, monkeypatch):
    from tests.crashing_worker import POISON, die_on_poison

    monkeypatch.setattr(RedactionWorkers, "task", staticmethod(die_on_poison))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("a_laporan.pdf", f"b_{POISON}.pdf", "c_laporan.pdf", "d_laporan.pdf"):
        shutil.copy(REPO / "sample_data" / "laporan_kasus_anak.pdf", inbox / name)
    records = run_with_workers(config, inbox, tmp_path / "out", 2)
    statuses = {r.input: (r.status, r.reason) for r in records}
    assert [r.input for r in records] == ["a_laporan.pdf", f"b_{POISON}.pdf", "c_laporan.pdf", "d_laporan.pdf"]
    assert statuses[f"b_{POISON}.pdf"] == ("failed", STOPPED_TWICE)
    assert (tmp_path / "out" / "failed" / f"b_{POISON}.pdf.txt").is_file()
    assert not (tmp_path / "out" / "redacted" / f"b_{POISON}.pdf").exists()
    # The files the dying worker took with it were redone and published.
    assert [statuses[n][0] for n in ("a_laporan.pdf", "c_laporan.pdf", "d_laporan.pdf")] == ["redacted"] * 3
    assert pools[0].restarts >= 1
    assert CLIENT not in pdftotext(tmp_path / "out" / "redacted" / "d_laporan.pdf")


def test_worker_count_follows_the_request_then_the_policy(config):
    import dataclasses

    assert worker_count(config, 3) == 3
    assert worker_count(dataclasses.replace(config, processes=dataclasses.replace(config.processes, workers=2))) == 2
    assert worker_count(config, 0) == len(os.sched_getaffinity(0))


def test_workers_started_before_the_run_load_their_models_then_and_the_run_uses_them(prefect_api, inbox, tmp_path,
                                                                                     config, pools):
    """`tabir run` starts the worker processes while Prefect's API starts:
    they exist and load their models before the flow begins, and the flow
    redacts with that pool, not a second one."""
    from tabir.flows import run as run_flow

    out = tmp_path / "out"
    run_flow.load_models(inbox, out, config, 2)
    assert len(pools) == 1 and len(run_flow._STARTED_POOLS) == 1
    deadline = time.monotonic() + 30
    while len(multiprocessing.active_children()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(multiprocessing.active_children()) >= 2, "the workers were not started before the run"
    records = run_with_workers(config, inbox, out, 2)
    assert len(pools) == 1 and run_flow._STARTED_POOLS == {}
    assert [r.status for r in records] == ["redacted"] * len(discover(inbox)), [(r.input, r.reason) for r in records]
    assert CLIENT not in pdftotext(out / "redacted" / "laporan_0.pdf")
