"""What a reviewer decided about one document at the review desk: words
not to redact in it, terms to redact in it, and areas drawn on its pages.

Decisions are keyed by the document's content (sha256), so they hold
wherever and whenever the same file is redacted again: by the desk, by the
next `tabir run` or by the service. They hold the words themselves, which
are personal data, so they live beside the manifest key (never in the
output folder), readable by their owner only; the manifest records only
that a decision was made, with the keyed hash of its value."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..detect.base import TextDetector, prefetch
from ..detect.propagate import normalise
from ..model import Region, TextSpan
from ..second_look import WithExtraValues

SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class DocumentDecisions:
    allow: list[str] = field(default_factory=list)
    deny: dict[str, str] = field(default_factory=dict)  # term -> entity type
    regions: list[Region] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.allow or self.deny or self.regions)

    def to_json(self) -> dict:
        return {"allow": self.allow, "deny": self.deny,
                "regions": [{"page": r.page, "bbox": list(r.bbox)} for r in self.regions]}

    @classmethod
    def from_json(cls, data: dict) -> "DocumentDecisions":
        return cls(allow=list(data.get("allow", [])), deny=dict(data.get("deny", {})),
                   regions=[Region(int(r["page"]), tuple(float(v) for v in r["bbox"])) for r in data.get("regions", [])])


def decisions_folder(config: Config) -> Path:
    return config.secret_file.parent / "review-desk"


def _path(config: Config, input_sha256: str) -> Path:
    if not SHA256.match(input_sha256 or ""):
        raise ValueError(f"not a sha256: {input_sha256!r}")
    return decisions_folder(config) / f"{input_sha256}.json"


def load_decisions(config: Config, input_sha256: str | None) -> DocumentDecisions:
    if not input_sha256:
        return DocumentDecisions()
    try:
        return DocumentDecisions.from_json(json.loads(_path(config, input_sha256).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return DocumentDecisions()


def decisions_fingerprint(config: Config, input_sha256: str) -> str:
    """Changes whenever the decisions for this content change (a cache of
    redaction results must not serve an outcome made before them)."""
    decisions = load_decisions(config, input_sha256)
    return json.dumps(decisions.to_json(), sort_keys=True) if decisions else ""


def save_decisions(config: Config, input_sha256: str, decisions: DocumentDecisions) -> None:
    path = _path(config, input_sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(decisions.to_json(), handle, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class ReviewedDetector:
    """The policy's detector with one document's decisions: spans whose
    whole text the reviewer allowed are dropped, terms the reviewer added are
    found wherever they occur (whole words, case ignored)."""

    def __init__(self, base: TextDetector, decisions: DocumentDecisions):
        self.allowed = {normalise(v) for v in decisions.allow if normalise(v)}
        self.base = WithExtraValues(base, decisions.deny, recognizer="Reviewer") if decisions.deny else base

    def prefetch(self, texts: list[str]) -> None:
        prefetch(self.base, texts)

    def detect(self, text: str) -> list[TextSpan]:
        return [s for s in self.base.detect(text) if normalise(text[s.start:s.end]) not in self.allowed]
