"""A second, independent look at an output before it is published.

Verification searches the output for the values redaction removed; it
cannot see a value that redaction never found. The second look reads the
output as an outsider would: its text extracted again (in reading order,
lines and table rows joined) and run through the full detector. Whatever it
still finds is personal data of a type the policy redacts.

What it finds is not simply a reason for review: the first pass missed it
(often because layout or context hid it), so the file is redacted again
with those values added (a bounded number of rounds) and only what
survives every round sends the file to review.

In a text layer that the first pass read the same way, only types found by
patterns with validation count (numbers, e-mails, addresses...). Names and
places come from models that read context, and the context has changed:
after "berinisial RA" lost "RA", the model takes the next word ("tinggal")
for a name. Measured on casework reports: every name the second look found
in a text layer was such an artefact. Where the first pass could not read
the text at all (OCR of a page whose fonts do not extract), every type
counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .detect.base import TextDetector, detect_skipping, prefetch
from .detect.matcher import Blanker, TextMatcher
from .detect.propagate import normalise
from .model import TextSpan


@dataclass(frozen=True)
class Fresh:
    where: str
    entity_type: str
    value: str


# Types found by models that read the words around them.
CONTEXT_TYPES = frozenset({"PERSON", "LOCATION", "ORGANIZATION", "NRP", "DATE_TIME"})


def fresh_findings(detector: TextDetector, texts: Iterable[tuple[str, str]], inserted: Iterable[str],
                   all_types: bool = False) -> list[Fresh]:
    """What the detector finds in an output's text; text the redaction wrote
    (labels, pseudonyms) is blanked first. Context types only with
    `all_types` (see the module's docstring)."""
    blank = Blanker(inserted)
    skip = frozenset() if all_types else CONTEXT_TYPES
    found = []
    for where, text in texts:
        text = blank.text(text)
        for span in detect_skipping(detector, text, skip):
            value = text[span.start:span.end]
            if value.strip() and (all_types or span.entity_type not in CONTEXT_TYPES):
                found.append(Fresh(where, span.entity_type, value))
    return found


def summary(found: list[Fresh]) -> str:
    """A review reason that names types and places, never values."""
    counts: dict[str, int] = {}
    for item in found:
        counts[item.entity_type] = counts.get(item.entity_type, 0) + 1
    places = sorted({item.where for item in found})
    shown = ", ".join(places[:3]) + (f" and {len(places) - 3} more" if len(places) > 3 else "")
    types = ", ".join(f"{t} ({n})" for t, n in sorted(counts.items()))
    return f"the second look still finds personal data: {types} in {shown}"


class WithExtraValues:
    """A detector that also finds given values (found by the second look in
    an earlier round) wherever they occur, whole words, case ignored."""

    def __init__(self, base: TextDetector, extra: dict[str, str], recognizer: str = "SecondLook"):
        self.base = base
        self.recognizer = recognizer
        self.extra = {normalise(v): t for v, t in extra.items() if normalise(v)}
        self._matcher = TextMatcher(self.extra)

    def prefetch(self, texts: list[str]) -> None:
        prefetch(self.base, texts)

    def detect(self, text: str) -> list[TextSpan]:
        spans = self.base.detect(text)
        taken = [(s.start, s.end) for s in spans]
        for match in self._matcher.matches(text):
            if not any(a < match.end and match.start < b for a, b in taken):
                spans.append(TextSpan(match.start, match.end, self.extra[match.key], 1.0, self.recognizer))
        return sorted(spans, key=lambda s: (s.start, s.end))
