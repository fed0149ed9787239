"""Shared checks for verification: does any redacted value survive in the text
or bytes of an output? Each format handler extracts what it can from its own
output and asks these.

All values are searched at once (one alternation per encoding), so the cost
grows with the size of the output, not with values x objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .detect.propagate import normalise

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
    wanted = sorted({normalise(v) for v in values if v.strip()}, key=len, reverse=True)
    if not wanted:
        return []
    body = "|".join(r"\s+".join(re.escape(p) for p in v.split(" ")) for v in wanted)
    pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)
    own = _own_text_pattern(inserted, text=True)
    problems = []
    for where, text in texts:
        if own is not None:
            text = own.sub(" ", text)
        for value in {normalise(m.group(0)) for m in pattern.finditer(text)}:
            problems.append(f"a redacted {describe(value)} is still present in {where}")
    return problems


def leaks_in_bytes(
    values: Iterable[str], blobs: Iterable[tuple[str, bytes]], inserted: Iterable[str] = ()
) -> list[str]:
    """Problems for each (where, blob) whose bytes still contain a value as a
    whole word in a common encoding (UTF-8/Latin-1, UTF-16 big or little
    endian): "Tempat" must not match inside "setempat". Labels the redaction
    inserted are ignored, as in leaks_in_text."""
    wanted = sorted({normalise(v) for v in values if len(normalise(v)) >= MIN_RAW_LENGTH}, key=len, reverse=True)
    if not wanted:
        return []
    patterns = _byte_patterns(wanted)
    own = _own_text_pattern(inserted, text=False)
    problems = []
    for where, blob in blobs:
        if own is not None:
            blob = own.sub(b" ", blob)
        found = set()
        for decode, pattern in patterns:
            found |= {normalise(decode(m.group(0))) for m in pattern.finditer(blob)}
        for value in found:
            problems.append(f"a redacted {describe(value)} is still present in {where}")
    return problems


def _byte_patterns(values: list[str]):
    """(decoder, pattern) per encoding, each an alternation of all values."""
    out = []
    for encoding in ("utf-8", "latin-1"):
        encoded = sorted({v.encode(encoding, "ignore") for v in values} - {b""}, key=len, reverse=True)
        if encoded:
            body = b"|".join(re.escape(e) for e in encoded)
            pattern = re.compile(rb"(?<!" + _WORD_BYTE + rb")(?:" + body + rb")(?!" + _WORD_BYTE + rb")", re.IGNORECASE)
            out.append((lambda b, enc=encoding: b.decode(enc, "replace"), pattern))
    be = b"|".join(re.escape(v.encode("utf-16-be")) for v in values)
    le = b"|".join(re.escape(v.encode("utf-16-le")) for v in values)
    out.append((lambda b: b.decode("utf-16-be", "replace"),
                re.compile(rb"(?<!\x00[A-Za-z0-9])(?:" + be + rb")(?!\x00[A-Za-z0-9])", re.IGNORECASE)))
    out.append((lambda b: b.decode("utf-16-le", "replace"),
                re.compile(rb"(?<![A-Za-z0-9]\x00)(?:" + le + rb")(?![A-Za-z0-9]\x00)", re.IGNORECASE)))
    return out


def _own_text_pattern(inserted: Iterable[str], text: bool):
    labels = sorted({label for label in inserted if label}, key=len, reverse=True)
    if not labels:
        return None
    if text:
        return re.compile("|".join(re.escape(label) for label in labels), re.IGNORECASE)
    return re.compile(b"|".join(re.escape(label.encode("utf-8")) for label in labels), re.IGNORECASE)


def describe(value: str) -> str:
    """A way to name a value in a reason without writing the value itself."""
    return f"value ({len(value)} characters)"
