"""The redaction manifest: what a run did to every file, provable without
revealing any redacted value (config/manifest.schema.json)."""

from __future__ import annotations

import json
import secrets
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import jsonschema

from . import __version__
from .config import CONFIG_DIR, Config
from .model import Finding
from .publish import OutputLayout, atomic_write
from .secret import ValueHasher

MANIFEST_SCHEMA_PATH = CONFIG_DIR / "manifest.schema.json"


@dataclass
class FileRecord:
    input: str  # relative to the inbox, personal data in names replaced
    status: str  # redacted | review | failed | skipped
    input_sha256: str | None = None
    output_sha256: str | None = None
    reason: str | None = None
    reason_code: str | None = None
    format: str | None = None
    pages: int = 0
    output: str | None = None
    findings: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    input_hmac: str | None = None  # keyed hash of the original relative path
    # What reviewers did at the review desk (who, when, what; no values).
    review_actions: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        data = asdict(self)
        if not data["review_actions"]:  # only files a reviewer touched carry the key
            del data["review_actions"]
        return data


def finding_entry(finding: Finding, hasher: ValueHasher) -> dict:
    return {
        "entity_type": finding.entity_type,
        "location": finding.location,
        "page": finding.page,
        "bbox": list(finding.bbox) if finding.bbox is not None else None,
        "score": round(min(1.0, max(0.0, finding.score)), 4),
        "recognizer": finding.recognizer,
        # A face has no text value to hash.
        "value_hmac": hasher(finding.value) if finding.value else None,
    }


def new_run_id(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def build_manifest(
    run_id: str, config: Config, started: datetime, finished: datetime, records: list[FileRecord]
) -> dict:
    return {
        "schema_version": 1,
        "run_id": run_id,
        "tool": {"name": "tabir", "version": __version__},
        "config": {"source": config.source, "sha256": config.hash},
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat(),
        "counts": count_files([r.to_json() for r in records]),
        "files": [r.to_json() for r in sorted(records, key=lambda r: r.input)],
    }


def count_files(files: list[dict]) -> dict:
    by_status = Counter(f["status"] for f in files)
    by_type = Counter(x["entity_type"] for f in files for x in f["findings"])
    counts = {
        "files": len(files),
        "redacted": by_status["redacted"],
        "review": by_status["review"],
        "failed": by_status["failed"],
        "skipped": by_status["skipped"],
        "pages": sum(f["pages"] for f in files),
        "findings": sum(by_type.values()),
        "findings_by_type": dict(sorted(by_type.items())),
    }
    if by_status["rejected"]:  # set only by the review desk
        counts["rejected"] = by_status["rejected"]
    return counts


def replace_file_entry(layout: OutputLayout, run_id: str, index: int, entry: dict) -> dict:
    """Rewrite run `run_id`'s manifest with file `index` replaced (the
    review desk's actions); latest.json too when it is that run. Returns
    the manifest written."""
    path = layout.manifests / f"{run_id}.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["files"][index] = entry
    manifest["counts"] = count_files(manifest["files"])
    write_manifest(layout, manifest, latest=(read_latest(layout) or {}).get("run_id") == run_id)
    return manifest


def validate_manifest(manifest: dict) -> None:
    """Raises jsonschema.ValidationError when the manifest breaks its schema."""
    schema = json.loads(MANIFEST_SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.validate(manifest, schema, format_checker=jsonschema.FormatChecker())


def write_manifest(layout: OutputLayout, manifest: dict, latest: bool = True) -> Path:
    """OUT/manifests/<run-id>.json, and the same content as latest.json."""
    validate_manifest(manifest)
    data = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    path = layout.manifests / f"{manifest['run_id']}.json"
    atomic_write(path, data, layout.work)
    if latest:
        atomic_write(layout.manifests / "latest.json", data, layout.work)
    return path


def read_latest(layout: OutputLayout) -> dict | None:
    path = layout.manifests / "latest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
