"""Draining an inbox: take each complete file, redact it, publish its
outcome exactly once, then archive the original.

Per file, in this order, so that a crash at any point loses nothing and
publishes nothing twice:
  1. claim: atomic rename out of the inbox (claims.py)
  2. redact and verify the content (the caller may cache this on content +
     policy: see flows/service.py)
  3. if the file changed after the claim (still being written): put it back
  4. publish atomically, unless the identical output is already in place
  5. journal the record (fsync)
  6. move the original to the archive
A crash before 6 leaves the claim, which start-up returns to the inbox; the
redo finds its output already published (4) and records it as unchanged.
"""

from __future__ import annotations

import copy
import hashlib
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Callable

from .. import __version__
from ..config import Config
from ..errors import InputRejected
from ..inbox import Candidate, discover, read_regular_file
from ..manifest import FileRecord, new_run_id, utc_now
from ..pipeline import Outcome, Pipeline, failed_outcome
from ..review.decisions import decisions_fingerprint
from .archive import archive_original, prune_archive
from .claims import CLAIMS_DIRNAME, Claim, ClaimArea
from .journal import RunJournal, finish_interrupted
from .settings import ServiceSettings

# redact(claim_path, rel, content_key) -> Outcome. The default calls the
# pipeline directly; the Prefect flow passes a cached task.
Redact = Callable[[Path, PurePosixPath, str], Outcome]


def inbox_has_work(inbox: Path) -> bool:
    """Anything for a drain to look at: an input, or a claim to check. Cheap,
    so the watcher's periodic rescan does not start a flow run for nothing."""
    if discover(inbox):
        return True
    claims = inbox / CLAIMS_DIRNAME
    return claims.is_dir() and any(claims.iterdir())


