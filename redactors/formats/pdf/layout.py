"""A page's text in reading order, as the detector must see it, with the box
of every word, so that character spans found by the detector map back to
rectangles on the page.

Layout splits values that the detector only finds whole. The text is built
so that they are whole again:
- lines of one block (a paragraph, a table cell) are joined with a space: an
  address or a name that wraps ("Siti" / "Aminah") is one phrase. A line that
  starts with a field label ("Tanggal:") keeps its line break, so that a name
  does not run into the next field;
- a line that ends with a hyphen after a digit ("0812-3456-", LibreOffice
  breaks phone numbers there) or with a long run of digits (a NIK cut by a
  narrow table cell) is joined to the next line's digits without a space;
- a word hyphenated at a line end keeps its "-\\n" (textprep joins it);
- single-line blocks side by side on one baseline (cells of one table row,
  a label and its value) are joined in left-to-right order;
- letter-spaced text ("S I T I   A M I N A H", each letter its own word) is
  joined into words, split where the gap is wider than between letters.
A span that crosses lines yields one rectangle per line.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from functools import lru_cache

import pymupdf

# find_tables() would print advice about another package on stdout.
if hasattr(pymupdf, "no_recommend_layout"):
    pymupdf.no_recommend_layout()

# Text placed outside the visible page is still in the file (plain pdftotext
# shows it), so it must be seen and redacted: no TEXT_MEDIABOX_CLIP, and an
# infinite clip rectangle (see _words).
EXTRACT_FLAGS = pymupdf.TEXT_PRESERVE_LIGATURES | pymupdf.TEXT_PRESERVE_WHITESPACE

# "Nama:", "Tempat/Tgl Lahir :", "From:" at the start of a line: a new field.
_FIELD_LABEL = re.compile(r"^[A-Za-z][\w/.()' -]{0,30}\s?:(\s|$)")
# A run of digits long enough to be part of an identifier cut by layout.
_LONG_DIGITS = re.compile(r"\d{4,}$")
_LETTER_HYPHEN = re.compile(r"[A-Za-z\u00C0-\u024F]-$")
_DIGIT_HYPHEN = re.compile(r"\d-$")


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    rect: pymupdf.Rect
    line_key: tuple  # (block, line), and the table cell where there is one


@dataclass
class PageText:
    text: str
    words: list[Word]

    def rects_for(self, start: int, end: int) -> list[pymupdf.Rect]:
        """Boxes covering characters start..end: every word they touch, merged
        per line (a finding is removed whole, never half a word)."""
        per_line: dict[tuple, pymupdf.Rect] = {}
        for word in self.words:
            if word.end <= start or word.start >= end:
                continue
            if word.line_key in per_line:
                per_line[word.line_key] |= word.rect
            else:
                per_line[word.line_key] = pymupdf.Rect(word.rect)
        return list(per_line.values())


@dataclass
class _Line:
    key: tuple
    words: list[tuple[pymupdf.Rect, str]] = field(default_factory=list)

    @property
    def rect(self) -> pymupdf.Rect:
        box = pymupdf.Rect(self.words[0][0])
        for rect, _ in self.words[1:]:
            box |= rect
        return box

    @property
    def text(self) -> str:
        return " ".join(token for _, token in self.words)


def _words(page: pymupdf.Page):
    # Without an infinite clip MuPDF leaves out text placed off the page.
    return page.get_text("words", flags=EXTRACT_FLAGS, sort=False, clip=pymupdf.INFINITE_RECT())


def _group_lines(words, cell: tuple = ()) -> list[_Line]:
    """Words grouped into their lines, in the order given. In a table, a
    line is also keyed by its cell: MuPDF's line may run across cells."""
    lines: dict[tuple, _Line] = {}
    for x0, y0, x1, y1, token, block, line, _ in words:
        key = (block, line) + cell
        lines.setdefault(key, _Line(key)).words.append((pymupdf.Rect(x0, y0, x1, y1), token))
    return list(lines.values())


def plain_box(drawing: dict, colour: tuple[float, ...]) -> bool:
    """One filled rectangle of exactly this colour (as redaction draws its
    boxes); a letter's outline has curves or several parts."""
    fill = drawing.get("fill") or ()
    return (len(drawing["items"]) == 1 and drawing["items"][0][0] == "re" and len(fill) == len(colour)
            and all(abs(a - b) < 0.01 for a, b in zip(fill, colour)))


# A redaction box covers at least a letter; a table's ruling drawn as a
# filled rectangle is thinner than this.
_MIN_BOX_SIDE_PT = 3.0


def _table_cells(page: pymupdf.Page, own_boxes: tuple[float, ...] | None = None) -> list[list[list[pymupdf.Rect]]]:
    """Per ruled table on the page, its rows of cell rectangles. Only pages
    with line art are searched (finding tables costs 30-80 ms a page), and
    on a redacted page (`own_boxes`: the redaction's colour) the
    redaction's own boxes are not line art: a page whose only drawings are
    those boxes is read as its input was, without a table search."""
    drawings = page.get_cdrawings()
    if own_boxes is not None:
        drawings = [d for d in drawings if not (plain_box(d, own_boxes)
                                                and min(pymupdf.Rect(d["rect"]).width,
                                                        pymupdf.Rect(d["rect"]).height) >= _MIN_BOX_SIDE_PT)]
    if len(drawings) < 2:
        return []
    try:
        tables = page.find_tables().tables
    except Exception:  # an odd drawing is no reason to fail the page
        return []
    return [[[pymupdf.Rect(c) for c in row.cells if c is not None] for row in table.rows] for table in tables]


