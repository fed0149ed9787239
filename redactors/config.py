"""Load and validate the YAML configuration.

The user's file is an overlay on config/default.yaml: it only needs the keys it
changes. Both are validated against config/config.schema.json so that a typo
stops the run with the file, the key and what is wrong, instead of being
silently ignored.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .errors import ConfigError

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
DEFAULT_CONFIG_PATH = CONFIG_DIR / "default.yaml"
CONFIG_SCHEMA_PATH = CONFIG_DIR / "config.schema.json"


# The values of every setting come from config/default.yaml (overlaid by the
# user's policy and validated by config/config.schema.json): no defaults here.


@dataclass(frozen=True)
class DetectionPolicy:
    languages: tuple[str, ...]
    entities: tuple[str, ...] | None  # None means every type the detector knows
    min_score: float
    min_score_by_type: dict[str, float]
    allow_list: tuple[str, ...]
    deny_list: dict[str, tuple[str, ...]]
    # "accurate": names and places by the e5 head; "fast": by the two small
    # spaCy models only (config/default.yaml gives the measured figures).
    profile: str
    # "keep": countries, provinces and main islands found as places are not
    # redacted (config/public_places.yaml); "redact": they are.
    public_places: str = "keep"

    def threshold_for(self, entity_type: str) -> float:
        return self.min_score_by_type.get(entity_type, self.min_score)


@dataclass(frozen=True)
class RedactionStyle:
    style: str  # "box", "label" or "pseudonym": the default for every type
    style_by_type: dict[str, str]
    fill_color: tuple[float, float, float]
    label_color: tuple[float, float, float]
    labels: dict[str, str]
    pseudonym_prefix: dict[str, str]
    file_names: str  # "redact" or "keep"

    def style_for(self, entity_type: str) -> str:
        return self.style_by_type.get(entity_type, self.style)

    def label_for(self, entity_type: str) -> str:
        return self.labels.get(entity_type, self.labels.get("default", "[DISAMARKAN]"))

    def pseudonym_prefix_for(self, entity_type: str) -> str:
        return self.pseudonym_prefix.get(entity_type, self.pseudonym_prefix.get("default", "Data"))


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_pages: int
    # "review": a file with pictures whose pixels could not be checked goes
    # to review/ (a face or a name in a photo must not be published unseen);
    # "publish": publish it with a note in the manifest.
    unchecked_pictures: str
    # Pictures smaller than this (pixels on the longer side) are ignored:
    # bullets and icons (config/default.yaml says why not more).
    min_picture_px: int
    # Pictures with more pixels than this are refused (memory).
    max_picture_pixels: int


@dataclass(frozen=True)
class ImageSettings:
    faces: bool
    face_threshold: float
    face_enlarge: float
    face_style: str  # "fill" or "pixelate"
    ocr: bool
    # Pages whose pictures cover at least this share of the page are treated
    # as scans: rendered, redacted as pixels, written back as a picture only.
    scan_page_share: float
    scan_dpi: int


@dataclass(frozen=True)
class VerificationSettings:
    second_look: bool
    rounds: int
    read_pictures: bool


@dataclass(frozen=True)
class ProcessSettings:
    workers: int  # 0: one per CPU core; 1: no worker processes
    files_per_worker: int
    worker_memory_mb: int


@dataclass(frozen=True)
class ReviewSettings:
    # Where the review desk keeps decisions made for the whole policy (None:
    # per-document decisions only); see review/policy_lists.py.
    policy_lists: Path | None
    case_details: str  # "flag" or "redact"


@dataclass(frozen=True)
class Config:
    detection: DetectionPolicy
    redaction: RedactionStyle
    limits: Limits
    images: ImageSettings
    verification: VerificationSettings
    review: ReviewSettings
    processes: ProcessSettings
    secret_file: Path
    source: str  # where it came from, for messages and the manifest
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def hash(self) -> str:
        """sha256 of the effective policy, so that a manifest says exactly
        which policy produced an output. The service section (folders,
        timings) does not change what is redacted and is left out."""
        policy = {key: value for key, value in self.raw.items() if key not in ("service", "processes")}
        canonical = json.dumps(policy, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def load_config(path: Path | str | None = None) -> Config:
    """The default policy, overlaid with the file at `path` when given."""
    defaults = _read_yaml(DEFAULT_CONFIG_PATH)
    _validate(defaults, DEFAULT_CONFIG_PATH)
    if path is None:
        return _build(_with_policy_lists(defaults, DEFAULT_CONFIG_PATH.parent), str(DEFAULT_CONFIG_PATH))
    path = Path(path)
    overlay = _read_yaml(path)
    _validate(overlay, path)
    merged = _deep_merge(defaults, overlay)
    _validate(merged, path)
    return _build(_with_policy_lists(merged, path.parent), str(path))


def _with_policy_lists(raw: dict[str, Any], base: Path) -> dict[str, Any]:
    """The policy with the reviewer's policy-wide lists added to detection's
    allow and deny lists (in `raw`, so the policy's hash changes with them
    and outputs are redone). The file's path is resolved once here."""
    from .review.policy_lists import read_policy_lists

    raw = copy.deepcopy(raw)
    review = raw.setdefault("review", {})
    lists_path = review.get("policy_lists")
    if not lists_path:
        return raw
    lists_path = Path(lists_path).expanduser()
    lists_path = lists_path if lists_path.is_absolute() else (base / lists_path).resolve()
    review["policy_lists"] = str(lists_path)
    allow, deny = read_policy_lists(lists_path)
    detection = raw.setdefault("detection", {})
    detection["allow_list"] = list(dict.fromkeys(list(detection.get("allow_list", [])) + allow))
    deny_list = {k: list(v) for k, v in detection.get("deny_list", {}).items()}
    for entity_type, terms in deny.items():
        deny_list[entity_type] = list(dict.fromkeys(deny_list.get(entity_type, []) + terms))
    detection["deny_list"] = deny_list
    return raw


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of keys to values")
    return data


