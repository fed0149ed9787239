"""One run over an inbox, file by file: read, redact, verify, publish, record.

`Pipeline.process` never raises for a bad input: every input ends as one
FileRecord (redacted, review, failed or skipped) and, for all but skipped, one
file under OUT. The Prefect flow calls it once per file, inside a task.
"""

from __future__ import annotations

import hashlib
import time
import traceback
from pathlib import Path

from .config import Config
from .detect.base import TextDetector
from .errors import EmptyInput, InputRejected, RefusedInput, TooLarge, UnsupportedType
from .formats import RedactionContext, handler_for, supported_extensions
from .inbox import Candidate, read_regular_file
from .manifest import FileRecord, finding_entry, read_latest
from .publish import OutputLayout, publish_outcome
from .secret import ValueHasher, load_or_create_secret

_DETECTORS: dict[str, TextDetector] = {}


def detector_for(config: Config) -> TextDetector:
    """One detector per policy per process: loading spaCy takes seconds."""
    key = config.hash
    if key not in _DETECTORS:
        from .detect.presidio_text import PresidioDetector

        _DETECTORS[key] = PresidioDetector(config.detection)
    return _DETECTORS[key]


class Pipeline:
    def __init__(self, config: Config, out: Path, detector: TextDetector | None = None):
        self.config = config
        self.layout = OutputLayout(Path(out))
        self.layout.prepare()
        self.hasher = ValueHasher(load_or_create_secret(config.secret_file, forbidden_root=self.layout.root))
        self.ctx = RedactionContext(detector or detector_for(config), config)
        self._previous = _previous_records(self.layout, config)

    def process(self, candidate: Candidate) -> FileRecord:
        started = time.monotonic()
        record = FileRecord(input=str(candidate.rel), status="failed")
        try:
            self._process(candidate, record)
        except InputRejected as exc:
            self._fail(candidate, record, exc.code, exc.reason)
        except Exception as exc:  # a bug or an unforeseen file: never stop the run
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            self._fail(candidate, record, "internal", f"internal error while processing: {detail}")
        record.seconds = round(time.monotonic() - started, 4)
        return record

    def _process(self, candidate: Candidate, record: FileRecord) -> None:
        if candidate.refused:
            raise RefusedInput(f"refused: {candidate.refused}")
        handler = handler_for(candidate.rel)
        if handler is None:
            raise UnsupportedType(
                f"unsupported file type '{candidate.rel.suffix or '(none)'}'; "
                f"supported: {', '.join(supported_extensions())}"
            )
        record.format = handler.name
        limit = self.config.limits.max_file_bytes
        data = read_regular_file(candidate.path, limit)
        if not data:
            raise EmptyInput("the file is empty (0 bytes)")
        if len(data) > limit:
            raise TooLarge(f"the file is larger than the limit of {limit // (1024 * 1024)} MB")
        record.input_sha256 = hashlib.sha256(data).hexdigest()

        if self._unchanged(candidate, record):
            return

        result = handler.redact(data, self.ctx)
        problems = handler.verify(result.output, result.sensitive_values(), result.inserted, self.ctx)
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
        published_as = candidate.rel.with_suffix(result.output_suffix) if result.output_suffix else candidate.rel
        dest = publish_outcome(self.layout, candidate.rel, record.status, result.output, published_as)
        record.output = dest.relative_to(self.layout.root).as_posix()

    def _unchanged(self, candidate: Candidate, record: FileRecord) -> bool:
        """Same content, same policy, same tool, and its verified copy still in
        place: nothing to do (the nightly sweep sees most files again)."""
        before = self._previous.get(str(candidate.rel))
        if not before or before["input_sha256"] != record.input_sha256:
            return False
        published = self.layout.root / before["output"]  # the name it was published under
        try:
            current = hashlib.sha256(published.read_bytes()).hexdigest()
        except OSError:
            return False
        if current != before["output_sha256"]:
            return False
        record.status = "skipped"
        record.reason = "unchanged since the last run with the same policy; its verified copy is in place"
        record.reason_code = "unchanged"
        record.output_sha256 = before["output_sha256"]
        record.output = before["output"]
        record.pages = before["pages"]
        record.findings = before["findings"]
        return True

    def _fail(self, candidate: Candidate, record: FileRecord, code: str, reason: str) -> None:
        record.status = "failed"
        record.reason = reason
        record.reason_code = code
        record.output = None
        record.output_sha256 = None
        record.findings = []
        text = f"input: {candidate.rel}\nreason: {reason}\ncode: {code}\n"
        dest = publish_outcome(self.layout, candidate.rel, "failed", text.encode("utf-8"))
        record.notes.append(f"reason written to {dest.relative_to(self.layout.root).as_posix()}")


def _previous_records(layout: OutputLayout, config: Config) -> dict[str, dict]:
    """Records of the newest manifest that used the same policy and tool."""
    from . import __version__

    latest = read_latest(layout)
    if not latest or latest.get("config", {}).get("sha256") != config.hash:
        return {}
    if latest.get("tool", {}).get("version") != __version__:
        return {}
    return {
        f["input"]: f
        for f in latest.get("files", [])
        if f.get("status") in ("redacted", "skipped") and f.get("output_sha256")
    }
