"""The service's flow: drain the inbox once (flows/ only orchestrates).

`drain_inbox` is what the watcher runs in-process within seconds of a drop,
what the nightly deployment runs, and what `prefect worker`s run when the
service is spread over several machines. Claims make concurrent drains safe
(redactors/service/claims.py); the redaction step is a Prefect task cached on
content + policy with its results persisted under service.cache_dir, so the
same content is not redacted twice, even by another machine sharing that
folder, and a changed policy redacts again. Publishing and archiving are not
cached: they must happen for every input.

Each claimed file is one task run submitted to the flow's thread pool; with
worker processes (processes.workers; one per core by default) it waits for
one (redactors/workers.py), and several files are redacted at once. The
drain publishes them one by one in the order they were claimed.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta
from pathlib import Path

from prefect import flow, task
from prefect.filesystems import LocalFileSystem

from tabir.redactors.pipeline import Outcome, Pipeline
from tabir.redactors.service.archive import prune_old_files
from tabir.redactors.service.drain import Claimed, Drainer, DrainSummary
from tabir.redactors.service.safety import load_safe_settings, private_folder
from tabir.redactors.service.settings import ServiceSettings
from tabir.redactors.workers import RedactionWorkers, worker_count

# One Drainer (pipeline with its loaded detector, worker processes) per
# process and policy.
_DRAINERS: dict[str, Drainer] = {}
_STORAGE: dict[str, LocalFileSystem] = {}
_PRUNED: dict[Path, float] = {}
# The claimed files being redacted in this process, by (content key, name):
# their content reaches the task here, never as a task parameter (Prefect
# records parameters; the content is personal data).
_CLAIMED: dict[tuple[str, str], Claimed] = {}
# The public name a worker found for a file while redacting it (not part of
# the cached result: the same content is published under other names).
_NAMED: dict[tuple[str, str], tuple | None] = {}


def _drainer_key(config_hash: str, settings: ServiceSettings) -> str:
    # The policy and every service setting: an edited configuration takes
    # effect at the next drain, without a restart.
    return f"{config_hash}|{settings!r}"


def _content_key(context, parameters: dict) -> str:
    return parameters["content_key"]


@task(name="redact-content", cache_key_fn=_content_key, persist_result=True,
      result_serializer="pickle", task_run_name="redact {rel}")
def redact_content(drainer_key: str, rel: str, content_key: str) -> Outcome:
    """Redact and verify one claimed file. Cached on `content_key`: a hit
    returns the stored Outcome without redacting."""
    outcome, named = _DRAINERS[drainer_key].redact_direct(_CLAIMED[(content_key, rel)])
    _NAMED[(content_key, rel)] = named
    return outcome


def prepare(config_path: str | None, inbox: str | None, out: str | None,
            archive: str | None) -> tuple[str, Drainer]:
    config, settings = load_safe_settings(_path(config_path), _path(inbox), _path(out), _path(archive))
    key = _drainer_key(config.hash, settings)
    if key not in _DRAINERS:
        for folder in (settings.archive, settings.data_dir, settings.cache_dir):
            private_folder(folder)
        # A long-running service keeps only the newest drainer per inbox
        # (each holds a loaded detector of several hundred MB).
        for old in [k for k, d in _DRAINERS.items() if d.settings.inbox == settings.inbox]:
            if _DRAINERS[old].workers is not None:
                _DRAINERS[old].workers.close()
            del _DRAINERS[old]
        pipeline = Pipeline(config, settings.out)
        count = worker_count(config)
        workers = RedactionWorkers(pipeline, count) if count > 1 else None
        _DRAINERS[key] = Drainer(config, settings, pipeline, workers)
    return key, _DRAINERS[key]


@flow(name="tabir-drain", validate_parameters=False, log_prints=False)
def drain_inbox(config_path: str | None = None, inbox: str | None = None, out: str | None = None,
                archive: str | None = None) -> dict:
    """Take every complete file out of the inbox, redact, publish, archive."""
    key, drainer = prepare(config_path, inbox, out, archive)
    _prune_cache(drainer.settings)
    redact = cached_redaction(key)
    try:
        return summary_dict(drainer.drain(redact))
    finally:
        # A drain stopped half-way (a full disk) leaves files in flight: the
        # contents it read go now; their claims return at the next drain.
        for claimed_key in redact.started:
            _CLAIMED.pop(claimed_key, None)
            _NAMED.pop(claimed_key, None)


def _prune_cache(settings: ServiceSettings) -> None:
    """Cached results expire with the archive's retention; delete them then
    (at most hourly: the watcher drains on every drop)."""
    now = time.monotonic()
    last = _PRUNED.get(settings.cache_dir)
    if last is None or now - last > 3600:
        prune_old_files(settings.cache_dir, settings.archive_retention_days)
        _PRUNED[settings.cache_dir] = now


def _result_storage(cache_dir: Path) -> LocalFileSystem:
    """The cache folder as a saved Prefect block (Prefect requires result
    storage to be known to the server), one block per folder."""
    name = "tabir-cache-" + hashlib.sha256(str(cache_dir).encode()).hexdigest()[:12]
    if name not in _STORAGE:
        block = LocalFileSystem(basepath=str(cache_dir))
        block.save(name, overwrite=True)
        _STORAGE[name] = block
    return _STORAGE[name]


def cached_redaction(key: str):
    """The drain's redaction step: one cached task run per claimed file,
    submitted to the flow's thread pool (the drain keeps as many in flight
    as there are worker processes to redact them, two each)."""
    settings = _DRAINERS[key].settings
    cached = redact_content.with_options(
        result_storage=_result_storage(settings.cache_dir),
        cache_expiration=timedelta(days=settings.archive_retention_days),
    )

    def redact(claimed: Claimed, content_key: str) -> "_Redaction":
        rel = claimed.rel.as_posix()
        _CLAIMED[(content_key, rel)] = claimed
        redact.started.append((content_key, rel))
        return _Redaction(cached.submit(key, rel, content_key), (content_key, rel), settings.cache_dir)

    redact.started = []  # what this drain put in _CLAIMED
    return redact


class _Redaction:
    """One claimed file's task run, as the drain waits for it: its outcome
    and the public name the worker found (None on a cache hit: the drain
    names it when it publishes)."""

    def __init__(self, future, claimed_key: tuple[str, str], cache_dir: Path):
        self.future, self.claimed_key, self.cache_dir = future, claimed_key, cache_dir

    def result(self) -> tuple[Outcome, tuple | None]:
        try:
            outcome = self.future.result()
        finally:
            _CLAIMED.pop(self.claimed_key, None)
        if outcome.record.status == "failed":
            # A failure may come from the machine, not the content (LibreOffice
            # not installed yet, a Tesseract timeout): never answer it from the
            # cache. Prefect stores a cached result under its cache key.
            (self.cache_dir / self.claimed_key[0]).unlink(missing_ok=True)
        return outcome, _NAMED.pop(self.claimed_key, None)


def summary_dict(summary: DrainSummary) -> dict:
    return {
        "run_id": summary.run_id,
        "counts": summary.counts(),
        "files": [{"input": r.input, "status": r.status, "reason": r.reason} for r in summary.records],
        "released": summary.released,
        "recovered": summary.recovered,
        "waiting": summary.waiting,
        "next_check_in": summary.next_check_in,
    }


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None
