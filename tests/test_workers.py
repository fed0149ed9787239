"""Redaction in worker processes (redactors/workers.py): the records and
outputs are those of one process, in input order; a worker killed with
SIGKILL mid-run loses no file and publishes nothing half-written."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from redactors.inbox import discover
from redactors.pipeline import Pipeline
from redactors.workers import RedactionWorkers, worker_count

REPO = Path(__file__).resolve().parent.parent
CLIENT = "Siti Aminah"

pytestmark = pytest.mark.slow


def run_with_workers(pipeline: Pipeline, inbox: Path, workers: int, after_first=None) -> tuple[list, int]:
    """(records, how many times the pool was started afresh)."""
    records = []
    with RedactionWorkers(pipeline, workers, files_per_worker=3) as pool:
        for number, candidate in enumerate(discover(inbox)):
            while pool.full():
                records.append(pool.finish_oldest())
            pool.add(pipeline.begin(candidate))
            if number == 0 and after_first:
                after_first()
        while pool.oldest() is not None:
            records.append(pool.finish_oldest())
    return records, pool.restarts


def summary(records) -> list:
    return [(r.input, r.status, sorted(f["entity_type"] for f in r.findings)) for r in records]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inbox")
    for path in sorted((REPO / "sample_data").iterdir()):
        shutil.copy(path, folder / path.name)
    for copy in range(3):  # more files than a worker takes before it is replaced (files_per_worker=3)
        shutil.copy(REPO / "sample_data" / "laporan_kasus_anak.pdf", folder / f"laporan_{copy}.pdf")
    return folder


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_two_workers_give_the_records_of_one_process_in_input_order(inbox, tmp_path, config):
    alone = Pipeline(config, tmp_path / "alone")
    expected = [alone.process(c) for c in discover(inbox)]
    parallel = Pipeline(config, tmp_path / "parallel")
    records, restarts = run_with_workers(parallel, inbox, 2)
    assert restarts == 0
    assert summary(records) == summary(expected)
    assert all(r.status == "redacted" for r in records), [(r.input, r.reason) for r in records]
    for record in records:
        assert (tmp_path / "parallel" / record.output).is_file()
    assert CLIENT not in pdftotext(tmp_path / "parallel" / "redacted" / "laporan_2.pdf")


def test_a_worker_killed_mid_run_loses_no_file(inbox, tmp_path, config):
    def kill_a_worker() -> None:
        deadline = time.monotonic() + 60
        while not multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)  # it is loading the models or redacting
        os.kill(multiprocessing.active_children()[0].pid, signal.SIGKILL)

    pipeline = Pipeline(config, tmp_path / "out")
    records, restarts = run_with_workers(pipeline, inbox, 2, after_first=kill_a_worker)
    assert restarts >= 1  # the files it held were redacted again in a fresh pool
    assert len(records) == len(discover(inbox))
    assert all(r.status == "redacted" for r in records), [(r.input, r.reason) for r in records]
    for record in records:
        assert (tmp_path / "out" / record.output).is_file()
    assert CLIENT not in pdftotext(tmp_path / "out" / "redacted" / "laporan_0.pdf")
    assert not list((tmp_path / "out").rglob("*.part"))  # nothing half-written (publish.py's temp files)


def test_worker_count_follows_the_request_then_the_policy(config):
    import dataclasses

    assert worker_count(config, 3) == 3
    assert worker_count(dataclasses.replace(config, processes=dataclasses.replace(config.processes, workers=2))) == 2
    assert worker_count(config, 0) == len(os.sched_getaffinity(0))
