"""Text as extracted from PDFs and OCR is broken: words hyphenated across
line ends ("Ami-\\nnah"), lines broken mid-sentence. Detection runs on a
repaired copy; spans are mapped back to the original characters."""

from __future__ import annotations

import re

# A hyphen at a line end between two letters joins a word split by layout;
# a line that ends "0411-" and a next line (or paragraph of OCR text) that
# starts with digits is a phone number broken at its hyphen (LibreOffice
# breaks them there): the line break goes, the hyphen stays.
_HYPHEN_BREAK = re.compile(r"(?<=[A-Za-z\u00C0-\u024F])-[ \t]*\r?\n[ \t]*(?=[a-z\u00C0-\u024F])"
                           r"|(?<=\d-)[ \t]*(?:\r?\n[ \t]*)+(?=\d)")


# OCR reads a 1 as "l" or "I" and a 0 as "O" or "o" inside numbers
# ("08l2 3456 789O"). In a run of only digits and those letters, with at
# least two digits and no other letter beside it, they are read as digits:
# one character for one, so offsets do not move, and a word (which has
# other letters) is never touched.
_DIGIT_RUN = re.compile(r"(?<![A-Za-z0-9])[0-9OoIl]+(?![A-Za-z0-9])")
_AS_DIGITS = str.maketrans("OoIl", "0011")


def _ocr_digits(text: str) -> str:
    def repair(match: re.Match) -> str:
        run = match.group(0)
        if sum(c.isdigit() for c in run) < 2 or run.isdigit():
            return run
        return run.translate(_AS_DIGITS)

    return _DIGIT_RUN.sub(repair, text)


# A line written wholly in capitals (a form's fields, a heading, an identity
# card read by OCR, some chat writers) says nothing with its capitals: every
# word has one, so the name models take common words for names and miss
# places and names ("ASAL GARUT", "TINGGAL DI PAREPARE": the places were
# published). Such a line is also read in lower case, where the rules and
# models for lower-case text apply.
_MOSTLY_CAPITALS = 0.8
_MIN_LETTERS = 6


def lowered_capital_lines(text: str) -> str:
    """`text` with each line written in capitals lower-cased, character for
    character (offsets do not move; a line whose lower case would change
    its length is left as it is)."""
    lines = text.splitlines(keepends=True)
    changed = False
    for i, line in enumerate(lines):
        letters = [c for c in line if c.isalpha()]
        if len(letters) < _MIN_LETTERS or sum(c.isupper() for c in letters) < _MOSTLY_CAPITALS * len(letters):
            continue
        if len(re.findall(r"[^\W\d_]{2,}", line)) < 2:
            continue
        lowered = line.lower()
        if len(lowered) == len(line):
            lines[i] = lowered
            changed = True
    return "".join(lines) if changed else text


class PreparedText:
    def __init__(self, original: str):
        self.original = original
        pieces: list[str] = []
        index: list[int] = []  # for each character of the clean text, its offset in the original
        last = 0
        for match in _HYPHEN_BREAK.finditer(original):
            pieces.append(original[last:match.start()])
            index.extend(range(last, match.start()))
            last = match.end()
        pieces.append(original[last:])
        index.extend(range(last, len(original)))
        # Line ends stay: in forms and letters a line end separates fields
        # ("From: James Harrington\nDate: ..."), and a name must not run on.
        self.text = _ocr_digits("".join(pieces))
        self._index = index

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        if not self._index:
            return start, end
        begin = self._index[min(start, len(self._index) - 1)]
        finish = self._index[min(end, len(self._index)) - 1] + 1 if end > 0 else begin
        return begin, finish


_ID_WORDS = frozenset("yang dan di ke dari untuk dengan ini itu tidak pada adalah dalam akan oleh juga karena sudah telah bahwa atau ada kami saya mereka ia dia".split())
_EN_WORDS = frozenset("the and of to in is that for with was were are be this it on as by at from has have not an or which his her their".split())


def looks_english(text: str) -> bool:
    """More English function words than Indonesian ones: the passage is
    English (a memo, a quotation) and the English model should read it too."""
    words = re.findall(r"[a-z]+", text.lower())
    en = sum(w in _EN_WORDS for w in words)
    idn = sum(w in _ID_WORDS for w in words)
    return en >= 3 and en > 1.5 * idn