class QuietTracker:
    """Remembers each inbox file's (size, mtime) and since when it has been
    seen unchanged, on this process's monotonic clock: a file copied with its
    old modification time, or from a machine whose clock is ahead, is still
    taken only after it stopped changing for the quiet period."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, int, float]] = {}

    def quiet_for(self, rel: str, info: os.stat_result, now_monotonic: float) -> float:
        state = (info.st_size, info.st_mtime_ns)
        seen = self._seen.get(rel)
        if seen is None or seen[:2] != state:
            self._seen[rel] = (*state, now_monotonic)
            return 0.0
        return now_monotonic - seen[2]

    def forget(self, rel: str) -> None:
        self._seen.pop(rel, None)


@dataclass
class DrainSummary:
    run_id: str
    records: list[FileRecord] = field(default_factory=list)
    released: list[str] = field(default_factory=list)  # still changing: back in the inbox
    recovered: list[str] = field(default_factory=list)  # abandoned claims returned at start
    waiting: int = 0  # files not quiet yet
    next_check_in: float | None = None  # seconds until the first waiting file may be quiet
    manifest: dict | None = None

    def counts(self) -> dict[str, int]:
        counts = {"redacted": 0, "review": 0, "failed": 0, "skipped": 0}
        for record in self.records:
            counts[record.status] += 1
        return counts


class Drainer:
    """The long-lived half (one per process and policy): the pipeline with its
    loaded detector, and the quiet tracker."""

    def __init__(self, config: Config, settings: ServiceSettings, pipeline: Pipeline):
        self.config = config
        self.settings = settings
        self.pipeline = pipeline
        self.tracker = QuietTracker()
        self.key_salt = hashlib.sha256(
            f"{config.hash}|{__version__}|{pipeline.hasher('tabir-cache-key')}".encode()
        ).hexdigest()

    def content_key(self, rel: PurePosixPath, data: bytes) -> str:
        """Cache key of one input: content, file type, policy, tool version
        and manifest key (the cached findings carry its hashes)."""
        digest = hashlib.sha256(data).hexdigest()
        decided = decisions_fingerprint(self.config, digest)  # the review desk's, for this content
        return hashlib.sha256(f"{digest}|{rel.suffix.lower()}|{self.key_salt}|{decided}".encode()).hexdigest()

    def redact_direct(self, path: Path, rel: PurePosixPath, content_key: str) -> Outcome:
        return self.pipeline.redact_bytes(rel, _read(path, self.config))

    def drain(self, redact: Redact | None = None) -> DrainSummary:
        """Process every ready file, including those that become ready while
        draining; `redact` defaults to redacting without a cache."""
        run = DrainRun(self)
        try:
            run.begin()
            while (claimed := run.next_claim()) is not None:
                run.process(*claimed, redact or self.redact_direct)
        finally:
            run.end()
        return run.summary


class DrainRun:
    """One pass: recover abandoned claims, then claim and process files until
    none is ready."""

    def __init__(self, drainer: Drainer):
        self.drainer = drainer
        self.settings = drainer.settings
        self.started = utc_now()
        self.summary = DrainSummary(new_run_id(self.started))
        self.claims = ClaimArea(self.settings.inbox, self.settings.claim_lease_seconds, self.summary.run_id)
        self.journal = RunJournal(drainer.pipeline.layout, self.summary.run_id)
        self._queue: list[Candidate] = []
        self._stop_heartbeat = threading.Event()
        self._heartbeat = threading.Thread(target=self._renew, name="tabir-claim-lease", daemon=True)

    def begin(self) -> None:
        layout, config = self.drainer.pipeline.layout, self.drainer.config
        for returned in self.claims.recover():
            self.summary.recovered.extend(returned.returned)
            run_id = returned.owner.get("run_id")
            if isinstance(run_id, str):
                since = returned.owner.get("claimed_since")
                started = _from_epoch(since) if isinstance(since, (int, float)) else self.started
                finish_interrupted(layout, config, run_id, started)
        prune_archive(self.settings.archive, self.settings.archive_retention_days)
        self._heartbeat.start()

    def next_claim(self) -> tuple[Claim, Candidate] | None:
        while True:
            if not self._queue:
                self._queue = self._ready()
                if not self._queue:
                    return None
            candidate = self._queue.pop(0)
            claim = self.claims.claim(candidate)
            if claim is not None:
                self.drainer.tracker.forget(str(candidate.rel))
                return claim, candidate

    def process(self, claim: Claim, candidate: Candidate, redact: Redact) -> FileRecord | None:
        started = time.monotonic()
        pipeline = self.drainer.pipeline
        outcome = self._outcome(claim, candidate, redact)
        if claim.changed():
            # Still being written through a handle opened before our rename:
            # never publish (or fail) a partial file. It goes back and waits.
            self.summary.released.append(self.claims.release(claim))
            return None
        existing = pipeline.published_copy_matches(claim.rel, outcome)
        if existing is not None:
            record = _already_published(outcome, existing, pipeline.layout.root)
            pipeline.name_record(claim.rel, record)
        else:
            record = pipeline.publish(claim.rel, outcome)
        record.seconds = round(time.monotonic() - started, 4)
        self.journal.append(record)  # durable before the original leaves
        archive_original(self.settings.archive, claim.path, claim.rel, record.input_sha256)
        self.claims.finished(claim)
        self.summary.records.append(record)
        return record

    def end(self) -> None:
        self._stop_heartbeat.set()
        if self._heartbeat.is_alive():
            self._heartbeat.join()
        self.summary.manifest = self.journal.finish(self.drainer.config, self.started)
        self.claims.close()

    def _outcome(self, claim: Claim, candidate: Candidate, redact: Redact) -> Outcome:
        record = FileRecord(input=str(claim.rel), status="failed")
        try:
            claimed = Candidate(claim.path, claim.rel, candidate.refused)
            data = self.drainer.pipeline.read_input(claimed, record)
        except InputRejected as exc:
            return failed_outcome(record, exc.code, exc.reason)
        key = self.drainer.content_key(claim.rel, data)
        del data
        return redact(claim.path, claim.rel, key)

    def _ready(self) -> list[Candidate]:
        """Inbox files that stopped changing, oldest first."""
        quiet = self.settings.quiet_seconds
        now, now_mono = time.time(), time.monotonic()
        ready, waiting, next_in = [], 0, None
        for candidate in discover(self.settings.inbox):
            if candidate.refused:
                ready.append((0.0, candidate))  # a link or fifo: taken out and reported at once
                continue
            try:
                info = os.lstat(candidate.path)
            except OSError:
                continue
            observed = self.drainer.tracker.quiet_for(str(candidate.rel), info, now_mono)
            age = now - info.st_mtime
            if age >= quiet or observed >= quiet:
                ready.append((info.st_mtime, candidate))
            else:
                waiting += 1
                wait = quiet - max(observed, age if age >= 0 else 0.0)
                next_in = wait if next_in is None else min(next_in, wait)
        self.summary.waiting, self.summary.next_check_in = waiting, next_in
        return [candidate for _, candidate in sorted(ready, key=lambda item: (item[0], str(item[1].rel)))]

    def _renew(self) -> None:
        interval = max(1.0, self.settings.claim_lease_seconds / 4)
        while not self._stop_heartbeat.wait(interval):
            try:
                self.claims.renew()
            except OSError:
                pass


def _already_published(outcome: Outcome, existing: Path, root: Path) -> FileRecord:
    record = copy.deepcopy(outcome.record)
    record.status = "skipped"
    record.reason = "already published with the same content and policy; nothing was published again"
    record.reason_code = "unchanged"
    record.output = existing.relative_to(root).as_posix()
    return record


def _read(path: Path, config: Config) -> bytes:
    return read_regular_file(path, config.limits.max_file_bytes)


def _from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


