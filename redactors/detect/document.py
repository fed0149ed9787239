"""Detection over a whole document, consistently.

The detector reads each text unit (a page, a paragraph); then every value
found anywhere is searched in every unit, so that a name flagged once and
missed elsewhere is removed everywhere. Names also count by their parts:
after "Siti Aminah", a later "Bu Aminah" or "Siti" is the same client. A part
is only taken where it is written with a capital letter (so "Putri" the
name, not "putri" the word) and when it is not a form of address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..model import TextSpan
from .base import TextDetector, prefetch
from .matcher import TextMatcher
from .propagate import normalise

NAME_TYPES = {"PERSON"}
MIN_PART_LENGTH = 3
# Words inside names that identify nobody on their own.
NOT_A_PART = {
    "bin", "binti", "boru", "br", "al", "van", "de", "der", "la", "le", "bapak", "ibu", "pak", "bu", "sdr",
    "sdri", "saudara", "saudari", "tn", "ny", "nn", "an", "kak", "mas", "mbak", "dik", "dr", "prof", "mr", "mrs",
    "ms", "haji", "hajjah", "tuan", "nyonya", "nona",
}


@dataclass(frozen=True)
class Known:
    """A value found in the document: its type, and the full value it belongs
    to (a name part belongs to the full name, for consistent pseudonyms)."""

    entity_type: str
    canonical: str
    is_part: bool = False


def known_values(found: Iterable[tuple[str, str]]) -> dict[str, Known]:
    """(value, entity type) pairs -> normalised value -> Known, with name parts."""
    known: dict[str, Known] = {}
    for value, entity_type in found:
        key = normalise(value)
        if key and key not in known:
            known[key] = Known(entity_type, key)
    for key, item in list(known.items()):
        if item.entity_type not in NAME_TYPES:
            continue
        initials = _INITIALS_WITH_AGE.match(key)
        if initials:
            # "RA (12)" found once: a later "RA" alone is the same child
            # (written in capitals, as every part is matched); the age and
            # "tahun" are not parts of a name.
            if initials.group(1).strip() not in known:
                known[initials.group(1).strip()] = Known(item.entity_type, key, is_part=True)
            continue
        for part in re.split(r"[\s.]+", key):
            if len(part) >= MIN_PART_LENGTH and part.isalpha() and part not in NOT_A_PART and part not in known:
                known[part] = Known(item.entity_type, key, is_part=True)
    return known


_INITIALS_WITH_AGE = re.compile(r"^((?:[^\W\d_]\.?\s?){1,4}?)\s*[(,]\s*\d")


def mention_matcher(known: dict[str, Known]) -> TextMatcher | None:
    """One automaton for all known values, so that a document costs one scan
    per unit, not one per value and unit (a long file has thousands)."""
    return TextMatcher(known) if known else None


def mentions(text: str, known: dict[str, Known], already: Sequence[TextSpan],
             matcher: TextMatcher | None = None) -> list[TextSpan]:
    """Spans for every mention of a known value not covered by `already`."""
    matcher = matcher if matcher is not None else mention_matcher(known)
    if matcher is None:
        return []
    covered = [(s.start, s.end) for s in already]
    found: list[TextSpan] = []
    for match in matcher.matches(text):
        start, end = match.start, match.end
        item = known.get(match.key)
        if item is None or (item.is_part and not text[start].isupper()):
            continue
        if any(a <= start and end <= b for a, b in covered):
            continue
        found.append(TextSpan(start, end, item.entity_type, 1.0, "DocumentConsistency"))
    return found


def detect_units(
    detector: TextDetector, units: Sequence[str], seed: Iterable[tuple[str, str]] = ()
) -> tuple[list[list[TextSpan]], dict[str, Known]]:
    """Spans per unit, including mentions of values found in any unit or in
    `seed` (values from a document's hidden parts), and the known values."""
    prefetch(detector, list(units))
    detected = [detector.detect(text) for text in units]
    pairs = list(seed)
    for text, spans in zip(units, detected):
        pairs += [(text[s.start:s.end], s.entity_type) for s in spans]
    known = known_values(pairs)
    matcher = mention_matcher(known)
    result = []
    for text, spans in zip(units, detected):
        result.append(sorted(spans + mentions(text, known, spans, matcher), key=lambda s: (s.start, s.end)))
    return result, known
