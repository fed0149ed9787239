"""PDF redaction with PyMuPDF.

Text is removed from the content streams by redaction annotations applied with
apply_redactions (never a box drawn over text that can still be copied);
image pixels under a redaction are blanked; every hidden carrier is removed;
the file is written as a clean full rewrite, so no earlier revision survives.
"""

from __future__ import annotations

import pymupdf

from ...detect.document import detect_units
from ...errors import CorruptInput, EncryptedInput, TooLarge
from ...model import Finding, Location, RedactionResult
from ...replace import Replacer
from ..base import FormatHandler, RedactionContext
from .carriers import carrier_texts, expose_hidden_content, remove_document_carriers, remove_page_carriers
from .check import verify_pdf
from .covers import annotation_covers, beyond_the_page, hidden_on, remove_hidden
from .layout import EXTRACT_FLAGS, output_page_texts, page_text
from .outlines import outlined_texts, redact_outlined
from .unreadable import read_suspects, redact_unseen, rendered_text, suspect, suspect_pages
from .pictures import big_pictures, is_scan, redact_pictures

# MuPDF prints repair warnings for broken files on stderr; we report problems
# ourselves, per file, in the manifest.
pymupdf.TOOLS.mupdf_display_errors(False)


class PdfHandler(FormatHandler):
    name = "pdf"
    extensions = (".pdf",)

    def redact(self, data: bytes, ctx: RedactionContext) -> RedactionResult:
        doc = _open(data, ctx.config.limits.max_pages)
        with doc:
            try:
                return self._redact(doc, ctx)
            except (CorruptInput, EncryptedInput, TooLarge):
                raise
            except (RuntimeError, ValueError) as exc:  # MuPDF's errors on broken content
                raise CorruptInput(f"the PDF could not be processed: {exc}") from exc

    def verify(self, output: bytes, sensitive_values: set[str], inserted: set[str],
               ctx: RedactionContext) -> list[str]:
        limits = ctx.config.limits
        return verify_pdf(output, sensitive_values, inserted, ctx.config.images, limits.min_picture_px,
                          limits.max_picture_pixels, tuple(ctx.config.redaction.fill_color))

    def output_texts(self, output: bytes, ctx: RedactionContext) -> list[tuple[str, str]]:
        read_pictures = ctx.config.verification.read_pictures and ctx.config.images.ocr
        own_boxes = tuple(ctx.config.redaction.fill_color)  # the redaction's boxes are not outlined letters
        texts = []
        with pymupdf.open(stream=output, filetype="pdf") as doc:
            for page, text in zip(doc, output_page_texts(output, own_boxes)):
                texts.append((f"the text of page {page.number + 1}", text))
                if not read_pictures:
                    continue
                texts += [(f"the outlined letters of page {page.number + 1}", outlined)
                          for outlined in outlined_texts(page, own_boxes)]
                raw = page.get_text("text", flags=EXTRACT_FLAGS, clip=pymupdf.INFINITE_RECT())
                if big_pictures(page, ctx.config.limits.min_picture_px) or suspect(page, raw, own_boxes):
                    texts.append((f"the text read from page {page.number + 1} as rendered", rendered_text(page)))
        return texts

    def _redact(self, doc: pymupdf.Document, ctx: RedactionContext) -> RedactionResult:
        detector = ctx.detector
        findings: list[Finding] = []
        notes = expose_hidden_content(doc)
        covering_annotations = [annotation_covers(page) for page in doc]

        # 1. Hidden carriers: what they say counts as found, then they go.
        for location, page_no, text in carrier_texts(doc):
            for span in detector.detect(text):
                findings.append(Finding.from_span(span, text, location, page_no))
        for page in doc:
            remove_page_carriers(page)

        # 2. Text a box drawn over it hides (a hand-made redaction that left
        #    the text copyable, white-out, a redaction mark never applied), or
        #    written in the colour of what lies beneath it (covers.py):
        #    removed with step 3's boxes, its words hunted on every page like
        #    any value found. Text with visible text drawn over it is not
        #    hunted: its value must stay for verification to hold the file.
        hidden = [hidden_on(page, annotations) for page, annotations in zip(doc, covering_annotations)]
        hunted = []
        for page, on_page in zip(doc, hidden):
            for run in on_page.runs:
                findings.append(Finding("HIDDEN_UNDER_BOX", run.text, 1.0, "Cover", Location.PAGE, page.number + 1,
                                        tuple(round(v, 2) for v in run.rect)))
                if run.overlaid:
                    notes.append(f"page {page.number + 1}: text hidden under {run.cover.kind} has visible text drawn "
                                 "over the same place; it cannot be removed alone, so the file is held for review")
                else:
                    hunted.append((run.text, "HIDDEN_UNDER_BOX"))

        # 3. Visible text, page by page; every value found anywhere (pages,
        #    carriers, under boxes) is removed everywhere, names by their
        #    parts too.
        pages = [page_text(page) for page in doc]
        suspects = suspect_pages(doc)  # before the boxes are drawn (unreadable.py)
        page_spans, known = detect_units(
            detector, [layout.text for layout in pages],
            seed=[(f.value, f.entity_type) for f in findings if f.entity_type != "HIDDEN_UNDER_BOX"] + hunted,
        )

        replacer = Replacer(ctx.config.redaction, known)
        style = ctx.config.redaction
        inserted: set[str] = set()
        cropped: list[int] = []
        for page, layout, spans, on_page in zip(doc, pages, page_spans, hidden):
            remove_hidden(page, on_page)
            bands = beyond_the_page(page)  # what a crop took away (its values were found above)
            for band in bands:
                page.add_redact_annot(band, fill=False, cross_out=False)
            if bands:
                cropped.append(page.number + 1)
            for span in spans:
                rects = layout.rects_for(span.start, span.end)
                if not rects:
                    continue
                replacement = replacer.text_for(span.entity_type, layout.text[span.start:span.end])
                for index, rect in enumerate(rects):
                    label, fontsize = None, 11.0
                    if replacement and index == 0:
                        label, fontsize = _fitted_label(replacement, rect)
                    if label:
                        inserted.add(label)
                    page.add_redact_annot(
                        rect,
                        text=label,
                        fontsize=fontsize,
                        fill=style.fill_color,
                        text_color=style.label_color,
                        cross_out=False,
                    )
                bbox = pymupdf.Rect(rects[0])
                for rect in rects[1:]:
                    bbox |= rect
                findings.append(Finding.from_span(span, layout.text, Location.PAGE, page.number + 1, bbox))
            findings += _reviewer_boxes(page, ctx, style.fill_color)
            page.apply_redactions(
                images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED,
                text=pymupdf.PDF_REDACT_TEXT_REMOVE,
            )

        # 4. Letters drawn as outlines among the text (a WordArt title, a
        #    letterhead): read by OCR, searched with every value found so far.
        #    Pages made of such letters (OCR reads what their text layer
        #    lacks: unreadable.py) are redacted as pictures whole in step 5.
        #    Other suspect pages keep their layer; what OCR reads there and
        #    the layer lacks (a name in a font without a Unicode map) goes.
        unreadable: set[int] = set()
        if ctx.config.images.ocr:
            limits = ctx.config.limits
            unreadable, readings = read_suspects(doc, {n for n in suspects if not is_scan(
                doc[n - 1], big_pictures(doc[n - 1], limits.min_picture_px), ctx.config.images)})
            findings += redact_unseen(doc, readings, detector, [(f.value, f.entity_type) for f in findings],
                                      tuple(style.fill_color))
            findings += redact_outlined(doc, detector, [(f.value, f.entity_type) for f in findings],
                                        tuple(style.fill_color), skip=unreadable)

        # 5. Pictures and scanned pages, after the text redactions (a scan is
        #    rendered with its boxes already on it).
        picture_findings, unchecked = redact_pictures(doc, detector, ctx.config.images, ctx.config.limits.min_picture_px,
                                                      ctx.config.limits.max_picture_pixels,
                                                      seed=[(f.value, f.entity_type) for f in findings],
                                                      unreadable=unreadable)
        findings += picture_findings

        if cropped:
            notes.append(f"content beyond the visible page (cropped away or placed off it) removed on "
                         f"{_pages(cropped)}")
        findings = _hidden_once(findings)
        remove_document_carriers(doc)
        output = doc.tobytes(garbage=4, deflate=True, clean=True, expand=0)
        if unchecked:
            notes.append(f"{unchecked} picture(s) could not be decoded to be checked for faces or text")
        return RedactionResult(output=output, findings=findings, pages=doc.page_count, inserted=inserted,
                               notes=notes, unchecked_pictures=unchecked)


