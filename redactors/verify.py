"""Shared checks for verification: does any redacted value survive in the text
or bytes of an output? Each format handler extracts what it can from its own
output and asks these.

All values are searched at once (one automaton per set of values, see
detect/matcher.py): a document's cost grows with its size, not with its size
times the number of values.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from .detect.matcher import Blanker, BytesMatcher, TextMatcher
from .detect.propagate import normalise

# Values shorter than this are not searched in raw bytes: "RA" or "12" occur
# by chance in any binary stream. They are still searched in extracted text.
MIN_RAW_LENGTH = 4


def leaks_in_text(
    values: Iterable[str], texts: Iterable[tuple[str, str]], inserted: Iterable[str] = ()
) -> list[str]:
    """Problems for each (where, text) that still contains a value as whole
    words (case and spacing ignored). Text the redaction itself put there
    (labels such as [NOMOR ID]) is ignored: a finding "Nomor" must not be
    matched inside the label that replaced it."""
    values = [v for v in values if v.strip()]
    matcher = _text_matcher(frozenset(normalise(v) for v in values), capitalised_only(values))
    if not matcher:
        return []
    own = _blanker(frozenset(inserted))
    problems = []
    for where, text in texts:
        text = own.text(text)
        for key in sorted(matcher.keys_in(text)):
            problems.append(f"a redacted {describe(key)} is still present in {where}")
    return problems


def leaks_in_bytes(
    values: Iterable[str], blobs: Iterable[tuple[str, bytes]], inserted: Iterable[str] = ()
) -> list[str]:
    """Problems for each (where, blob) whose bytes still contain a value as a
    whole word in a common encoding (UTF-8/Latin-1, UTF-16 big or little
    endian): "Tempat" must not match inside "setempat". Labels the redaction
    inserted are ignored, as in leaks_in_text."""
    values = [v for v in values if len(normalise(v)) >= MIN_RAW_LENGTH]
    matcher = _bytes_matcher(frozenset(normalise(v) for v in values), capitalised_only(values))
    if not matcher.keys:
        return []
    own = _blanker(frozenset(inserted))
    problems = []
    for where, blob in blobs:
        blob = own.bytes(blob)
        for key in sorted(matcher.keys_in(blob)):
            problems.append(f"a redacted {describe(key)} is still present in {where}")
    return problems


def capitalised_only(values: list[str]) -> frozenset[str]:
    """One-word values that were only ever removed where written with a
    capital: parts of a name ("The" of "The Swie King", "Putri"). Redaction
    takes such a part only where it is written as a name (detect/document.py),
    so the word "the" or "putri" left in the output is no leak."""
    capital = {normalise(v) for v in values if " " not in v.strip() and v.strip()[:1].isupper()}
    other = {normalise(v) for v in values if not v.strip()[:1].isupper()}
    return frozenset(capital - other)


# A few matchers are kept: one document's verification asks with the same
# values for its text, its bytes and each of its pictures.
@functools.lru_cache(maxsize=8)
def _text_matcher(keys: frozenset[str], capitals: frozenset[str]) -> TextMatcher:
    return TextMatcher(keys, capitals)


@functools.lru_cache(maxsize=8)
def _bytes_matcher(keys: frozenset[str], capitals: frozenset[str]) -> BytesMatcher:
    return BytesMatcher(keys, capitals)


@functools.lru_cache(maxsize=8)
def _blanker(labels: frozenset[str]) -> Blanker:
    return Blanker(labels)


def describe(value: str) -> str:
    """A way to name a value in a reason without writing the value itself."""
    return f"value ({len(value)} characters)"
