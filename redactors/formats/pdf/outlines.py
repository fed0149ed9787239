"""Letters drawn as outlines among a page's extractable text: a title in
WordArt or with text effects (Word writes it as paths), a heading or a
letterhead made in a design tool, a signature line in a font the printer
driver would not embed. The text extractor reads nothing there; a reader,
and OCR, read the letters.

unreadable.py handles pages made mostly of such letters (few extractable
words): the page is OCRed and redacted as a picture. Here, on any page, rows
of letter-shaped filled paths are found, rendered alone and read by OCR;
their words are searched like the text layer (with every value found in the
document), and the paths under a finding's words are removed from the page,
whose text layer stays. Verification and the second look read the same rows
of the output again.
"""

from __future__ import annotations

from dataclasses import dataclass

import pymupdf

from ...detect.base import TextDetector
from ...detect.document import detect_units
from ...model import Finding, Location
from ...pixels.ocr import OcrText, read_words
from ...pixels.redact import confident_text, without_short_model_names
from .layout import plain_box

# A letter's outline: a filled path no taller than this (two inches: a
# poster's headline), of curves or several segments (a single rectangle is a
# box, a rule or a cell's shading, never a letter).
GLYPH_HEIGHT_PT = 144.0
MIN_GLYPH_PT = 2.0
MIN_STROKE_PT = 0.3  # an "l" at 6 pt is wider
# Letters of one row: their heights overlap by half and the gap between
# neighbours is under this many letter heights (word spaces are about 0.3).
ROW_GAP_HEIGHTS = 1.5
# A row is read when it has this many letters (a word of three).
MIN_LETTERS = 3
# Segments (lines and curves) a path has per letter height of its width when
# it is writing: a letter has 4 (an "I") to 30; the title of the tests, 39
# letters as one path, about 25.
SEGMENTS_PER_LETTER = 3
# Rows read per page; beyond, the rows' union is read once (a page of
# outlined text that still has extractable words; each read is a Tesseract
# process).
MAX_ROWS = 12
RENDER_DPI = 300
# A row (or the rows' union) is rendered at a lower resolution when it would
# be larger than this: an A3 page at 300 dpi is 17 MP; an A0 poster's union
# of rows would be 139 MP, too much memory and minutes of OCR.
MAX_ROW_PIXELS = 20_000_000
# Margin around a row when it is rendered and when a word's paths are
# removed, in letter heights.
PAD_HEIGHTS = 0.3


@dataclass
class OutlinedRow:
    """One rendered row of outlined letters: `region` on the page, and what
    OCR read in it (word boxes in the rendering's pixels; `origin` is the
    rendering's top left pixel at `zoom` pixels per point)."""
    region: pymupdf.Rect
    ocr: OcrText
    origin: tuple[int, int]
    zoom: float

    def page_rects(self, start: int, end: int) -> list[pymupdf.Rect]:
        """The page rectangles of the words of ocr.text[start:end]."""
        ox, oy = self.origin
        return [pymupdf.Rect((ox + x0) / self.zoom, (oy + y0) / self.zoom, (ox + x1) / self.zoom, (oy + y1) / self.zoom)
                for x0, y0, x1, y1 in self.ocr.boxes_for(start, end)]


def _letters(page: pymupdf.Page, own_boxes: tuple[float, ...] | None) -> list[tuple[pymupdf.Rect, int]]:
    """Letter-shaped filled paths, each with the number of letters it
    stands for: 1 for a letter, about one per letter height of width for a
    wider path as dense in segments as writing (a word or a whole line
    written as one path; a banner or a ribbon has a handful of segments)."""
    letters = []
    for drawing in page.get_cdrawings():
        if drawing.get("type") not in ("f", "fs"):
            continue
        items = drawing.get("items") or []
        if all(item[0] == "re" for item in items):
            continue  # boxes, rules, a table's shaded cells (a letter is drawn with lines and curves)
        if own_boxes is not None and plain_box(drawing, own_boxes):
            continue
        rect = pymupdf.Rect(drawing["rect"])
        if not MIN_GLYPH_PT <= rect.height <= GLYPH_HEIGHT_PT or rect.width < MIN_STROKE_PT:
            continue  # (a tick mark of a chart's axis has no width)
        widths = rect.width / rect.height  # about the letters a path of writing holds
        if widths <= 1.5:
            letters.append((rect, 1))
        elif len(items) >= SEGMENTS_PER_LETTER * widths:
            letters.append((rect, max(1, round(widths))))
    return letters


