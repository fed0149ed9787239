"""The review desk's work on one output folder: the runs and their files,
the original behind each output, what redaction found in it (with the
values, shown only inside the local desk), and the reviewer's actions.

Every action is followed by redaction and verification again, through the
same Pipeline as `tabir run`, with the reviewer's decisions for that
document (decisions.py): a file reaches redacted/ only if its output passes
verification, or by an explicit "publish despite" that the manifest records.
Each action is recorded in the run's manifest: who (the operating-system
user), when, what, and the keyed hash of a value, never the value."""

from __future__ import annotations

import dataclasses
import getpass
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..config import Config
from ..formats import handler_for
from ..manifest import FileRecord, replace_file_entry, utc_now
from ..model import Finding, Region
from ..pipeline import Outcome, Pipeline
from ..publish import OutputLayout, remove_other_outcomes
from .case_details import CaseDetail, flag_case_details
from .decisions import DocumentDecisions, load_decisions, save_decisions
from .policy_lists import add_to_policy_lists
from .render import WORD_FORMATS, DocumentPages

RUN_ID = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$")
DAY_FOLDER = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
CONTEXT_CHARS = 60


class DeskError(Exception):
    """An action the desk cannot do, with the reason shown to the reviewer."""


@dataclass(frozen=True)
class Original:
    path: Path
    rel: PurePosixPath  # relative to the inbox it was dropped into
    data: bytes


@dataclass
class ShownFinding:
    number: int
    entity_type: str
    value: str  # shown inside the desk only
    score: float
    recognizer: str
    location: str
    page: int | None
    bbox: tuple | None
    context: str  # the words around it in the original, or ""


@dataclass
class Analysis:
    """What redaction finds in an original with the decisions made so far."""

    findings: list[ShownFinding]
    decisions: DocumentDecisions
    case_details: list[CaseDetail] = field(default_factory=list)


