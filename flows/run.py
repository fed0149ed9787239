"""`tabir run`: one Prefect flow over an inbox, one task per file.

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


@flow(name="tabir-run", validate_parameters=False, log_prints=False)
def redact_inbox(inbox: Path, out: Path, config: Config) -> dict:
    """Redact every input under `inbox` into `out`; returns the manifest."""
    started = utc_now()
    run_id = new_run_id(started)
    pipeline = _pipeline(config, out)
    candidates = discover(inbox)
    records: list[FileRecord] = []
    with progress_bar(len(candidates)) as bar:
        for candidate in candidates:
            records.append(redact_file(config, out, candidate))
            bar.advance(str(candidate.rel))
    manifest = build_manifest(run_id, config, started, utc_now(), records)
    write_manifest(pipeline.layout, manifest)
    return manifest
