"""Pictures of a document's pages for the review desk and the report, and
the mapping from a finding's box to those pictures.

Boxes are given in display units: PDF points of the page as displayed
(rotation applied) or pixels of the upright photo. Findings of PDFs are
stored in the page's unrotated space (as PyMuPDF extracts text), so they
pass through the page's rotation matrix here. Word documents are shown as
LibreOffice prints them, when it is installed (their findings have no
boxes: Word has no fixed layout)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pymupdf

from ..formats.convert import find_soffice, to_pdf
from ..formats.photo import upright_frames

WORD_FORMATS = ("docx", "legacy-word")
_PHRASE_EDGES = " \t,.;:!?()[]{}\"'\u201c\u201d\u2018\u2019"


@dataclass(frozen=True)
class PageWord:
    """One word of a page as displayed: its box (display units), its text
    and the line it belongs to (words of one line join into one phrase)."""

    box: tuple[float, float, float, float]
    text: str
    line: tuple[int, int]


@dataclass(frozen=True)
class PagePicture:
    png: bytes
    width: float  # the page's size in display units
    height: float


class DocumentPages:
    """The pages of one file (original or output) of a given format."""

    def __init__(self, data: bytes, format_name: str, suffix: str = ".docx"):
        self.format = format_name
        self._pdf = None
        self._frames = None
        if format_name == "pdf":
            self._pdf = pymupdf.open(stream=data, filetype="pdf")
        elif format_name == "image":
            self._frames = upright_frames(data)
        elif format_name in WORD_FORMATS and find_soffice():
            self._pdf = pymupdf.open(stream=to_pdf(data, suffix), filetype="pdf")
        self.boxes_apply = format_name in ("pdf", "image")

    @property
    def count(self) -> int:
        if self._pdf is not None:
            return self._pdf.page_count
        return len(self._frames) if self._frames is not None else 0

    def picture(self, number: int, max_width: int = 900) -> PagePicture:
        """Page `number` (1-based) as a PNG at most `max_width` pixels wide."""
        if self._pdf is not None:
            page = self._pdf[number - 1]
            zoom = min(2.0, max_width / page.rect.width)
            pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
            return PagePicture(pix.tobytes("png"), page.rect.width, page.rect.height)
        frame = self._frames[number - 1].convert("RGB")
        width, height = frame.size
        if width > max_width:
            frame = frame.resize((max_width, round(height * max_width / width)))
        out = io.BytesIO()
        frame.save(out, "PNG")
        return PagePicture(out.getvalue(), width, height)

    def display_box(self, number: int, bbox) -> tuple[float, float, float, float] | None:
        """A finding's box on page `number` in display units, or None."""
        if not bbox or not self.boxes_apply or not 1 <= number <= self.count:
            return None
        if self.format == "pdf":
            rect = pymupdf.Rect(bbox) * self._pdf[number - 1].rotation_matrix
            return (rect.x0, rect.y0, rect.x1, rect.y1)
        return tuple(float(v) for v in bbox)

    def words(self, number: int) -> list[PageWord]:
        """The words of page `number` with their boxes in display units (PDF
        pages and Word pages as printed; a photo has no text layer)."""
        if self._pdf is None or not 1 <= number <= self.count:
            return []
        page = self._pdf[number - 1]
        words = []
        for x0, y0, x1, y1, text, block, line, _ in page.get_text("words", sort=True):
            rect = pymupdf.Rect(x0, y0, x1, y1) * page.rotation_matrix
            words.append(PageWord((rect.x0, rect.y0, rect.x1, rect.y1), text, (block, line)))
        return words

    def phrases_in(self, number: int, area: tuple[float, float, float, float]) -> list[str]:
        """The words of page `number` that the area touches, joined per line
        into phrases, without the punctuation at their ends ("Aminah," ->
        "Aminah"): each phrase is then searched for in the whole document."""
        x0, y0, x1, y1 = area
        phrases: dict[tuple[int, int], list[str]] = {}
        for word in self.words(number):
            a0, b0, a1, b1 = word.box
            if a0 <= x1 and x0 <= a1 and b0 <= y1 and y0 <= b1:
                phrases.setdefault(word.line, []).append(word.text)
        cleaned = (" ".join(parts).strip(_PHRASE_EDGES) for parts in phrases.values())
        return [phrase for phrase in cleaned if len(phrase) >= 2]

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
