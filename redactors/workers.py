"""Redaction in worker processes, so that every core works on a batch.

Each worker loads the detector once and redacts and verifies whole files
(Pipeline.redact_bytes) and finds their public name; the main process reads
the inputs and publishes the results one by one in input order, so the
outputs and the manifest are what one process would write. Publishing stays
in one process: atomic writes, one writer, nothing half-written whatever
dies.

A worker is replaced after `files_per_worker` files (what a long run piles
up in one process is bounded). A worker that dies (killed, out of memory, a
crash in a PDF library) takes the files it was given with it: each is
redacted again, alone, in a fresh worker; a file that stops a worker twice
goes to failed/ with that reason, and the run goes on.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path, PurePosixPath

from .config import Config
from .pipeline import Outcome, Pending, Pipeline, failed_outcome

_PIPELINE: Pipeline | None = None  # in a worker: its own pipeline, models loaded once


def worker_count(config: Config, requested: int | None = None) -> int:
    """Workers for a run: the request (`--workers`), else the policy's
    `processes.workers`; 0 means one per CPU core this process may use."""
    wanted = config.processes.workers if requested is None else requested
    if wanted > 0:
        return wanted
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# One thread per worker: the workers share the cores between them. With two
# threads each (OpenMP in the e5 engine and Tesseract, OpenCV, BLAS), two
# workers on two cores were slower than one (bench/workers.py).
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OMP_THREAD_LIMIT": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _start_worker(config: Config, out: Path) -> None:
    global _PIPELINE
    import cv2

    cv2.setNumThreads(1)
    _PIPELINE = Pipeline(config, out)


def _redact_in_worker(rel: PurePosixPath, data: bytes) -> tuple[Outcome, tuple | None]:
    outcome = _PIPELINE.redact_bytes(rel, data)
    try:
        named = _PIPELINE.public_path(rel, outcome.record)
    except Exception:  # the main process names it then
        named = None
    return outcome, named


class RedactionWorkers:
    """A pool of worker processes that redact, and the order they publish in."""

    def __init__(self, pipeline: Pipeline, workers: int, files_per_worker: int):
        self.pipeline = pipeline
        self.workers = workers
        self.files_per_worker = files_per_worker
        self._generation = 0  # how many times the pool was replaced after a worker died
        self._saved_environment: dict[str, str | None] | None = None
        self._pool = self._new_pool()
        # In flight: (pending, future, generation of the pool it went to).
        self._window: deque[tuple[Pending, Future | None, int]] = deque()

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn: a worker must not inherit the main process's threads and
        # Prefect's state (fork would copy both mid-flight). Workers read
        # their thread limits from the environment when they start, and a
        # replacement can start at any time: the limits stay set until close.
        if self._saved_environment is None:
            self._saved_environment = {name: os.environ.get(name) for name in ONE_THREAD}
            os.environ.update(ONE_THREAD)
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker, initargs=(self.pipeline.config, self.pipeline.layout.root),
            max_tasks_per_child=self.files_per_worker,
        )

    def add(self, pending: Pending) -> None:
        """Start redacting `pending` in a worker (if it needs redaction)."""
        future = None
        if pending.data is not None:
            try:
                future = self._pool.submit(_redact_in_worker, pending.candidate.rel, pending.data)
            except BrokenProcessPool:  # a worker died since the last submit: the files it held are redone later
                self._renew()
                future = self._pool.submit(_redact_in_worker, pending.candidate.rel, pending.data)
        self._window.append((pending, future, self._generation))

    def full(self) -> bool:
        """Enough inputs in flight (two per worker): finish the oldest before
        reading another, so memory holds only so many inputs at once."""
        return len(self._window) >= 2 * self.workers

    @property
    def restarts(self) -> int:
        """How many times a worker died and the pool was started afresh."""
        return self._generation

    def oldest(self) -> Pending | None:
        return self._window[0][0] if self._window else None

    def finish_oldest(self):
        """Wait for the oldest input in flight and publish it; its record."""
        pending, future, generation = self._window.popleft()
        if future is None:
            return self.pipeline.finish(pending)
        try:
            outcome, named = future.result()
        except BrokenProcessPool:
            outcome, named = self._alone(pending, generation)
        return self.pipeline.finish(pending, outcome, named)

    def _alone(self, pending: Pending, generation: int) -> tuple[Outcome, tuple | None]:
        """A worker died with this file in hand: redact it again, alone, in
        a fresh pool; if that dies too, the file has failed."""
        if generation == self._generation:
            self._renew()
        try:
            return self._pool.submit(_redact_in_worker, pending.candidate.rel, pending.data).result()
        except BrokenProcessPool:
            self._renew()
            return failed_outcome(pending.record, "internal",
                                  "a worker process stopped twice while redacting this file (killed, out of "
                                  "memory, or a crash in a library); it was not published"), None

    def _renew(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._generation += 1
        self._pool = self._new_pool()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for name, value in (self._saved_environment or {}).items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environment = None

    def __enter__(self) -> "RedactionWorkers":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