def _pages(numbers: list[int]) -> str:
    """"page 3", "pages 1-4, 7": runs of consecutive pages joined."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    text = ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
    return ("pages " if len(numbers) > 1 else "page ") + text


def _hidden_once(findings: list[Finding]) -> list[Finding]:
    """A value found under a box (step 2) is found again where it lies in
    the page's text (step 3): one finding per value and page."""
    kept, seen = [], set()
    for finding in findings:
        key = (finding.value, finding.page)
        if finding.entity_type == "HIDDEN_UNDER_BOX":
            if key in seen:
                continue
            seen.add(key)
        kept.append(finding)
    return kept


def _reviewer_boxes(page: pymupdf.Page, ctx: RedactionContext, fill) -> list[Finding]:
    """Areas a reviewer drew on this page (in the page as displayed): their
    text and pictures go like any other redaction's. The words wholly inside
    are the finding's value, so verification proves them gone."""
    found = []
    for region in ctx.regions_on(page.number + 1):
        rect = pymupdf.Rect(region.bbox) * page.derotation_matrix
        words = [w[4] for w in page.get_text("words") if pymupdf.Rect(w[:4]) in rect]
        page.add_redact_annot(rect, fill=fill, cross_out=False)
        found.append(Finding("REVIEWER_BOX", " ".join(words), 1.0, "Reviewer", "page", page.number + 1,
                             tuple(round(v, 2) for v in rect)))
    return found


def _fitted_label(label: str, rect: pymupdf.Rect) -> tuple[str | None, float]:
    """The label and a font size at which it fits the box on one line; no
    label when the box is too small to hold it legibly."""
    fontsize = min(11.0, rect.height * 0.75)
    width = pymupdf.get_text_length(label, fontname="helv", fontsize=fontsize)
    if width > rect.width - 1:
        fontsize *= (rect.width - 1) / width
    if fontsize < 4.0:
        return None, 11.0
    return label, fontsize


def _open(data: bytes, max_pages: int) -> pymupdf.Document:
    if b"%PDF" not in data[:1024]:
        raise CorruptInput("not a PDF file (no %PDF header)")
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:
        raise CorruptInput(f"the PDF is damaged and cannot be opened: {exc}") from exc
    if doc.needs_pass:
        doc.close()
        raise EncryptedInput("the PDF is password-protected; remove the password and drop it again")
    if doc.page_count == 0:
        doc.close()
        raise CorruptInput("the PDF has no readable pages")
    if doc.page_count > max_pages:
        count = doc.page_count
        doc.close()
        raise TooLarge(f"the PDF has {count} pages, more than the limit of {max_pages}")
    return doc
