"""One input's lifecycle: read, redact, verify, publish, record.

Both the batch run (`tabir run`, flows/run.py) and the service's drain
(service/drain.py) take each input through the same steps:
  begin    read it once; decide whether it needs redacting (the batch run
           skips an input unchanged since its last run)
  redact   `redact_bytes`: content in, Outcome out, here or in a worker
           process (workers.py); cacheable on content and policy
  finish   publish the outcome under the input's public name, or record
           that the identical output is already in place
Nothing here raises for a bad input: every input ends as one FileRecord
(redacted, review, failed or skipped) and, for all but skipped, one file
under OUT.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import time
import traceback
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .config import Config
from .detect.base import TextDetector, load_models
from .detect.factory import LazyDetector
from .errors import EmptyInput, InputRejected, MissingDependency, RefusedInput, TooLarge, UnsupportedType
from .formats import RedactionContext, handler_for, supported_extensions
from .inbox import Candidate, read_regular_file
from .detect.propagate import normalise
from .filenames import redact_path
from .manifest import FileRecord, finding_entry, read_latest
from .model import Finding
from .publish import OutputLayout, publish_outcome, remove_other_outcomes
from .review.case_details import WithCaseDetails
from .review.decisions import ReviewedDetector, load_decisions
from .second_look import WithExtraValues, fresh_findings, summary
from .secret import ValueHasher, load_or_create_secret

@dataclass
class Outcome:
    """What redacting one input's bytes produced, before it is published.

    It depends only on the content, the file type and the policy, never on the
    name, so it can be cached on those (the service's idempotency cache) and
    published under any name. `data` is the redacted file, or None when the
    input could not be processed (`record.status == "failed"`)."""

    record: FileRecord
    data: bytes | None
    output_suffix: str | None = None


@dataclass
class Pending:
    """One input between reading and publishing (Pipeline.begin/finish)."""

    candidate: Candidate
    started: float
    record: FileRecord
    data: bytes | None = None  # content still to redact
    skipped: FileRecord | None = None  # unchanged since the last run
    outcome: Outcome | None = None  # failed before redaction


class Pipeline:
    def __init__(self, config: Config, out: Path, detector: TextDetector | None = None):
        self.config = config
        self.layout = OutputLayout(Path(out))
        self.layout.prepare()
        self.hasher = ValueHasher(load_or_create_secret(config.secret_file, forbidden_root=self.layout.root))
        detector = detector or LazyDetector(config)  # loaded when first needed
        if config.review.case_details == "redact":
            detector = WithCaseDetails(detector)
        self.ctx = RedactionContext(detector, config)
        self._previous: dict[str, dict] | None = None  # the last run's records, read when first needed

    def load_models(self) -> None:
        """Load the detector's models now instead of at the first text."""
        load_models(self.ctx.detector)

    def process(self, candidate: Candidate) -> FileRecord:
        """Redact, verify and publish one input of `tabir run`."""
        pending = self.begin(candidate)
        outcome = self.redact_bytes(candidate.rel, pending.data) if pending.data is not None else None
        return self.finish(pending, outcome)

    def begin(self, candidate: Candidate, skip_unchanged: bool = True) -> "Pending":
        """Read one input and decide what it needs: nothing (unchanged since
        the last run, when `skip_unchanged`), a failure record (refused,
        unreadable), or redaction of `data`, here (process) or in a worker
        process (workers.py)."""
        pending = Pending(candidate, time.monotonic(), FileRecord(input=str(candidate.rel), status="failed"))
        try:
            data = self.read_input(candidate, pending.record)
            if skip_unchanged:
                pending.skipped = self._unchanged(candidate, hashlib.sha256(data).hexdigest())
            if pending.skipped is None:
                pending.data = data
        except InputRejected as exc:
            pending.outcome = failed_outcome(pending.record, exc.code, exc.reason)
        except MissingDependency:  # not this file's fault: stop the run with the install command
            raise
        except Exception as exc:  # a bug or an unforeseen file: never stop the run
            pending.outcome = failed_outcome(pending.record, "internal", _internal(exc))
        return pending

    def finish(self, pending: "Pending", outcome: Outcome | None = None, named: tuple | None = None) -> FileRecord:
        """Publish what `begin` decided, or `outcome` (the redaction of its
        data); `named` is the public path a worker process found."""
        record = pending.skipped or self.publish(pending.candidate.rel, pending.outcome or outcome, named)
        record.seconds = round(time.monotonic() - pending.started, 4)
        return record

    def read_input(self, candidate: Candidate, record: FileRecord) -> bytes:
        """The input's bytes; raises InputRejected for a refused, unsupported
        or unreadable input."""
        if candidate.refused:
            raise RefusedInput(f"refused: {candidate.refused}")
        record.format = self._handler(candidate.rel).name
        try:
            return read_regular_file(candidate.path, self.config.limits.max_file_bytes)
        except OSError as exc:
            raise RefusedInput(f"cannot be read as a regular file: {exc.strerror or exc}") from None

    def redact_bytes(self, rel: PurePosixPath, data: bytes) -> Outcome:
        """Redact and verify one input's content (`rel` gives its type)."""
        record = FileRecord(input=str(rel), status="failed")
        try:
            return self._redact(rel, data, record)
        except InputRejected as exc:
            return failed_outcome(record, exc.code, exc.reason)
        except MissingDependency:
            raise
        except Exception as exc:
            return failed_outcome(record, "internal", _internal(exc))

    def _handler(self, rel: PurePosixPath):
        handler = handler_for(rel)
        if handler is None:
            raise UnsupportedType(
                f"unsupported file type '{rel.suffix or '(none)'}'; "
                f"supported: {', '.join(supported_extensions())}"
            )
        return handler

    def _redact(self, rel: PurePosixPath, data: bytes, record: FileRecord) -> Outcome:
        started = time.monotonic()
        handler = self._handler(rel)
        record.format = handler.name
        limit = self.config.limits.max_file_bytes
        if not data:
            raise EmptyInput("the file is empty (0 bytes)")
        if len(data) > limit:
            raise TooLarge(f"the file is larger than the limit of {limit // (1024 * 1024)} MB")
        record.input_sha256 = hashlib.sha256(data).hexdigest()

        ctx, decided = self.context_for(record.input_sha256)
        try:
            result, problems = self._redact_and_verify(handler, data, ctx)
        finally:
            handler.forget()
        if decided:
            result.notes.append(f"the review desk's decisions for this document applied: {decided}")
        record.reason_code = "verification" if problems else None
        if result.unchecked_pictures and self.config.limits.unchecked_pictures == "review":
            problems.append(
                f"{result.unchecked_pictures} picture(s) could not be decoded to be checked for faces or text; "
                "a person must check them"
            )
            record.reason_code = record.reason_code or "unchecked_pictures"
        record.status = "review" if problems else "redacted"
        record.pages = result.pages
        record.notes = list(result.notes)
        record.findings = [finding_entry(f, self.hasher) for f in result.findings]
        record.output_sha256 = hashlib.sha256(result.output).hexdigest()
        if problems:
            record.reason = "verification failed: " + "; ".join(problems)
        record.seconds = round(time.monotonic() - started, 4)
        return Outcome(record, result.output, result.output_suffix)

    def context_for(self, input_sha256: str) -> tuple[RedactionContext, str]:
        """The context for one input: the policy's, with the review desk's
        decisions for this content when a reviewer made some (review/
        decisions.py); and a summary of those decisions (no values)."""
        decisions = load_decisions(self.config, input_sha256)
        if not decisions:
            return self.ctx, ""
        ctx = RedactionContext(ReviewedDetector(self.ctx.detector, decisions), self.config, tuple(decisions.regions))
        return ctx, (f"{len(decisions.allow)} kept, {len(decisions.deny)} term(s) added, "
                     f"{len(decisions.regions)} area(s) drawn")

    def _redact_and_verify(self, handler, data: bytes, base_ctx: RedactionContext):
        """Redact, verify, and (by policy) take the second look: values it
        finds are added and the input redacted again, up to `rounds` times;
        what it still finds after that is a verification problem."""
        settings = self.config.verification
        extra: dict[str, str] = {}
        for round_number in range(settings.rounds + 1):
            ctx = base_ctx if not extra else dataclasses.replace(base_ctx, detector=WithExtraValues(base_ctx.detector, extra))
            result = handler.redact(data, ctx)
            problems = handler.verify(result.output, result.sensitive_values(), result.inserted, ctx)
            if not settings.second_look:
                return result, problems
            fresh = fresh_findings(base_ctx.detector, handler.output_texts(result.output, ctx), result.inserted)
            if not fresh:
                if round_number:
                    result.notes.append(f"the second look found more to redact; redacted in {round_number + 1} rounds")
                return result, problems
            new = {f.value: f.entity_type for f in fresh if normalise(f.value) not in {normalise(v) for v in extra}}
            if not new or round_number == settings.rounds:
                return result, problems + [summary(fresh)]
            extra.update(new)
        raise AssertionError("unreachable")

    def publish(self, rel: PurePosixPath, outcome: Outcome, named: tuple | None = None) -> FileRecord:
        """Write the outcome for input `rel` under OUT; returns its record
        (a copy: a cached Outcome is published under other names too).
        `named`: the public path as a worker process found it (public_path)."""
        record = copy.deepcopy(outcome.record)
        public = self.name_record(rel, record, named)
        existing = self._published_copy(public, outcome)
        if existing is not None:
            return _skipped(record, existing.relative_to(self.layout.root).as_posix(),
                            "already published with the same content and policy; nothing was published again")
        if record.status == "failed":
            text = f"input: {public}\nreason: {record.reason}\ncode: {record.reason_code}\n"
            dest = publish_outcome(self.layout, public, "failed", text.encode("utf-8"))
            record.notes.append(f"reason written to {dest.relative_to(self.layout.root).as_posix()}")
            return record
        dest = publish_outcome(self.layout, public, record.status, outcome.data, _published_as(public, outcome))
        record.output = dest.relative_to(self.layout.root).as_posix()
        return record

    def public_path(self, rel: PurePosixPath, record: FileRecord) -> tuple[PurePosixPath, list[dict]]:
        """The path input `rel` is shown and published under: personal data in
        its file and folder names (found by the detector, or found inside the
        file) replaced by labels, unless the policy keeps names; and the
        findings for the manifest."""
        if self.config.redaction.file_names == "keep":
            return rel, []
        known = {f["value_hmac"]: f["entity_type"] for f in record.findings if f.get("value_hmac")}
        public, found = redact_path(rel, self.ctx.detector, known, self.hasher, self.hasher.exact,
                                    self.config.redaction)
        return public, [finding_entry(Finding(f.entity_type, f.value, 1.0, f.recognizer, "file_name"), self.hasher)
                        for f in found]

    def name_record(self, rel: PurePosixPath, record: FileRecord, named: tuple | None = None) -> PurePosixPath:
        """Set the record's input to the public path of `rel` (with the keyed
        hash of the original path) and add what its name gave away."""
        public, found = named or self.public_path(rel, record)
        record.input = str(public)
        record.input_hmac = self.hasher.exact(str(rel))
        record.findings = [f for f in record.findings if f.get("location") != "file_name"] + found
        return public

    def _published_copy(self, public: PurePosixPath, outcome: Outcome) -> Path | None:
        """The verified file already published under `public` when it is exactly this
        outcome's output (a drain's claim redone after a crash, or the same
        content dropped again, publishes nothing twice). A crash may have
        come between publishing it and removing what earlier runs left under
        another status (an older copy still in redacted/ beside one now in
        review/): that clean-up is finished here."""
        if outcome.record.status != "redacted" or outcome.data is None:
            # Only a verified copy counts as nothing to do: an output that
            # needs review is written and reported as review again.
            return None
        published_as = _published_as(public, outcome)
        dest = self.layout.destinations(public, published_as)[outcome.record.status]
        try:
            if hashlib.sha256(dest.read_bytes()).hexdigest() != outcome.record.output_sha256:
                return None
        except OSError:
            return None
        remove_other_outcomes(self.layout, public, outcome.record.status, published_as)
        return dest

    def _unchanged(self, candidate: Candidate, input_sha256: str) -> FileRecord | None:
        """Same content, same policy, same tool, and its verified copy still in
        place: nothing to do (the nightly sweep sees most files again)."""
        if self._previous is None:
            self._previous = _previous_records(self.layout, self.config)
        before = self._previous.get(self.hasher.exact(str(candidate.rel))) or self._previous.get(str(candidate.rel))
        if not before or before["input_sha256"] != input_sha256:
            return None
        published = self.layout.root / before["output"]  # the name it was published under
        try:
            current = hashlib.sha256(published.read_bytes()).hexdigest()
        except OSError:
            return None
        if current != before["output_sha256"]:
            return None
        earlier = FileRecord(input=before["input"], input_hmac=before.get("input_hmac"), status="redacted",
                             input_sha256=input_sha256, output_sha256=before["output_sha256"],
                             format=before.get("format"), pages=before["pages"], findings=before["findings"])
        return _skipped(earlier, before["output"],
                        "unchanged since the last run with the same policy; its verified copy is in place")


def _skipped(record: FileRecord, output: str, reason: str) -> FileRecord:
    """`record` (of the redaction that made the published copy) as a record
    of an input that needed nothing done: its verified copy is at `output`."""
    record.status = "skipped"
    record.reason = reason
    record.reason_code = "unchanged"
    record.output = output
    return record


def _published_as(rel: PurePosixPath, outcome: Outcome) -> PurePosixPath:
    """The output's name. A converted input keeps its own suffix in the name
    (X.odt is published as X.odt.docx): X.odt, X.doc and X.docx in one
    folder must never be published under one name."""
    if outcome.output_suffix and outcome.output_suffix.lower() != rel.suffix.lower():
        return rel.with_name(rel.name + outcome.output_suffix)
    return rel


def failed_outcome(record: FileRecord, code: str, reason: str) -> Outcome:
    record.status = "failed"
    record.reason = reason
    record.reason_code = code
    record.output = None
    record.output_sha256 = None
    record.findings = []
    return Outcome(record, None)


def _internal(exc: Exception) -> str:
    detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return f"internal error while processing: {detail}"


def _previous_records(layout: OutputLayout, config: Config) -> dict[str, dict]:
    """Records of the newest manifest that used the same policy and tool."""
    from . import __version__

    latest = read_latest(layout)
    if not latest or latest.get("config", {}).get("sha256") != config.hash:
        return {}
    if latest.get("tool", {}).get("version") != __version__:
        return {}
    return {
        f.get("input_hmac") or f["input"]: f
        for f in latest.get("files", [])
        if f.get("status") in ("redacted", "skipped") and f.get("output_sha256")
    }
