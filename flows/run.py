"""`tabir run`: one Prefect flow over an inbox, one task per file.

With several workers (one per core by default), worker processes redact
(redactors/workers.py) and this process publishes in input order; each
file is still one task run here.

The flow only orchestrates: discovery, the per-file work and the manifest all
live in redactors/. Each file is its own task run, so Prefect's history shows
every file's state; the folders and the manifest stay the record of what
happened (the embedded API can lose its last records at exit).
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from redactors.config import Config
from redactors.inbox import Candidate, discover
from redactors.manifest import FileRecord, build_manifest, new_run_id, utc_now, write_manifest
from redactors.pipeline import Pipeline
from redactors.workers import RedactionWorkers, worker_count

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


@task(name="redact-file", cache_policy=NO_CACHE, task_run_name="redact {candidate.rel}")
def redact_file(config: Config, out: Path, candidate: Candidate) -> FileRecord:
    return _pipeline(config, out).process(candidate)


# The worker pools of the runs in progress, by run id (a task parameter
# must not be the pool itself: Prefect would try to serialise it).
_POOLS: dict[str, RedactionWorkers] = {}


@task(name="publish-file", cache_policy=NO_CACHE, task_run_name="redact {rel}")
def publish_from_worker(run_id: str, rel: str) -> FileRecord:
    """Wait for the worker process redacting `rel` (the oldest in flight) and publish it."""
    return _POOLS[run_id].finish_oldest()


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
            with RedactionWorkers(pipeline, count, config.processes.files_per_worker) as pool:
                _POOLS[run_id] = pool

                def publish_oldest() -> None:
                    rel = str(pool.oldest().candidate.rel)
                    records.append(publish_from_worker(run_id, rel))
                    bar.advance(rel)

                try:
                    for candidate in candidates:
                        while pool.full():
                            publish_oldest()
                        pool.add(pipeline.begin(candidate))
                    while pool.oldest() is not None:
                        publish_oldest()
                finally:
                    del _POOLS[run_id]
    manifest = build_manifest(run_id, config, started, utc_now(), records)
    write_manifest(pipeline.layout, manifest)
    return manifest
