"""Regencies and cities named in text written in lower case.

In chats, some news feeds and OCR of some forms everything is lower case,
and the name models lose the capital that tells them a place: "tinggal di
parepare", "asal agam" were published (lower-cased casework, LOCATION
recall 0.917 against 0.979 cased). Here the names of Indonesia's 514
regencies and cities (models/regions.txt, scripts/build_regions.py) are
found as whole words (one that is also an everyday word, "medan", "palu",
only after "di", "ke", "dari", "asal" ...), only where written in lower
case (in cased text the models read the context, and a city's name in an
institution's, "RSUD Denpasar", is left to them) and not right after an
institution's word ("rsud parepare", "pengadilan negeri cirebon": public
bodies named after their city, which the models leave too).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from .base import CodeRecognizer

REGIONS = Path(__file__).resolve().parent.parent.parent / "models" / "regions.txt"

# Words that make the name after them an institution's, not where someone
# is, with at most one word between that is not a preposition ("dinas
# sosial cianjur", but "kantor polisi di garut" is where someone went).
_INSTITUTION_BEFORE = re.compile(
    r"(?:\b(?:rsud|rs|rsu|rsia|rumah\s+sakit|puskesmas|pengadilan|pn|pa|kejaksaan|kejari|polres|polresta|"
    r"polrestabes|polsek|polda|dinas|dinsos|p2tp2a|uptd|bapas|lapas|rutan|lpka|sd|smp|sma|smk|sdn|smpn|sman|smkn|"
    r"universitas|univ|unit|kantor|bank|stasiun|bandara|terminal|pelabuhan)"
    r"(?:\s+(?!(?:di|ke|dari|ini|itu)\b)\w+)?\s+)$")


# Words after which a name that is also an everyday word is a place.
_PLACE_FOLLOWS = re.compile(r"(?:\b(?:di|ke|dari|asal|kota|kabupaten|kab\.?|warga|daerah|wilayah|sekitar)\s+)$")


@functools.lru_cache(maxsize=1)
def _region_patterns() -> tuple[re.Pattern, re.Pattern]:
    """(names that are only names, names that are also everyday words)."""
    plain, everyday = [], []
    for line in REGIONS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        (everyday if line.endswith(" *") else plain).append(line.removesuffix(" *"))

    def pattern(names: list[str]) -> re.Pattern:
        alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(names, key=len, reverse=True))
        return re.compile(rf"(?<![\w@.\-])(?:{alternatives})(?![\w@\-])")

    return pattern(plain), pattern(everyday)


class RegionNameRecognizer(CodeRecognizer):
    ENTITIES = ("LOCATION",)

    def find(self, text):
        plain, everyday = _region_patterns()
        results = []
        for pattern in (plain, everyday):
            for m in pattern.finditer(text):
                before = text[max(0, m.start() - 40):m.start()].lower()
                if _INSTITUTION_BEFORE.search(before):
                    continue
                if pattern is everyday and not _PLACE_FOLLOWS.search(before):
                    continue  # "buru-buru", "medan perang": words, not Medan
                # Above the spaCy models' 0.85: Presidio keeps one result of
                # a span and type, and on an English passage the Indonesian
                # models' results are dropped afterwards ("mr. dedi hidayat
                # in parepare" lost its place with them).
                results.append(self.result("LOCATION", m.start(), m.end(), 0.9,
                                           "a regency's or city's name written in lower case"))
        return results
