"""A page's text as one string, with the box of every word, so that character
spans found by the detector map back to rectangles on the page."""

from __future__ import annotations

from dataclasses import dataclass

import pymupdf

# No TEXT_MEDIABOX_CLIP: text placed outside the visible page is still in the
# file, so it must be seen (and, if it is personal data, removed or flagged).
EXTRACT_FLAGS = pymupdf.TEXT_PRESERVE_LIGATURES | pymupdf.TEXT_PRESERVE_WHITESPACE


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    rect: pymupdf.Rect
    line_key: tuple[int, int]


@dataclass
class PageText:
    text: str
    words: list[Word]

    def rects_for(self, start: int, end: int) -> list[pymupdf.Rect]:
        """Boxes covering characters start..end: every word they touch, merged
        per line (a finding is removed whole, never half a word)."""
        per_line: dict[tuple[int, int], pymupdf.Rect] = {}
        for word in self.words:
            if word.end <= start or word.start >= end:
                continue
            if word.line_key in per_line:
                per_line[word.line_key] |= word.rect
            else:
                per_line[word.line_key] = pymupdf.Rect(word.rect)
        return list(per_line.values())


def page_text(page: pymupdf.Page) -> PageText:
    raw = page.get_text("words", flags=EXTRACT_FLAGS, sort=False)
    parts: list[str] = []
    words: list[Word] = []
    position = 0
    previous_line = None
    for x0, y0, x1, y1, token, block, line, _ in raw:
        key = (block, line)
        if previous_line is not None:
            separator = " " if key == previous_line else "\n"
            parts.append(separator)
            position += len(separator)
        parts.append(token)
        words.append(Word(position, position + len(token), pymupdf.Rect(x0, y0, x1, y1), key))
        position += len(token)
        previous_line = key
    return PageText("".join(parts), words)
