"""Draining an inbox: take each complete file, redact it, publish its
outcome exactly once, then archive the original.

Per file, in this order, so that a crash at any point loses nothing and
publishes nothing twice:
  1. claim: atomic rename out of the inbox (claims.py)
  2. read it once and redact and verify the content (the pipeline's
     lifecycle; the caller may cache this on content + policy, and run it in
     a worker process: see flows/drain.py)
  3. if the file changed after the claim (still being written): put it back
  4. publish atomically, unless the identical output is already in place
  5. journal the record (fsync)
  6. move the original to the archive
A crash before 6 leaves the claim, which start-up returns to the inbox; the
redo finds its output already published (4) and records it as unchanged.
With worker processes, several claimed files are redacted at once; steps 3
to 6 still happen one file at a time, in the order they were claimed.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Callable

from .. import __version__
from ..config import Config
from ..inbox import Candidate, discover
from ..manifest import FileRecord, new_run_id, utc_now
from ..pipeline import Outcome, Pending, Pipeline
from ..review.decisions import decisions_fingerprint
from .archive import archive_original, prune_archive
from .claims import CLAIMS_DIRNAME, Claim, ClaimArea
from .journal import RunJournal, finish_interrupted
from ..workers import RedactionWorkers
from .settings import ServiceSettings

# redact(claimed, content_key) -> an Outcome, or (Outcome, public name or
# None), or a future of either. The default redacts here or in the
# drainer's worker processes; the Prefect flow submits a cached task.
Redact = Callable[["Claimed", str], "Outcome | tuple | Future"]


@dataclass
class Claimed:
    """A claimed file on its way through the pipeline's lifecycle."""

    claim: Claim
    pending: Pending  # read once: pending.data is the content to redact
    result: "Outcome | tuple | Future | None" = None

    @property
    def rel(self) -> PurePosixPath:
        return self.claim.rel


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

    def __init__(self, config: Config, settings: ServiceSettings, pipeline: Pipeline,
                 workers: RedactionWorkers | None = None):
        self.config = config
        self.settings = settings
        self.pipeline = pipeline
        self.workers = workers  # worker processes that redact, or None: here
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

    def redact_direct(self, claimed: Claimed) -> tuple[Outcome, tuple | None]:
        """Redact a claimed file's content, here or in a worker process;
        (outcome, public name or None)."""
        pending = claimed.pending
        if self.workers is None:
            return self.pipeline.redact_bytes(claimed.rel, pending.data), None
        return self.workers.redact(claimed.rel, pending.data, pending.record)

    def in_flight(self) -> int:
        """Claimed files redacted at once."""
        return self.workers.in_flight() if self.workers else 1

    def drain(self, redact: Redact | None = None) -> DrainSummary:
        """Process every ready file, including those that become ready while
        draining. `redact` defaults to redacting without a cache, one file
        at a time; the flow's redacts several at once (flows/drain.py)."""
        run = DrainRun(self)
        window: deque[Claimed] = deque()
        try:
            run.begin()
            while (claimed := run.next_claim()) is not None:
                window.append(run.start(claimed, redact or (lambda claimed, key: self.redact_direct(claimed))))
                while len(window) >= self.in_flight():
                    run.finish(window.popleft())
            while window:
                run.finish(window.popleft())
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

    def next_claim(self) -> Claimed | None:
        """Claim the next ready file and read it (once)."""
        while True:
            if not self._queue:
                self._queue = self._ready()
                if not self._queue:
                    return None
            candidate = self._queue.pop(0)
            claim = self.claims.claim(candidate)
            if claim is not None:
                self.drainer.tracker.forget(str(candidate.rel))
                # No skip: a claimed file was dropped again, and what is
                # already published is found at publishing (Pipeline.publish).
                pending = self.drainer.pipeline.begin(Candidate(claim.path, claim.rel, candidate.refused),
                                                      skip_unchanged=False)
                return Claimed(claim, pending)

    def start(self, claimed: Claimed, redact: Redact) -> Claimed:
        """Start redacting a claimed file (unless reading it already failed)."""
        pending = claimed.pending
        if pending.data is not None:
            claimed.result = redact(claimed, self.drainer.content_key(claimed.rel, pending.data))
        return claimed

    def finish(self, claimed: Claimed) -> FileRecord | None:
        """Wait for its redaction, then publish, journal and archive it (or
        put it back if it changed since the claim)."""
        claim, pending = claimed.claim, claimed.pending
        outcome, named = pending.outcome, None
        if claimed.result is not None:
            # An Outcome or (Outcome, public name), or a future of either.
            result = claimed.result.result() if hasattr(claimed.result, "result") else claimed.result
            outcome, named = result if isinstance(result, tuple) else (result, None)
        pending.data = claimed.result = None  # the content is not needed any more
        if claim.changed():
            # Still being written through a handle opened before our rename:
            # never publish (or fail) a partial file. It goes back and waits.
            self.summary.released.append(self.claims.release(claim))
            return None
        record = self.drainer.pipeline.finish(pending, outcome, named)
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


def _from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