def _schema() -> dict[str, Any]:
    return json.loads(CONFIG_SCHEMA_PATH.read_text(encoding="utf-8"))


def _validate(data: dict[str, Any], path: Path) -> None:
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    lines = [f"{path}: invalid configuration"]
    for error in errors:
        key = ".".join(str(part) for part in error.absolute_path) or "(top level)"
        lines.append(f"  key '{key}': {_explain(error)}")
    raise ConfigError("\n".join(lines))


def _explain(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        return f"unknown key(s) {unknown}; allowed here: {allowed}"
    if error.validator == "enum":
        return f"{error.instance!r} is not one of {error.validator_value}"
    return error.message


def _deep_merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _build(raw: dict[str, Any], source: str) -> Config:
    det = raw["detection"]
    red = raw["redaction"]
    lim = raw["limits"]
    entities = det["entities"]
    return Config(
        detection=DetectionPolicy(
            languages=tuple(det["languages"]),
            entities=None if entities == "all" else tuple(entities),
            min_score=float(det["min_score"]),
            min_score_by_type=dict(det["min_score_by_type"]),
            allow_list=tuple(det["allow_list"]),
            deny_list={k: tuple(v) for k, v in det["deny_list"].items()},
            profile=det["profile"],
            public_places=det["public_places"],
        ),
        redaction=RedactionStyle(
            style=red["style"],
            style_by_type=dict(red["style_by_type"]),
            pseudonym_prefix=dict(red["pseudonym_prefix"]),
            fill_color=tuple(red["fill_color"]),
            label_color=tuple(red["label_color"]),
            labels=dict(red["labels"]),
            file_names=red["file_names"],
        ),
        limits=Limits(
            max_file_bytes=int(float(lim["max_file_mb"]) * 1024 * 1024),
            max_pages=int(lim["max_pages"]),
            unchecked_pictures=lim["unchecked_pictures"],
            min_picture_px=int(lim["min_picture_px"]),
            max_picture_pixels=int(float(lim["max_picture_megapixels"]) * 1_000_000),
        ),
        images=ImageSettings(**raw["images"]),
        review=ReviewSettings(
            policy_lists=Path(raw["review"]["policy_lists"]) if raw["review"].get("policy_lists") else None,
            case_details=raw["review"]["case_details"],
        ),
        verification=VerificationSettings(**raw["verification"]),
        processes=ProcessSettings(**raw["processes"]),
        secret_file=Path(raw["secret_file"]).expanduser(),
        source=source,
        raw=raw,
    )