def outlined_regions(page: pymupdf.Page, own_boxes: tuple[float, ...] | None = None) -> list[pymupdf.Rect]:
    """Rows of letter-shaped filled paths on the page (page coordinates,
    padded), each of MIN_LETTERS letters or more. Bullets of a list stand
    one above the other, not in a row; table rules and shadings are
    rectangles; `own_boxes` is the colour of the redaction's own boxes."""
    # Lines first (letters whose heights overlap by half: a "g" hangs lower
    # than an "L" beside it), then rows within a line, split at wide gaps.
    lines: list[tuple[pymupdf.Rect, list[tuple[pymupdf.Rect, int]]]] = []
    for letter, weight in sorted(_letters(page, own_boxes), key=lambda item: (item[0].y0 + item[0].y1) / 2):
        for index, (band, members) in enumerate(lines):
            overlap = min(band.y1, letter.y1) - max(band.y0, letter.y0)
            if overlap >= 0.5 * min(band.height, letter.height):
                members.append((letter, weight))
                lines[index] = (band | letter, members)
                break
        else:
            lines.append((pymupdf.Rect(letter), [(letter, weight)]))
    rows: list[list[tuple[pymupdf.Rect, int]]] = []
    for _, members in lines:
        members.sort(key=lambda item: item[0].x0)
        height = sorted(r.height for r, _ in members)[len(members) // 2]
        row = [members[0]]
        for letter, weight in members[1:]:
            if letter.x0 - max(r.x1 for r, _ in row) > ROW_GAP_HEIGHTS * height:
                rows.append(row)
                row = []
            row.append((letter, weight))
        rows.append(row)
    regions = []
    for row in rows:
        if sum(weight for _, weight in row) < MIN_LETTERS:
            continue
        region = pymupdf.Rect(row[0][0])
        for letter, _ in row[1:]:
            region |= letter
        pad = PAD_HEIGHTS * max(letter.height for letter, _ in row)
        regions.append(pymupdf.Rect(region.x0 - pad, region.y0 - pad, region.x1 + pad, region.y1 + pad) & page.rect)
    regions = [r for r in regions if not r.is_empty]
    if len(regions) > MAX_ROWS:
        union = pymupdf.Rect(regions[0])
        for region in regions[1:]:
            union |= region
        regions = [union]
    return regions


def read_outlined(page: pymupdf.Page, own_boxes: tuple[float, ...] | None = None) -> list[OutlinedRow]:
    """Each row of outlined letters rendered alone (with whatever else is
    drawn there) and read by OCR. The page is read as it is stored (its
    /Rotate set aside while rendering), so that pixels map to the page
    coordinates the redaction uses. A row shown on every page (a
    letterhead) gives the same pixels each time and is read once (OCR is
    remembered by pixels)."""
    from .pictures import to_bgr  # pictures imports unreadable, which imports layout

    regions = outlined_regions(page, own_boxes)
    if not regions:
        return []
    rotation = page.rotation
    rows = []
    try:
        if rotation:
            page.set_rotation(0)
        for region in regions:
            zoom = min(RENDER_DPI / 72, (MAX_ROW_PIXELS / max(1.0, region.width * region.height)) ** 0.5)
            pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), clip=region, alpha=False)
            rows.append(OutlinedRow(region, read_words(to_bgr(pixmap)), (pixmap.x, pixmap.y), zoom))
    finally:
        if rotation:
            page.set_rotation(rotation)
    return rows


def redact_outlined(doc: pymupdf.Document, detector: TextDetector, seed: list[tuple[str, str]],
                    fill: tuple[float, ...], skip: set[int] = frozenset()) -> list[Finding]:
    """Read every page's rows of outlined letters, find personal data in
    them (with `seed`, the values found elsewhere in the document, so a name
    in the text layer is found in an outlined title too) and remove the
    paths under the words of each finding, a box drawn in their place. Done
    after the text redactions, whose boxes OCR then reads as boxes. `skip`:
    pages (1-based) that will be redacted as pictures whole (made of
    outlined letters: unreadable.py), where reading rows would be work
    thrown away."""
    rows = [(page, row) for page in doc if page.number + 1 not in skip for row in read_outlined(page, fill)]
    if not rows:
        return []
    texts = [row.ocr.text for _, row in rows]
    spans, _ = detect_units(detector, texts, seed=seed)
    # OCR reads letters into the texture of a drawing as it does in a photo:
    # a name of one or two letters only a model gave is noise (redact.py).
    spans = without_short_model_names(texts, spans, [value for value, _ in seed])
    findings: list[Finding] = []
    covered: dict[int, list[pymupdf.Rect]] = {}
    for (page, row), text, found in zip(rows, texts, spans):
        for span in found:
            rects = [_padded(rect) for rect in row.page_rects(span.start, span.end)]
            if not rects:
                continue
            for rect in rects:
                page.add_redact_annot(rect, fill=fill, cross_out=False)
            covered.setdefault(page.number, []).extend(rects)
            bbox = pymupdf.Rect(rects[0])
            for rect in rects[1:]:
                bbox |= rect
            findings.append(Finding.from_span(span, text, Location.PAGE, page.number + 1,
                                              tuple(round(v, 2) for v in bbox)))
    for number, rects in covered.items():
        page = doc[number]
        # Paths wholly under a word's box go (a letter, a word; MuPDF also
        # cuts the covered letters out of a path that holds a whole line); a
        # path that only reaches into the box (a banner behind a title)
        # stays...
        page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                              graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED,
                              text=pymupdf.PDF_REDACT_TEXT_REMOVE)
        # ...unless a letter-shaped path still crosses a box: a letter larger
        # than OCR's box of it, an underline drawn in the letters' path. Then
        # every path touching the box goes.
        left = [rect for rect in rects if any(rect.intersects(letter) for letter, _ in _letters(page, fill))]
        if left:
            for rect in left:
                page.add_redact_annot(rect, fill=fill, cross_out=False)
            page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                                  graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED,
                                  text=pymupdf.PDF_REDACT_TEXT_REMOVE)
    return findings


def outlined_texts(page: pymupdf.Page, own_boxes: tuple[float, ...]) -> list[str]:
    """What OCR reads in the page's rows of outlined letters, unsure short
    words left out (verification and the second look)."""
    return [confident_text(row.ocr) for row in read_outlined(page, own_boxes)]


def _padded(rect: pymupdf.Rect) -> pymupdf.Rect:
    """A word's box from OCR, widened so that its letters' paths lie wholly
    inside (OCR boxes hug the ink; a path's bounding box may not)."""
    pad = max(1.0, PAD_HEIGHTS * rect.height)
    return pymupdf.Rect(rect.x0 - pad, rect.y0 - pad, rect.x1 + pad, rect.y1 + pad)