def _chunks(page: pymupdf.Page, own_boxes: tuple[float, ...] | None = None) -> list[list[list[_Line]]]:
    """The page as rows of cells of lines, in reading order. A row with
    several cells is a table row (ruled, or single-line blocks on one
    baseline); everything else is a row of one block."""
    words = _words(page)
    tables = _table_cells(page, own_boxes)
    cell_of: dict[int, tuple[int, int, int]] = {}
    for index, word in enumerate(words):
        centre = pymupdf.Point((word[0] + word[2]) / 2, (word[1] + word[3]) / 2)
        for t, rows in enumerate(tables):
            for r, row in enumerate(rows):
                for c, rect in enumerate(row):
                    if centre in rect:
                        cell_of[index] = (t, r, c)
    out: list[list[list[_Line]]] = []
    plain: dict[int, list] = {}
    order: list[tuple[str, int]] = []
    for index, word in enumerate(words):
        if index in cell_of:
            t = cell_of[index][0]
            if ("table", t) not in order:
                order.append(("table", t))
        else:
            block = word[5]
            if block not in plain:
                plain[block] = []
                order.append(("block", block))
            plain[block].append(word)
    blocks = {block: _group_lines(ws) for block, ws in plain.items()}
    for kind, key in order:
        if kind == "block":
            out.append([blocks[key]])
            continue
        cells: dict[tuple[int, int], list] = {}
        for index, word in enumerate(words):
            where = cell_of.get(index)
            if where and where[0] == key:
                cells.setdefault(where[1:], []).append(word)
        for r in sorted({r for r, _ in cells}):
            out.append([_group_lines(cells[(r, c)], (key, r, c)) for c in sorted(c for rr, c in cells if rr == r)])
    return _join_rows(out)


def _join_rows(rows: list[list[list[_Line]]]) -> list[list[list[_Line]]]:
    """Consecutive single-line blocks on one baseline (an unruled table row,
    a label and its value) become one row, left to right."""
    joined: list[list[list[_Line]]] = []
    for row in rows:
        previous = joined[-1] if joined else None
        if (previous and len(row) == 1 and len(row[0]) == 1 and all(len(cell) == 1 for cell in previous)
                and _same_baseline(previous[-1][0], row[0][0])):
            previous.append(row[0])
            continue
        joined.append(list(row))
    return [sorted(row, key=lambda cell: cell[0].rect.x0) if len(row) > 1 else row for row in joined]


def _same_baseline(a: _Line, b: _Line) -> bool:
    ra, rb = a.rect, b.rect
    height = max(1.0, min(ra.height, rb.height))
    return abs(ra.y1 - rb.y1) < 0.35 * height and (rb.x0 >= ra.x1 - 1 or ra.x0 >= rb.x1 - 1)


def _line_tokens(line: _Line) -> list[tuple[str, list[pymupdf.Rect], str]]:
    """(separator before, rects, token) per token of a line, with
    letter-spaced runs (three or more one-character words) joined into words."""
    words = line.words
    out: list[tuple[str, list[pymupdf.Rect], str]] = []
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and len(words[j][1]) == 1 and words[j][1].isalnum():
            j += 1
        if j - i >= 3:
            run = words[i:j]
            gaps = [run[k + 1][0].x0 - run[k][0].x1 for k in range(len(run) - 1)]
            letter_gap = statistics.median(gaps)
            out.append((" " if out else "", [run[0][0]], run[0][1]))
            for gap, (rect, token) in zip(gaps, run[1:]):
                # A word break is a gap clearly wider than between letters.
                if gap > 1.6 * letter_gap + 0.5:
                    out.append((" ", [rect], token))
                else:
                    out.append(("", [rect], token))
            i = j
            continue
        out.append((" " if out else "", [words[i][0]], words[i][1]))
        i += 1
    return out


def _line_separator(previous: str, following: str) -> str:
    if _FIELD_LABEL.match(following):
        return "\n"
    if _LETTER_HYPHEN.search(previous) and following[:1].islower():
        return "\n"  # "Ami-\nnah": detect/textprep.py joins the word
    if (_DIGIT_HYPHEN.search(previous) or _LONG_DIGITS.search(previous)) and following[:1].isdigit():
        return ""
    return " "


def page_text(page: pymupdf.Page, own_boxes: tuple[float, ...] | None = None) -> PageText:
    """The page's text and word boxes. `own_boxes`: on a redacted page, the
    colour of the redaction's boxes (not line art of a table)."""
    parts: list[str] = []
    words: list[Word] = []
    position = 0

    def add(separator: str, token: str, rect: pymupdf.Rect, key: tuple) -> None:
        nonlocal position
        if separator:
            parts.append(separator)
            position += len(separator)
        parts.append(token)
        words.append(Word(position, position + len(token), rect, key))
        position += len(token)

    for row_index, row in enumerate(_chunks(page, own_boxes)):
        for block_index, block in enumerate(row):
            previous_text = None
            for line in block:
                for token_index, (separator, rects, token) in enumerate(_line_tokens(line)):
                    if token_index == 0:
                        if previous_text is not None:
                            separator = _line_separator(previous_text, line.text)
                        elif block_index > 0:
                            separator = "  "  # next cell of the row
                        elif row_index > 0:
                            separator = "\n"
                        else:
                            separator = ""
                    add(separator, token, rects[0], line.key)
                previous_text = line.text
    return PageText("".join(parts), words)


@lru_cache(maxsize=1)
def output_page_texts(output: bytes, own_boxes: tuple[float, ...]) -> tuple[str, ...]:
    """page_text of every page of a finished output, read once from its
    bytes: verification and the second look both read the same output, and
    reading a page's layout (tables included) is most of what each costs."""
    with pymupdf.open(stream=output, filetype="pdf") as doc:
        return tuple(page_text(page, own_boxes).text for page in doc)
