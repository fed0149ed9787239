"""Redaction in worker processes, so that every core works on a batch.

Each worker loads the detector once and redacts and verifies whole files
(Pipeline.redact_bytes) and finds their public name. The caller (the batch
run, the service's drain) keeps a few files in flight, each waiting in its
own thread on `RedactionWorkers.redact`, and publishes them one by one in
order in one process: atomic writes, one writer, the records and outputs of
one process, nothing half-written whatever dies.

A worker is replaced after `files_per_worker` files, and the pool is
replaced (its workers finish what they hold, then stop) as soon as a worker
reports more than `worker_memory_mb` resident after a file: what a long run
piles up in one process stays bounded. A worker that dies (killed, out of
memory, a crash in a PDF library) takes the files it was given with it:
each is redacted again, alone, in a one-worker pool; a file that stops a
worker there too goes to failed/ with that reason, and the run goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import PurePosixPath

from .config import Config
from .manifest import FileRecord
from .pipeline import Outcome, Pipeline, failed_outcome

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

STOPPED_TWICE = ("a worker process stopped twice while redacting this file (killed, out of memory, or a crash "
                 "in a library); it was not published")


def _start_worker(config: Config, out) -> None:
    global _PIPELINE
    import cv2

    cv2.setNumThreads(1)
    _PIPELINE = Pipeline(config, out)
    # A worker exists to redact: its models load now, while the main
    # process may still be starting (see RedactionWorkers.start_now). If
    # they cannot load, the first file's redaction fails with the reason.
    try:
        _PIPELINE.load_models()
    except Exception:
        pass


def _started() -> None:
    """The task that makes a worker start (its initializer does the work)."""


def _resident_mb() -> float:
    """This process's resident memory now (not its peak: a worker whose
    memory went back down need not be replaced)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except (OSError, ValueError, IndexError):  # not Linux: no memory limit
        return 0.0


def _redact_in_worker(rel: PurePosixPath, data: bytes) -> tuple[Outcome, tuple | None, float]:
    outcome = _PIPELINE.redact_bytes(rel, data)
    try:
        named = _PIPELINE.public_path(rel, outcome.record)
    except Exception:  # the main process names it then
        named = None
    return outcome, named, _resident_mb()


class RedactionWorkers:
    """A pool of worker processes that redact. `redact` may be called from
    several threads at once (one per file in flight)."""

    task = staticmethod(_redact_in_worker)  # what a worker runs per file (a test replaces it)

    def __init__(self, pipeline: Pipeline, workers: int, files_per_worker: int | None = None,
                 memory_mb: int | None = None):
        settings = pipeline.config.processes
        self.pipeline = pipeline
        self.workers = workers
        self.files_per_worker = files_per_worker or settings.files_per_worker
        self.memory_mb = memory_mb or settings.worker_memory_mb
        self.restarts = 0  # pools started afresh because a worker died
        self.replaced_for_memory = 0  # pools replaced because a worker grew past memory_mb
        self._lock = threading.Lock()
        self._alone_lock = threading.Lock()  # one file at a time in the one-worker pool
        self._saved_environment: dict[str, str | None] | None = None
        self._pool = self._new_pool(workers)
        self._alone_pool: ProcessPoolExecutor | None = None

    def start_now(self) -> None:
        """Start every worker process now rather than at the first file, so
        that their models load while the caller does other work (`tabir run`
        starts Prefect's embedded API meanwhile). Does not wait."""
        with self._lock:
            pool = self._pool
        for _ in range(self.workers):  # a task no idle worker can take starts a new one
            pool.submit(_started)

    def in_flight(self) -> int:
        """Files to keep in flight: two per worker, so that none waits for
        the next file while the main process publishes."""
        return 2 * self.workers

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        # spawn: a worker must not inherit the main process's threads and
        # Prefect's state (fork would copy both mid-flight). Workers read
        # their thread limits from the environment when they start, and a
        # replacement can start at any time: the limits stay set until close.
        if self._saved_environment is None:
            self._saved_environment = {name: os.environ.get(name) for name in ONE_THREAD}
            os.environ.update(ONE_THREAD)
        return ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker, initargs=(self.pipeline.config, self.pipeline.layout.root),
            max_tasks_per_child=self.files_per_worker,
        )

    def redact(self, rel: PurePosixPath, data: bytes, record: FileRecord | None = None) -> tuple[Outcome, tuple | None]:
        """Redact and verify one input in a worker; (outcome, its public
        name as Pipeline.public_path gives it, or None). `record`: the
        input's record so far, for a failure."""
        with self._lock:
            pool = self._pool
        try:
            outcome, named, resident = pool.submit(self.task, rel, data).result()
        except BrokenProcessPool:  # a worker died with this file or another in hand
            self._replace(pool, broken=True)
            return self._alone(rel, data, record)
        if resident > self.memory_mb:
            self._replace(pool, broken=False)
        return outcome, named

    def _replace(self, pool: ProcessPoolExecutor, broken: bool) -> None:
        """A fresh pool for the files to come, unless another thread already
        replaced `pool`. A broken pool's files are lost (their callers redo
        them alone); a grown one finishes the files it holds, then stops."""
        with self._lock:
            if self._pool is not pool:
                return
            pool.shutdown(wait=False, cancel_futures=broken)
            self._pool = self._new_pool(self.workers)
            if broken:
                self.restarts += 1
            else:
                self.replaced_for_memory += 1

    def _alone(self, rel: PurePosixPath, data: bytes, record: FileRecord | None) -> tuple[Outcome, tuple | None]:
        """Redact a file whose worker died, alone in a one-worker pool (a
        file that kills its worker takes no other file with it); if it
        stops that worker too, the file has failed."""
        with self._alone_lock:
            if self._alone_pool is None:
                self._alone_pool = self._new_pool(1)
            try:
                outcome, named, _ = self._alone_pool.submit(self.task, rel, data).result()
                return outcome, named
            except BrokenProcessPool:
                self._alone_pool.shutdown(wait=False, cancel_futures=True)
                self._alone_pool = None
        failed = record or FileRecord(input=str(rel), status="failed")
        return failed_outcome(failed, "internal", STOPPED_TWICE), None

    def close(self) -> None:
        with self._lock:
            self._pool.shutdown(wait=True, cancel_futures=True)
        with self._alone_lock:
            if self._alone_pool is not None:
                self._alone_pool.shutdown(wait=True, cancel_futures=True)
                self._alone_pool = None
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
