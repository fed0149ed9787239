"""Pages whose text the extractor cannot read, though a reader sees it:
fonts without a Unicode mapping (extraction gives shifted codes and control
characters), Type 3 fonts drawn from arbitrary glyph procedures, text drawn
as vector outlines. Detection never sees such text, so the page is treated
like a scan (rendered, OCRed, covered, written back as a picture).

Deciding costs one OCR of the page, so it is only asked where fonts or
drawings give reason to, and it compares what OCR reads with what the text
layer says: a Type 3 font that extracts correctly is left alone.
"""

from __future__ import annotations

import re

import pymupdf

from ...pixels.ocr import OcrText, read_words
from ...pixels.redact import confident_text
from .layout import EXTRACT_FLAGS, plain_box

# Share of characters in the extracted text that no real text has
# (control characters, replacement characters, private use).
GARBLED_SHARE = 0.05
# Small filled shapes on a page with little text: letters drawn as
# outlines (Ghostscript's -dNoOutputFonts writes one shape per word or
# glyph: 155 on a page of 35 words). Charts and logos have them too; the
# OCR comparison then decides.
OUTLINE_SHAPES = 20
GLYPH_HEIGHT_PT = 48
# Share of OCR words (3+ letters) missing from the text layer.
UNSEEN_SHARE = 0.3
RENDER_DPI = 200

_BAD_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd\ue000-\uf8ff]")
_WORD = re.compile(r"[^\W\d_]{3,}")


def _garbled(text: str) -> bool:
    visible = [c for c in text if not c.isspace()]
    return len(visible) >= 10 and len(_BAD_CHAR.findall(text)) / len(visible) >= GARBLED_SHARE


def _suspect_fonts(page: pymupdf.Page) -> bool:
    doc = page.parent
    for xref, _, kind, _, _, encoding, *_ in page.get_fonts(full=True):
        if kind == "Type3":
            return True
        if encoding.startswith("Identity") and xref and doc.xref_get_key(xref, "ToUnicode")[0] == "null":
            return True
    return False


def suspect(page: pymupdf.Page, text: str, own_boxes: tuple[float, ...] | None = None) -> bool:
    """Is there reason to think the page shows text its text layer lacks?
    `own_boxes`: on a redacted page, the colour of the redaction's own boxes,
    which are not letters drawn as outlines (a page with a few dozen of them
    and few words left was OCRed twice for nothing: 9 pages of a 200-page
    casework file, about 11 s each)."""
    if _garbled(text) or _suspect_fonts(page):
        return True
    if len(_WORD.findall(text)) >= 50:
        return False
    shapes = 0
    for drawing in page.get_cdrawings():
        if drawing.get("type") in ("f", "fs") and pymupdf.Rect(drawing["rect"]).height <= GLYPH_HEIGHT_PT:
            if own_boxes is not None and plain_box(drawing, own_boxes):
                continue
            shapes += 1
            if shapes >= OUTLINE_SHAPES:
                return True
    return False


def rendered_words(page: pymupdf.Page) -> OcrText:
    """OCR of the page as a viewer shows it."""
    from .pictures import to_bgr  # pictures imports this module

    zoom = RENDER_DPI / 72
    return read_words(to_bgr(page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)))


def rendered_text(page: pymupdf.Page) -> str:
    """What an outsider reads on the rendered page by OCR (unsure short
    words left out), for the second look."""
    return confident_text(rendered_words(page))


def suspect_pages(doc: pymupdf.Document) -> set[int]:
    """The pages (1-based) with reason to think they show text their text
    layer lacks, judged as they came in: once the redaction has drawn its
    boxes, a page with few words left looks like letters drawn as outlines
    (a 200-page casework file had 11 such pages, OCRed for ~10 s each, and
    one went to review for noise read around its boxes)."""
    return {page.number + 1 for page in doc
            if suspect(page, page.get_text("text", flags=EXTRACT_FLAGS, clip=pymupdf.INFINITE_RECT()))}


def unreadable_text(page: pymupdf.Page) -> bool:
    """Does OCR of a suspect page read words its text layer lacks?"""
    text = page.get_text("text", flags=EXTRACT_FLAGS, clip=pymupdf.INFINITE_RECT())
    ocr = rendered_words(page)
    seen = {w.casefold() for w in _WORD.findall(ocr.text)}
    if len(seen) < 5:
        return False
    layer = {w.casefold() for w in _WORD.findall(text)}
    return len(seen - layer) / len(seen) >= UNSEEN_SHARE
