"""Pages whose text the extractor cannot read, though a reader sees it:
fonts without a Unicode mapping (extraction gives shifted codes and control
characters), Type 3 fonts drawn from arbitrary glyph procedures, text drawn
as vector outlines. Detection never sees such text, so the page is treated
like a scan (rendered, OCRed, covered, written back as a picture).

Deciding costs one OCR of the page, so it is only asked where fonts or
drawings give reason to, and it compares what OCR reads with what the text
layer says: a Type 3 font that extracts correctly is left alone. A page
whose layer lacks only a few of the words OCR reads (a name in such a font
among ordinary text) keeps its layer, and personal data in those words is
removed where OCR found it (redact_unseen).
"""

from __future__ import annotations

import re

import pymupdf

from ...detect.base import TextDetector
from ...detect.document import detect_units
from ...model import Finding, Location
from ...pixels.ocr import OcrText, read_words
from ...pixels.redact import confident_text, without_short_model_names
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
    return {page.number + 1 for page in doc if suspect(page, _layer(page))}


def unreadable_text(page: pymupdf.Page, ocr: OcrText | None = None) -> bool:
    """Does OCR of a suspect page read words its text layer lacks (a share
    of UNSEEN_SHARE or more)? `ocr`: the page already read."""
    ocr = ocr if ocr is not None else rendered_words(page)
    seen = {w.casefold() for w in _WORD.findall(ocr.text)}
    if len(seen) < 5:
        return False
    return len(unseen_words(ocr, _layer(page))) / len(seen) >= UNSEEN_SHARE


def unseen_words(ocr: OcrText, layer_text: str) -> set[str]:
    """Words (three letters or more, case-folded) that OCR reads on the page
    and its text layer lacks."""
    return {w.casefold() for w in _WORD.findall(ocr.text)} - {w.casefold() for w in _WORD.findall(layer_text)}


def read_suspects(doc: pymupdf.Document, numbers: set[int]) -> tuple[set[int], dict[int, OcrText]]:
    """Suspect pages (1-based) read by OCR once: those whose text the layer
    mostly lacks (redacted as pictures whole), and the reading of each
    other one (a few words the layer lacks among many it has: redact_unseen)."""
    unreadable, readable = set(), {}
    for number in sorted(numbers):
        page = doc[number - 1]
        ocr = rendered_words(page)
        if unreadable_text(page, ocr):
            unreadable.add(number)
        else:
            readable[number] = ocr
    return unreadable, readable


def redact_unseen(doc: pymupdf.Document, readings: dict[int, OcrText], detector: TextDetector,
                  seed: list[tuple[str, str]], fill: tuple[float, ...]) -> list[Finding]:
    """On pages that keep their text layer though some of their words do not
    extract (a name in a Type 3 font without a Unicode map, or in a font
    whose map was stripped, among ordinary text), personal data that OCR
    reads in those words is removed from the page. A finding counts only
    when one of its words is one the layer lacks: the rest of the page was
    judged in its text layer. `readings`: page number -> OCR of the page as
    rendered after the text redactions (read_suspects)."""
    unseen_by_page = {n: unseen_words(readings[n], _layer(doc[n - 1])) for n in sorted(readings)}
    numbers = [n for n, unseen in unseen_by_page.items() if unseen]
    if not numbers:
        return []
    texts = [readings[n].text for n in numbers]
    spans, _ = detect_units(detector, texts, seed=seed)
    spans = without_short_model_names(texts, spans, [value for value, _ in seed])
    zoom = RENDER_DPI / 72
    findings: list[Finding] = []
    for number, text, found in zip(numbers, texts, spans):
        page, ocr, unseen = doc[number - 1], readings[number], unseen_by_page[number]
        marked = False
        for span in found:
            if not any(w.casefold() in unseen for w in _WORD.findall(text[span.start:span.end])):
                continue
            rects = []
            for x0, y0, x1, y1 in ocr.boxes_for(span.start, span.end):
                pad = max(1.0, 0.2 * (y1 - y0) / zoom)
                shown = pymupdf.Rect(x0 / zoom - pad, y0 / zoom - pad, x1 / zoom + pad, y1 / zoom + pad)
                rects.append(shown * page.derotation_matrix)  # the rendering shows the page turned
            for rect in rects:
                page.add_redact_annot(rect, fill=fill, cross_out=False)
                marked = True
            if rects:
                bbox = pymupdf.Rect(rects[0])
                for rect in rects[1:]:
                    bbox |= rect
                findings.append(Finding.from_span(span, text, Location.PAGE, number,
                                                  tuple(round(v, 2) for v in bbox)))
        if marked:
            page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                                  graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED,
                                  text=pymupdf.PDF_REDACT_TEXT_REMOVE)
    return findings


def _layer(page: pymupdf.Page) -> str:
    """The page's text layer as extracted, text outside the page box too."""
    return page.get_text("text", flags=EXTRACT_FLAGS, clip=pymupdf.INFINITE_RECT())