class ReviewDesk:
    def __init__(self, out: Path, config: Config, originals: list[Path], pipeline: Pipeline | None = None):
        self.config = config
        self.layout = OutputLayout(Path(out))
        self.originals = [Path(p) for p in originals]
        self._pipeline = pipeline
        self._analyses: dict[tuple[str, str], Analysis] = {}
        # Where each original was found (content sha256 -> path, relative name):
        # every action reads it again, without walking the inboxes again.
        self._found: dict[str, tuple[Path, PurePosixPath]] = {}

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:  # loads the detector: only when a file is opened
            self._pipeline = Pipeline(self.config, self.layout.root)
        return self._pipeline

    # -- reading ---------------------------------------------------------

    def runs(self) -> list[dict]:
        """Every run's manifest, newest first."""
        runs = []
        for path in sorted(self.layout.manifests.glob("*.json"), reverse=True):
            if RUN_ID.match(path.stem):
                try:
                    runs.append(json.loads(path.read_text(encoding="utf-8")))
                except (OSError, ValueError):
                    continue
        return runs

    def run(self, run_id: str) -> dict:
        if not RUN_ID.match(run_id):
            raise DeskError(f"no run {run_id!r}")
        try:
            return json.loads((self.layout.manifests / f"{run_id}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise DeskError(f"no run {run_id!r} in {self.layout.manifests}") from None

    def entry(self, run_id: str, index: int) -> dict:
        files = self.run(run_id)["files"]
        if not 0 <= index < len(files):
            raise DeskError(f"run {run_id} has no file {index}")
        return files[index]

    def output_bytes(self, entry: dict) -> bytes | None:
        if not entry.get("output"):
            return None
        path = (self.layout.root / entry["output"]).resolve()
        if self.layout.root.resolve() not in path.parents:
            raise DeskError("the manifest names an output outside the output folder")
        try:
            return path.read_bytes()
        except OSError:
            return None

    def original(self, entry: dict) -> Original:
        """The original of a manifest entry, read only from the configured
        places (the inbox of `tabir run`, the service's archive): found by the
        keyed hash of its relative path, and proven by its content hash."""
        wanted_hmac, wanted_sha = entry.get("input_hmac"), entry.get("input_sha256")
        if not wanted_sha:
            raise DeskError("this file has no content hash in the manifest (it could not be read)")
        known = self._found.get(wanted_sha)
        if known and known[0].is_file():  # found before: read it again and prove it unchanged
            data = known[0].read_bytes()
            if hashlib.sha256(data).hexdigest() == wanted_sha:
                return Original(known[0], known[1], data)
        original = self._search_original(entry, wanted_hmac, wanted_sha)
        self._found[wanted_sha] = (original.path, original.rel)
        return original

    def _search_original(self, entry: dict, wanted_hmac: str | None, wanted_sha: str) -> Original:
        hasher = self.pipeline.hasher
        by_content = None
        for root in self.originals:
            if not root.is_dir():
                continue
            for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
                for rel in _relative_names(root, path):
                    if hasher.exact(str(rel)) == wanted_hmac:
                        data = path.read_bytes()
                        if hashlib.sha256(data).hexdigest() == wanted_sha:
                            return Original(path, rel, data)
                if by_content is None and path.suffix.lower() == PurePosixPath(entry["input"]).suffix.lower():
                    if path.stat().st_size and hashlib.sha256(path.read_bytes()).hexdigest() == wanted_sha:
                        by_content = path, _relative_names(root, path)[-1]
        if by_content:  # renamed on arrival in the archive (a second copy the same day)
            return Original(by_content[0], by_content[1], by_content[0].read_bytes())
        places = ", ".join(str(p) for p in self.originals) or "(none configured)"
        raise DeskError(f"the original of {entry['input']} is not in {places} (moved, changed or pruned)")

    def analyse(self, entry: dict) -> Analysis:
        """What redaction finds in the original with the current decisions
        (no verification: this is for showing)."""
        original = self.original(entry)
        decisions = load_decisions(self.config, entry["input_sha256"])
        key = (entry["input_sha256"], json.dumps(decisions.to_json(), sort_keys=True))
        if key in self._analyses:
            return self._analyses[key]
        handler = handler_for(original.rel)
        ctx, _ = self.pipeline.context_for(entry["input_sha256"])
        result = handler.redact(original.data, ctx)
        texts = [text for _, text in handler.output_texts(original.data, _text_layers_only(ctx))]
        findings = [_shown(number, f, texts) for number, f in enumerate(result.findings)]
        names = [f.value for f in result.findings if f.entity_type == "PERSON" and f.value]
        analysis = Analysis(findings, decisions, flag_case_details(texts, names))
        self._analyses = {key: analysis}  # one file at a time: values do not pile up in memory
        return analysis

    # -- actions ---------------------------------------------------------

    def undo(self, run_id: str, index: int, finding_number: int, scope: str = "document") -> dict:
        """Keep a finding's text: allowed in this document (or policy)."""
        entry = self.entry(run_id, index)
        finding = self._finding(entry, finding_number)
        if not finding.value.strip():
            raise DeskError("a face or a drawn area has no text to keep; draw nothing over it instead")
        decisions = load_decisions(self.config, entry["input_sha256"])
        if finding.value not in decisions.allow:
            decisions.allow.append(finding.value)
        decisions.deny.pop(finding.value, None)
        self._decide(entry, decisions, scope, allow=finding.value)
        return self._redo(run_id, index, "undo", scope=scope, entity_type=finding.entity_type,
                          value=finding.value, page=finding.page)

    def add_term(self, run_id: str, index: int, term: str, entity_type: str, scope: str = "document") -> dict:
        term, entity_type = " ".join(term.split()), entity_type.strip().upper()
        if len(term) < 2:
            raise DeskError("a term to redact needs at least 2 characters")
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", entity_type):
            raise DeskError(f"{entity_type!r} is not an entity type (e.g. PERSON, LOCATION)")
        entry = self.entry(run_id, index)
        decisions = load_decisions(self.config, entry["input_sha256"])
        decisions.deny[term] = entity_type
        decisions.allow = [v for v in decisions.allow if v.casefold() != term.casefold()]
        self._decide(entry, decisions, scope, deny=[(entity_type, term)])
        return self._redo(run_id, index, "add_term", scope=scope, entity_type=entity_type, value=term)

    def add_box(self, run_id: str, index: int, page: int, bbox: tuple[float, float, float, float]) -> dict:
        entry = self.entry(run_id, index)
        if entry.get("format") not in ("pdf", "image"):
            raise DeskError("areas can be drawn on PDF pages and photos; in a Word file, add the words as a term")
        x0, y0, x1, y1 = bbox
        box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        if box[2] - box[0] < 1 or box[3] - box[1] < 1 or not 1 <= page <= max(1, entry.get("pages") or 1):
            raise DeskError("the area is empty or outside the document")
        decisions = load_decisions(self.config, entry["input_sha256"])
        decisions.regions.append(Region(page, tuple(round(v, 2) for v in box)))
        save_decisions(self.config, entry["input_sha256"], decisions)
        return self._redo(run_id, index, "add_box", page=page, bbox=box)

    def add_words(self, run_id: str, index: int, page: int, area: tuple[float, float, float, float],
                  entity_type: str = "PERSON", scope: str = "document") -> dict:
        """Redact the words an area of a page touches (selected on the page
        picture of a PDF or of a Word file as printed): each line's words
        become one phrase, redacted wherever it occurs in the document."""
        entity_type = entity_type.strip().upper()
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", entity_type):
            raise DeskError(f"{entity_type!r} is not an entity type (e.g. PERSON, LOCATION)")
        self._check_scope(scope)  # before the pages are printed
        entry = self.entry(run_id, index)
        if entry.get("format") not in ("pdf",) + WORD_FORMATS:
            raise DeskError("words can be selected on PDF and Word pages; on a photo, redact an area")
        original = self.original(entry)
        pages = DocumentPages(original.data, entry["format"], Path(entry["input"]).suffix)
        try:
            if not 1 <= page <= pages.count:
                raise DeskError("the page is outside the document (or Word pages cannot be printed here)")
            x0, y0, x1, y1 = area
            phrases = pages.phrases_in(page, (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        finally:
            pages.close()
        if not phrases:
            raise DeskError("no words under the selected area")
        decisions = load_decisions(self.config, entry["input_sha256"])
        for phrase in phrases:
            decisions.deny[phrase] = entity_type
            decisions.allow = [v for v in decisions.allow if v.casefold() != phrase.casefold()]
        self._decide(entry, decisions, scope, deny=[(entity_type, phrase) for phrase in phrases])
        return self._redo(run_id, index, "add_words", scope=scope, entity_type=entity_type, page=page,
                          values=phrases)

    def approve(self, run_id: str, index: int, despite: bool = False) -> dict:
        """Redact and verify again; published to redacted/ if verification
        passes, or, with `despite`, whatever it says (recorded)."""
        entry = self.entry(run_id, index)
        if entry["status"] not in ("review", "rejected"):
            raise DeskError(f"only files in review can be approved; this one is {entry['status']}")
        return self._redo(run_id, index, "publish_despite" if despite else "approve", despite=despite)

    def reject(self, run_id: str, index: int) -> dict:
        """Keep it out: its output leaves review/ (and redacted/)."""
        entry = self.entry(run_id, index)
        if entry["status"] == "failed":
            raise DeskError("a failed file has no output to reject")
        public = PurePosixPath(entry["input"])
        # The output's path under its status folder (X.odt is published as X.odt.docx).
        published_as = PurePosixPath(*PurePosixPath(entry["output"]).parts[1:]) if entry.get("output") else None
        remove_other_outcomes(self.layout, public, "rejected", published_as)
        updated = dict(entry, status="rejected", reason="rejected at the review desk", reason_code="rejected",
                       output=None)
        self._record(run_id, index, updated, entry, _action("reject", "rejected"))
        return updated

    # -- internals -------------------------------------------------------

    def _finding(self, entry: dict, number: int) -> ShownFinding:
        findings = self.analyse(entry).findings
        if not 0 <= number < len(findings):
            raise DeskError(f"no finding {number} in this file")
        return findings[number]

    def _decide(self, entry: dict, decisions: DocumentDecisions, scope: str, allow: str | None = None,
                deny: list[tuple[str, str]] = ()) -> None:
        self._check_scope(scope)
        if scope == "policy":
            if allow:
                add_to_policy_lists(self.config.review.policy_lists, allow=allow)
            for term in deny:
                add_to_policy_lists(self.config.review.policy_lists, deny=term)
        # The document's decisions take effect now; the policy's at its next load.
        save_decisions(self.config, entry["input_sha256"], decisions)

    def _check_scope(self, scope: str) -> None:
        if scope not in ("document", "policy"):
            raise DeskError(f"unknown scope {scope!r}")
        if scope == "policy" and self.config.review.policy_lists is None:
            raise DeskError("review.policy_lists is not set in the policy: decide for this document only")

    def _redo(self, run_id: str, index: int, action: str, *, despite: bool = False, scope: str | None = None,
              entity_type: str | None = None, value: str | None = None, page: int | None = None,
              bbox: tuple | None = None, values: list[str] | None = None) -> dict:
        entry = self.entry(run_id, index)
        original = self.original(entry)
        outcome: Outcome = self.pipeline.redact_bytes(original.rel, original.data)
        reason = outcome.record.reason
        approving = action in ("approve", "publish_despite")
        if not approving and entry["status"] in ("review", "rejected") and outcome.record.status == "redacted":
            # A file held back stays held back until a reviewer approves it.
            outcome.record.status = "review"
            outcome.record.reason = reason = "verification passes now; waiting for a reviewer's approval"
            outcome.record.reason_code = "awaiting_approval"
        if despite and outcome.record.status == "review":
            outcome.record.status = "redacted"
            outcome.record.reason_code = None
            outcome.record.notes.append(f"published despite verification at the review desk by {_user()}: {reason}")
        if outcome.record.status == "failed":
            raise DeskError(f"the file could not be redacted again: {reason}")
        record: FileRecord = self.pipeline.publish(original.rel, outcome)
        record.review_actions = list(entry.get("review_actions", []))
        updated = record.to_json()
        hashed = self.pipeline.hasher(value) if value else None
        hashes = [self.pipeline.hasher(v) for v in values] if values else None
        self._record(run_id, index, updated, entry,
                     _action(action, updated["status"], scope=scope, entity_type=entity_type, value_hmac=hashed,
                             value_hmacs=hashes, page=page, bbox=bbox, reason=reason if updated["status"] != "redacted" or despite else None))
        self._analyses.clear()
        return updated

    def _record(self, run_id: str, index: int, updated: dict, before: dict, action: dict) -> None:
        updated["review_actions"] = list(before.get("review_actions", [])) + [action]
        replace_file_entry(self.layout, run_id, index, updated)


def _action(action: str, result: str, **details) -> dict:
    entry = {"action": action, "by": _user(), "at": utc_now().isoformat(), "result": result}
    for key, value in details.items():
        if value is not None:
            entry[key] = list(value) if key == "bbox" else value
    return entry


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _relative_names(root: Path, path: Path) -> list[PurePosixPath]:
    """The names an original may have had in its inbox: its path under
    `root`, and, in the service's archive (ARCHIVE/<day>/<path>), its path
    under the day's folder."""
    rel = PurePosixPath(path.relative_to(root).as_posix())
    names = [rel]
    if len(rel.parts) > 1 and DAY_FOLDER.match(rel.parts[0]):
        names.append(PurePosixPath(*rel.parts[1:]))
    return names


def _text_layers_only(ctx):
    """The context with the second look's OCR off: the desk shows the words
    around a finding from the text layers, quickly."""
    verification = dataclasses.replace(ctx.config.verification, read_pictures=False)
    return dataclasses.replace(ctx, config=dataclasses.replace(ctx.config, verification=verification))


def _shown(number: int, finding: Finding, texts: list[str]) -> ShownFinding:
    return ShownFinding(number, finding.entity_type, finding.value, round(finding.score, 2), finding.recognizer,
                        finding.location, finding.page, finding.bbox, _context(finding.value, texts))


def _context(value: str, texts: list[str]) -> str:
    if not value.strip():
        return ""
    needle = value.casefold()
    for text in texts:
        at = text.casefold().find(needle)
        if at >= 0:
            start, end = max(0, at - CONTEXT_CHARS), min(len(text), at + len(value) + CONTEXT_CHARS)
            return ("…" if start else "") + " ".join(text[start:end].split()) + ("…" if end < len(text) else "")
    return ""
