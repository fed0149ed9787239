"""Place names that locate nobody (config/public_places.yaml): countries,
Indonesian provinces and main islands. A LOCATION finding that is exactly
one of them is public, not personal data, and is kept when the policy says
so (detection.public_places: keep, the default). So are places named in a
saying ("dari sabang sampai merauke"), whatever the policy."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from ..config import CONFIG_DIR
from ..errors import ConfigError
from .propagate import normalise

PUBLIC_PLACES_PATH = CONFIG_DIR / "public_places.yaml"
_LISTS = ("countries", "provinces", "province_short_forms", "islands")
_PROVINCE_PREFIXES = ("provinsi", "prov.", "propinsi")


@functools.lru_cache(maxsize=4)
def public_place_names(path: Path = PUBLIC_PLACES_PATH) -> frozenset[str]:
    """Every name as `normalise` gives it (case-folded, single spaces);
    provinces also after "Provinsi"."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the public place names: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must map {', '.join(_LISTS)} to lists of names")
    names = set()
    for key in _LISTS:
        values = data.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise ConfigError(f"{path}: key '{key}': must be a list of non-empty names")
        for value in values:
            folded = normalise(value)
            names.add(folded)
            if key in ("provinces", "province_short_forms"):
                names.update(f"{prefix} {folded}" for prefix in _PROVINCE_PREFIXES)
    unknown = set(data) - set(_LISTS)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}; expected {', '.join(_LISTS)}")
    return frozenset(names)


# Sayings that name places and locate nobody: "dari sabang sampai
# merauke" (the whole country, west to east).
_SAYINGS = re.compile(r"\bsabang\s+(?:sampai|hingga|ke)\s+merauke\b", re.IGNORECASE)


def in_saying(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] lies inside a saying that names places."""
    return any(m.start() <= start and end <= m.end()
               for m in _SAYINGS.finditer(text, max(0, start - 40), min(len(text), end + 40)))
