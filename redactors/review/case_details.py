"""Case details: sentences that carry specific personal data of an
identifiable person (health, disability, offences and court outcomes,
sexual violence, a child in a legal case, religion or ethnicity), found by
the words in config/case_details.yaml when the sentence also points at a
person. The review desk flags them; with `review.case_details: redact` the
detector removes them as CASE_DETAIL (detect/ calls `case_detail_spans`).

A word list, not a model: explainable, and each flag names its category.
bench/case_details.py measures precision and recall on a labelled set."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import yaml

from ..config import CONFIG_DIR
from ..detect.base import detect_skipping, load_models, prefetch

LEXICON_PATH = CONFIG_DIR / "case_details.yaml"
# A sentence ends at . ! ? or a line break (lists and table rows), but not
# at the period of a title ("Ny. Aminah", "Sdri. Maria").
_SENTENCE = re.compile(r"(?:\b(?:Ny|Tn|Sdr|Sdri|Bpk|Bp|Dr|dr|An|Nn)\.|[^.!?\n])+[.!?]?")
_INITIALS = re.compile(r"\b[A-Z]{2,3}\b\s*\(\d{1,2}(?:\s*tahun)?\)|\bberinisial\b", re.IGNORECASE)


@dataclass(frozen=True)
class CaseDetail:
    start: int
    end: int
    text: str
    categories: tuple[str, ...]


def _pattern(words: list[str]) -> re.Pattern[str]:
    parts = []
    for word in words:
        stem = word.rstrip("*")
        body = r"\s+".join(re.escape(p) for p in stem.split())
        parts.append(body + (r"\w*" if word.endswith("*") else r"\b"))
    return re.compile(r"\b(?:" + "|".join(parts) + ")", re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, re.Pattern[str]], re.Pattern[str]]:
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    categories = {name: _pattern(words) for name, words in data["categories"].items()}
    return categories, _pattern(data["person_words"])


def case_detail_spans(text: str, names: list[str] = ()) -> list[CaseDetail]:
    """Sentences of `text` with a case detail about a person: a category
    word, and a person (one of `names`, initials, or a person word)."""
    categories, person = _lexicon()
    folded_names = [n.casefold() for n in names if len(n.strip()) >= 2]
    found = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group()
        hits = tuple(name for name, pattern in categories.items() if pattern.search(sentence))
        if not hits:
            continue
        folded = sentence.casefold()
        if not (person.search(sentence) or _INITIALS.search(sentence) or any(n in folded for n in folded_names)):
            continue
        lead = len(sentence) - len(sentence.lstrip())
        start, end = match.start() + lead, match.end() - (len(sentence) - len(sentence.rstrip()))
        if end > start:
            found.append(CaseDetail(start, end, text[start:end], hits))
    return found


def flag_case_details(texts: list[str], names: list[str] = ()) -> list[CaseDetail]:
    """Case details in each of `texts` (the desk shows them, not offsets)."""
    return [detail for text in texts for detail in case_detail_spans(text, names)]


class WithCaseDetails:
    """A detector that also finds case-detail sentences (policy
    `review.case_details: redact`) as CASE_DETAIL. The detector's own spans
    inside such a sentence are kept (a name there is still known as a name,
    and found elsewhere); the rest of the sentence is covered around them."""

    def __init__(self, base):
        self.base = base

    def prefetch(self, texts: list[str]) -> None:
        prefetch(self.base, texts)

    def load_models(self) -> None:
        load_models(self.base)

    def detect(self, text: str):
        return self.detect_skipping(text, frozenset())

    def detect_skipping(self, text: str, skip: frozenset[str]):
        from ..model import TextSpan

        # Every span found shapes the case-detail spans (names are passed
        # on, the rest is covered around the spans): whenever case details
        # are wanted, every type is asked for.
        spans = detect_skipping(self.base, text, skip if "CASE_DETAIL" in skip else frozenset())
        names = [text[s.start:s.end] for s in spans if s.entity_type == "PERSON"]
        extra = []
        for detail in case_detail_spans(text, names):
            cursor = detail.start
            for span in sorted((s for s in spans if s.start < detail.end and detail.start < s.end), key=lambda s: s.start):
                if span.start > cursor:
                    extra.append((cursor, span.start))
                cursor = max(cursor, span.end)
            if cursor < detail.end:
                extra.append((cursor, detail.end))
        for start, end in extra:
            piece = text[start:end]
            start, end = start + len(piece) - len(piece.lstrip()), end - (len(piece) - len(piece.rstrip()))
            if end - start >= 2:
                spans.append(TextSpan(start, end, "CASE_DETAIL", 1.0, "CaseDetails"))
        return sorted(spans, key=lambda s: (s.start, s.end))
