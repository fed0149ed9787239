"""Pictures in a PDF through the image pipeline.

- A picture on a text page (a photo in a report) is decoded, its faces and
  the words of findings are covered, and it is replaced in place.
- A page that is mostly picture (a scan, or a scan with an OCR text layer)
  is rendered after its text redactions, redacted as pixels, and written
  back as a picture only: no hidden text layer keeps the original words.
"""

from __future__ import annotations

import cv2
import numpy as np
import pymupdf

from ...config import ImageSettings
from ...detect.base import TextDetector
from ...images.pipeline import pixel_problems, redact_pixels
from ...model import Finding


def big_pictures(page: pymupdf.Page, min_px: int) -> list[dict]:
    return [i for i in page.get_image_info(xrefs=True) if max(i.get("width", 0), i.get("height", 0)) >= min_px]


def picture_share(page: pymupdf.Page, pictures: list[dict]) -> float:
    """Share of the page covered by pictures (overlaps counted once, on a grid)."""
    rect = page.rect
    grid = np.zeros((100, 100), bool)
    for info in pictures:
        box = pymupdf.Rect(info["bbox"]) & rect
        if box.is_empty:
            continue
        x0, x1 = int(100 * (box.x0 - rect.x0) / rect.width), int(np.ceil(100 * (box.x1 - rect.x0) / rect.width))
        y0, y1 = int(100 * (box.y0 - rect.y0) / rect.height), int(np.ceil(100 * (box.y1 - rect.y0) / rect.height))
        grid[y0:y1, x0:x1] = True
    return float(grid.mean())


def is_scan(page: pymupdf.Page, pictures: list[dict], policy: ImageSettings) -> bool:
    return bool(pictures) and (picture_share(page, pictures) >= policy.scan_page_share
                               or any(info.get("xref", 0) == 0 for info in pictures))


def to_bgr(pix: pymupdf.Pixmap) -> np.ndarray:
    if pix.colorspace is None or pix.colorspace.n != 3 or pix.alpha:
        pix = pymupdf.Pixmap(pymupdf.csRGB, pix, 0) if pix.colorspace else pymupdf.Pixmap(pymupdf.csRGB, pymupdf.Pixmap(pix, 0))
    rgb = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def png(bgr: np.ndarray) -> bytes:
    return cv2.imencode(".png", bgr)[1].tobytes()


def redact_pictures(doc: pymupdf.Document, detector: TextDetector, policy: ImageSettings,
                    min_px: int) -> tuple[list[Finding], int]:
    """Findings in pictures, and how many pictures could not be checked."""
    findings: list[Finding] = []
    unchecked = 0
    done: set[int] = set()
    for page in doc:
        pictures = big_pictures(page, min_px)
        if not pictures:
            continue
        number = page.number + 1
        if is_scan(page, pictures, policy):
            zoom = policy.scan_dpi / 72
            bgr = to_bgr(page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False))
            redacted, found, _ = redact_pixels(bgr, detector, policy)
            findings += [_on_page(f, number, 1 / zoom) for f in found]
            rect = page.rect
            page.add_redact_annot(rect)
            page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_REMOVE,
                                  graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED,
                                  text=pymupdf.PDF_REDACT_TEXT_REMOVE)
            page.insert_image(rect, stream=png(redacted))
            continue
        for info in pictures:
            xref = info.get("xref", 0)
            if xref in done:
                continue
            done.add(xref)
            try:
                bgr = to_bgr(pymupdf.Pixmap(doc, xref))
            except Exception:  # an image MuPDF cannot decode: a person must look
                unchecked += 1
                continue
            redacted, found, _ = redact_pixels(bgr, detector, policy)
            if found:
                page.replace_image(xref, stream=png(redacted))
                findings += [_on_page(f, number, None) for f in found]
    return findings, unchecked


def _on_page(finding: Finding, page: int, scale: float | None) -> Finding:
    bbox = finding.bbox
    if bbox is not None and scale is not None:
        bbox = tuple(round(v * scale, 2) for v in bbox)
    return Finding(finding.entity_type, finding.value, finding.score, finding.recognizer, "image", page, bbox)


def picture_problems(doc: pymupdf.Document, values: set[str], inserted: set[str], policy: ImageSettings,
                     min_px: int) -> list[str]:
    """Faces and readable redacted values left in the output's pictures."""
    problems = []
    seen: set[int] = set()
    for page in doc:
        for info in big_pictures(page, min_px):
            xref = info.get("xref", 0)
            if xref in seen or xref == 0:
                continue
            seen.add(xref)
            try:
                bgr = to_bgr(pymupdf.Pixmap(doc, xref))
            except Exception:
                problems.append(f"a picture on page {page.number + 1} cannot be decoded to be checked")
                continue
            problems += pixel_problems(bgr, values, inserted, policy, f"a picture on page {page.number + 1}")
    return problems
