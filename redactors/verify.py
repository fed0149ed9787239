"""Shared checks for verification: does any redacted value survive in the text
or bytes of an output? Each format handler extracts what it can from its own
output and asks these.

Each value is first looked for as a plain substring (fast, in C); only where
it occurs is the exact whole-word pattern run. A document's cost grows with
its size times the number of distinct values, with a small constant.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from .detect.propagate import normalise, value_pattern

# Values shorter than this are not searched in raw bytes: "RA" or "12" occur
# by chance in any binary stream. They are still searched in extracted text.
MIN_RAW_LENGTH = 4

_WORD_BYTE = rb"[A-Za-z0-9\x80-\xff]"


def leaks_in_text(
    values: Iterable[str], texts: Iterable[tuple[str, str]], inserted: Iterable[str] = ()
) -> list[str]:
    """Problems for each (where, text) that still contains a value as whole
    words (case and spacing ignored). Text the redaction itself put there
    (labels such as [NOMOR ID]) is ignored: a finding "Nomor" must not be
    matched inside the label that replaced it."""
    wanted = {normalise(v) for v in values if v.strip()}
    if not wanted:
        return []
    own = _own_text_pattern(tuple(sorted(set(inserted))), text=True)
    problems = []
    for where, text in texts:
        if own is not None:
            text = own.sub(" ", text)
        folded = text.casefold()
        for value in wanted:
            if _longest_part(value) in folded and value_pattern(value).search(text):
                problems.append(f"a redacted {describe(value)} is still present in {where}")
    return problems


def leaks_in_bytes(
    values: Iterable[str], blobs: Iterable[tuple[str, bytes]], inserted: Iterable[str] = ()
) -> list[str]:
    """Problems for each (where, blob) whose bytes still contain a value as a
    whole word in a common encoding (UTF-8/Latin-1, UTF-16 big or little
    endian): "Tempat" must not match inside "setempat". Labels the redaction
    inserted are ignored, as in leaks_in_text."""
    wanted = {normalise(v) for v in values if len(normalise(v)) >= MIN_RAW_LENGTH}
    if not wanted:
        return []
    own = _own_text_pattern(tuple(sorted(set(inserted))), text=False)
    problems = []
    for where, blob in blobs:
        if own is not None:
            blob = own.sub(b" ", blob)
        lowered = blob.lower()
        for value in wanted:
            for needle, pattern in _byte_needles(value):
                if needle in lowered and pattern.search(blob):
                    problems.append(f"a redacted {describe(value)} is still present in {where}")
                    break
    return problems


def _longest_part(value: str) -> str:
    return max(value.split(" "), key=len)


@functools.lru_cache(maxsize=4096)
def _byte_needles(value: str) -> tuple[tuple[bytes, re.Pattern[bytes]], ...]:
    """(lower-cased needle, exact pattern) per encoding of `value`."""
    out = []
    for encoding in ("utf-8", "latin-1"):
        encoded = value.encode(encoding, "ignore")
        if encoded and all(encoded != n for n, _ in out):
            pattern = rb"(?<!" + _WORD_BYTE + rb")" + re.escape(encoded) + rb"(?!" + _WORD_BYTE + rb")"
            out.append((encoded.lower(), re.compile(pattern, re.IGNORECASE)))
    be, le = value.encode("utf-16-be"), value.encode("utf-16-le")
    out.append((be.lower(), re.compile(rb"(?<!\x00[A-Za-z0-9])" + re.escape(be) + rb"(?!\x00[A-Za-z0-9])", re.IGNORECASE)))
    out.append((le.lower(), re.compile(rb"(?<![A-Za-z0-9]\x00)" + re.escape(le) + rb"(?![A-Za-z0-9]\x00)", re.IGNORECASE)))
    return tuple(out)


@functools.lru_cache(maxsize=64)
def _own_text_pattern(labels: tuple[str, ...], text: bool):
    labels = tuple(sorted((label for label in labels if label), key=len, reverse=True))
    if not labels:
        return None
    if text:
        return re.compile("|".join(re.escape(label) for label in labels), re.IGNORECASE)
    return re.compile(b"|".join(re.escape(label.encode("utf-8")) for label in labels), re.IGNORECASE)


def describe(value: str) -> str:
    """A way to name a value in a reason without writing the value itself."""
    return f"value ({len(value)} characters)"
