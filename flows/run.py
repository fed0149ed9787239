"""`tabir run`: one Prefect flow over an inbox, one task per file.

With several workers (one per core by default), worker processes redact
(redactors/workers.py): each file is one task run, submitted to the flow's
thread pool, that waits for its worker; this process reads the inputs and
publishes them in input order.

The flow only orchestrates: discovery, the per-file work and the manifest all
live in redactors/. Each file is its own task run, so Prefect's history shows
every file's state; the folders and the manifest stay the record of what
happened (the embedded API can lose its last records at exit).
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from tabir.redactors.config import Config
from tabir.redactors.inbox import Candidate, discover
from tabir.redactors.manifest import FileRecord, build_manifest, new_run_id, utc_now, write_manifest
from tabir.redactors.pipeline import Pending, Pipeline
from tabir.redactors.workers import RedactionWorkers, worker_count

from .progress import progress_bar

# The pipeline holds the loaded detector; it is built once per process and
# reused by every task run (passing it as a task parameter would make Prefect
# try to serialise spaCy).
_PIPELINES: dict[tuple[str, str], Pipeline] = {}


def _pipeline(config: Config, out: Path) -> Pipeline:
    key = (config.hash, str(out.resolve()))
    if key not in _PIPELINES:
        _PIPELINES[key] = Pipeline(config, out)
    return _PIPELINES[key]


# Worker pools started before their run's flow, by (policy, output folder).
_STARTED_POOLS: dict[tuple[str, str], RedactionWorkers] = {}


def load_models(inbox: Path, out: Path, config: Config, workers: int | None = None) -> None:
    """Load the models now: in this process if it will redact (one worker
    or one file), else in worker processes started now, which the run then
    uses. `tabir run` calls this while Prefect's embedded API starts, so the
    two overlap."""
    count = min(worker_count(config, workers), len(discover(inbox)))
    if count == 0:
        return
    if count == 1:
        _pipeline(config, out).load_models()
    else:
        pool = RedactionWorkers(_pipeline(config, out), count)
        pool.start_now()
        _STARTED_POOLS[(config.hash, str(out.resolve()))] = pool


def close_started_pools() -> None:
    """Stop worker pools started for a run that did not take them."""
    while _STARTED_POOLS:
        _STARTED_POOLS.popitem()[1].close()


@task(name="redact-file", cache_policy=NO_CACHE, task_run_name="redact {candidate.rel}")
def redact_file(config: Config, out: Path, candidate: Candidate) -> FileRecord:
    return _pipeline(config, out).process(candidate)


# The worker pools of the runs in progress, by run id (a task parameter
# must not be the pool itself: Prefect would try to serialise it), and the
# inputs read for them (their content is personal data: never a parameter,
# which Prefect records).
_POOLS: dict[str, RedactionWorkers] = {}
_READ: dict[tuple[str, int], Pending] = {}


@task(name="redact-file", cache_policy=NO_CACHE, task_run_name="redact {rel}")
def redact_in_worker(run_id: str, number: int, rel: str) -> tuple:
    """Redact input number `number` of the run in a worker process; (outcome, public name)."""
    pending = _READ.pop((run_id, number))
    return _POOLS[run_id].redact(pending.candidate.rel, pending.data, pending.record)


@flow(name="tabir-run", validate_parameters=False, log_prints=False)
def redact_inbox(inbox: Path, out: Path, config: Config, workers: int | None = None) -> dict:
    """Redact every input under `inbox` into `out`; returns the manifest.
    `workers`: processes that redact at once (None: the policy's
    processes.workers; 0 there means one per core)."""
    started = utc_now()
    run_id = new_run_id(started)
    pipeline = _pipeline(config, out)
    candidates = discover(inbox)
    count = min(worker_count(config, workers), len(candidates))
    records: list[FileRecord] = []
    with progress_bar(len(candidates)) as bar:
        if count <= 1:
            for candidate in candidates:
                records.append(redact_file(config, out, candidate))
                bar.advance(str(candidate.rel))
        else:
            early = _STARTED_POOLS.pop((config.hash, str(out.resolve())), None)
            if early is not None and early.workers != count:
                early.close()
                early = None
            with early or RedactionWorkers(pipeline, count) as pool:
                _POOLS[run_id] = pool
                # Each file in flight waits for its worker in a thread of the
                # flow's task runner; this thread publishes them in input order.
                window: deque[tuple[Pending, object]] = deque()

                def publish_oldest() -> None:
                    pending, future = window.popleft()
                    outcome, named = future.result() if future is not None else (None, None)
                    records.append(pipeline.finish(pending, outcome, named))
                    bar.advance(str(pending.candidate.rel))

                try:
                    for number, candidate in enumerate(candidates):
                        while len(window) >= pool.in_flight():
                            publish_oldest()
                        pending = pipeline.begin(candidate)
                        future = None
                        if pending.data is not None:
                            _READ[(run_id, number)] = pending
                            future = redact_in_worker.submit(run_id, number, str(candidate.rel))
                        window.append((pending, future))
                    while window:
                        publish_oldest()
                finally:
                    del _POOLS[run_id]
                    for key in [k for k in _READ if k[0] == run_id]:
                        del _READ[key]
    manifest = build_manifest(run_id, config, started, utc_now(), records)
    write_manifest(pipeline.layout, manifest)
    return manifest
