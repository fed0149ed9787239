"""Every known value found in one pass over a text or a byte stream.

A long court file has thousands of distinct values (names, numbers,
addresses). Searching for them one by one costs pages x values: quadratic in
the document's length, since both grow with it (a 200-page file never
finished). Here all values go into one Aho-Corasick automaton, built once per
document, and each text is scanned once whatever the number of values.

What counts as a match is what `propagate.value_pattern` says: case ignored,
any run of white space between a value's words, and no word character glued
on either side ("Siti" is not in "Sitinjak").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ahocorasick

from .propagate import normalise


def _fold_char(c: str) -> str:
    """One character, case-folded, still one character (so offsets map 1:1)."""
    folded = c.casefold()
    return folded if len(folded) == 1 else c.lower()[:1] or c


def fold(text: str) -> tuple[str, list[int]]:
    """`text` case-folded with each run of white space made one space, and for
    every character of the result its offset in `text`."""
    out: list[str] = []
    index: list[int] = []
    in_space = False
    for i, c in enumerate(text):
        if c.isspace():
            if not in_space:
                out.append(" ")
                index.append(i)
            in_space = True
            continue
        in_space = False
        out.append(_fold_char(c))
        index.append(i)
    return "".join(out), index


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


@dataclass(frozen=True)
class Match:
    start: int  # offsets into the original text
    end: int
    key: str  # the value as normalised (propagate.normalise)


class TextMatcher:
    """Whole-word, case- and spacing-insensitive search for many values.
    Keys in `capitalised_only` match only where written with a capital (a
    name's part "The" or "Putri", not the word "the" or "putri")."""

    def __init__(self, values: Iterable[str], capitalised_only: Iterable[str] = ()):
        self._automaton = ahocorasick.Automaton()
        self.capitalised_only = frozenset(capitalised_only)
        self.keys: set[str] = set()
        for value in values:
            key = normalise(value)
            if not key:
                continue
            needle, _ = fold(key)
            self.keys.add(key)
            self._automaton.add_word(needle, (len(needle), key))
        if self.keys:
            self._automaton.make_automaton()

    def __bool__(self) -> bool:
        return bool(self.keys)

    def all_matches(self, text: str) -> Iterator[Match]:
        """Every occurrence of every value, overlapping ones included."""
        if not self.keys or not text:
            return
        folded, index = fold(text)
        last = len(folded) - 1
        for end, (length, key) in self._automaton.iter(folded):
            start = end - length + 1
            if (start > 0 and _is_word(folded[start - 1])) or (end < last and _is_word(folded[end + 1])):
                continue
            if key in self.capitalised_only and not text[index[start]].isupper():
                continue
            yield Match(index[start], index[end] + 1, key)

    def matches(self, text: str) -> list[Match]:
        """Occurrences without overlaps: leftmost first, then the longest (as
        a regex alternation of all values, longest first, would give)."""
        found = sorted(self.all_matches(text), key=lambda m: (m.start, -(m.end - m.start)))
        out: list[Match] = []
        reach = -1
        for match in found:
            if match.start >= reach:
                out.append(match)
                reach = match.end
        return out

    def keys_in(self, text: str) -> set[str]:
        return {m.key for m in self.all_matches(text)}


# Bytes that count as part of a word in a raw stream (UTF-8 and Latin-1
# letters included): "Tempat" must not match inside "setempat".
def _word_byte(b: int) -> bool:
    return (48 <= b <= 57) or (65 <= b <= 90) or (97 <= b <= 122) or b >= 0x80


def _is_digit(b: int) -> bool:
    return 48 <= b <= 57


def _inside_decimal(blob: bytes, start: int, end: int) -> bool:
    """A number that is the fraction or the integer part of a decimal number
    ("10.502998" in a content stream's coordinates) is not the value 502998."""
    before = start >= 2 and blob[start - 1] in b".," and _is_digit(blob[start - 2]) and _is_digit(blob[start])
    after = end + 2 < len(blob) and blob[end + 1] in b".," and _is_digit(blob[end + 2]) and _is_digit(blob[end])
    return before or after


def _ascii_alnum(b: int) -> bool:
    return (48 <= b <= 57) or (65 <= b <= 90) or (97 <= b <= 122)


class BytesMatcher:
    """Values in raw bytes, in the encodings text is stored in inside files:
    UTF-8, Latin-1, UTF-16 big and little endian (ASCII case ignored)."""

    def __init__(self, values: Iterable[str], capitalised_only: Iterable[str] = ()):
        self._automaton = ahocorasick.Automaton()
        self.capitalised_only = frozenset(capitalised_only)
        needles: dict[str, set[tuple[str, str]]] = {}
        self.keys: set[str] = set()
        for value in values:
            key = normalise(value)
            if not key:
                continue
            self.keys.add(key)
            for encoding in ("utf-8", "latin-1", "utf-16-be", "utf-16-le"):
                encoded = key.encode(encoding, "ignore")
                if encoded:
                    kind = encoding if encoding.startswith("utf-16") else "8bit"
                    needles.setdefault(encoded.lower().decode("latin-1"), set()).add((kind, key))
        for needle, kinds in needles.items():
            self._automaton.add_word(needle, (len(needle), tuple(kinds)))
        if needles:
            self._automaton.make_automaton()

    def keys_in(self, blob: bytes) -> set[str]:
        if not self.keys or not blob:
            return set()
        haystack = blob.lower().decode("latin-1")
        found: set[str] = set()
        size = len(blob)
        for end, (length, kinds) in self._automaton.iter(haystack):
            start = end - length + 1
            for kind, key in kinds:
                if key in found:
                    continue
                if kind == "8bit":
                    ok = (start == 0 or not _word_byte(blob[start - 1])) and (end + 1 >= size or not _word_byte(blob[end + 1]))
                    ok = ok and not _inside_decimal(blob, start, end)
                elif kind == "utf-16-be":  # a letter before is 00 xx, after is 00 xx
                    ok = (start < 2 or not (blob[start - 2] == 0 and _ascii_alnum(blob[start - 1]))) and \
                         (end + 2 >= size or not (blob[end + 1] == 0 and _ascii_alnum(blob[end + 2])))
                else:  # utf-16-le: a letter is xx 00
                    ok = (start < 2 or not (_ascii_alnum(blob[start - 2]) and blob[start - 1] == 0)) and \
                         (end + 2 >= size or not (_ascii_alnum(blob[end + 1]) and blob[end + 2] == 0))
                if ok and key in self.capitalised_only:
                    first = blob[start + 1] if kind == "utf-16-be" else blob[start]
                    ok = 65 <= first <= 90
                if ok:
                    found.add(key)
        return found


class Blanker:
    """Blanks out text the redaction itself wrote (labels, pseudonyms), as a
    substring anywhere, case ignored, so verification does not take a label
    for a leak. One automaton for any number of labels."""

    def __init__(self, labels: Iterable[str]):
        self._text = ahocorasick.Automaton()
        self._bytes = ahocorasick.Automaton()
        self.empty = True
        for label in {label for label in labels if label.strip()}:
            folded, _ = fold(label)
            self._text.add_word(folded, len(folded))
            raw = label.encode("utf-8").lower().decode("latin-1")
            self._bytes.add_word(raw, len(raw))
            self.empty = False
        if not self.empty:
            self._text.make_automaton()
            self._bytes.make_automaton()

    def text(self, text: str) -> str:
        if self.empty or not text:
            return text
        folded, index = fold(text)
        chars = list(text)
        for end, length in self._text.iter(folded):
            for i in range(index[end - length + 1], index[end] + 1):
                chars[i] = " "
        return "".join(chars)

    def bytes(self, blob: bytes) -> bytes:
        if self.empty or not blob:
            return blob
        out = bytearray(blob)
        for end, length in self._bytes.iter(blob.lower().decode("latin-1")):
            out[end - length + 1:end + 1] = b" " * length
        return bytes(out)
