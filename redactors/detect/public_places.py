"""Place names that locate nobody (config/public_places.yaml): countries,
Indonesian provinces and main islands. A LOCATION finding that is exactly
one of them is public, not personal data, and is kept when the policy says
so (detection.public_places: keep, the default). So are places named in a
saying ("dari sabang sampai merauke"), and words for kinds of places said
alone ("di rumah sakit"), whatever the policy."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..config import CONFIG_DIR
from ..errors import ConfigError
from .propagate import normalise

PUBLIC_PLACES_PATH = CONFIG_DIR / "public_places.yaml"
_LISTS = ("countries", "provinces", "province_short_forms", "islands")
_KIND_LISTS = ("place_kinds", "pointing_words", "place_kind_compounds")
_PROVINCE_PREFIXES = ("provinsi", "prov.", "propinsi")


@functools.lru_cache(maxsize=4)
def _lists(path: Path) -> dict[str, list[str]]:
    """The file's lists, checked: each key known, each value a list of
    non-empty names."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the public place names: {exc}") from exc
    known = _LISTS + _KIND_LISTS
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must map {', '.join(known)} to lists of names")
    unknown = set(data) - set(known)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}; expected {', '.join(known)}")
    for key in known:
        values = data.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise ConfigError(f"{path}: key '{key}': must be a list of non-empty names")
    return {key: list(data.get(key, [])) for key in known}


@functools.lru_cache(maxsize=4)
def public_place_names(path: Path = PUBLIC_PLACES_PATH) -> frozenset[str]:
    """Every name as `normalise` gives it (case-folded, single spaces);
    provinces also after "Provinsi"."""
    names = set()
    for key, values in _lists(path).items():
        if key not in _LISTS:
            continue
        for value in values:
            folded = normalise(value)
            names.add(folded)
            if key in ("provinces", "province_short_forms"):
                names.update(f"{prefix} {folded}" for prefix in _PROVINCE_PREFIXES)
    return frozenset(names)


@dataclass(frozen=True)
class PlaceKinds:
    """Words for kinds of places (config/public_places.yaml): they name no
    place on their own."""
    kinds: frozenset[str]
    pointing: frozenset[str]
    compounds: frozenset[str]

    def only_a_kind(self, value: str) -> bool:
        """Is `value` a kind of place and nothing else: one such word
        ("rumah"), one followed by pointing words only ("desa tsb"), a
        listed compound ("rumah sakit", "kantor polisi itu"), or pointing
        words alone ("tsb")? A place named with one ("Desa Sukamaju",
        "Pasar Baru") is not."""
        words = _LETTERS.findall(value.casefold())
        if words and all(word in self.pointing for word in words):
            return True  # "tsb" of "desa tsb" on its own
        while len(words) > 1 and words[-1] in self.pointing:
            words.pop()
        if not words:
            return False
        return (len(words) == 1 and words[0] in self.kinds) or " ".join(words) in self.compounds


_LETTERS = re.compile(r"[^\W\d_]+")


@functools.lru_cache(maxsize=4)
def place_kinds(path: Path = PUBLIC_PLACES_PATH) -> PlaceKinds:
    lists = _lists(path)
    return PlaceKinds(frozenset(normalise(v) for v in lists["place_kinds"]),
                      frozenset(normalise(v) for v in lists["pointing_words"]),
                      frozenset(normalise(v) for v in lists["place_kind_compounds"]))


# Sayings that name places and locate nobody: "dari sabang sampai
# merauke" (the whole country, west to east).
_SAYINGS = re.compile(r"\bsabang\s+(?:sampai|hingga|ke)\s+merauke\b", re.IGNORECASE)


def in_saying(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] lies inside a saying that names places."""
    return any(m.start() <= start and end <= m.end()
               for m in _SAYINGS.finditer(text, max(0, start - 40), min(len(text), end + 40)))
