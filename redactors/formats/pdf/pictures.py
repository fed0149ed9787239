"""Pictures in a PDF through the image pipeline.

- Every picture is decoded and written back fresh: a JPEG inside a PDF keeps
  its EXIF (GPS position, camera serial, owner) otherwise. A picture big
  enough to show a face or text (a photo in a report) first has its faces
  and the words of findings covered.
- A page that is mostly picture (a scan, or a scan with an OCR text layer)
  is rendered after its text redactions, redacted as pixels, and written
  back as a picture only: no hidden text layer keeps the original words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import pymupdf

from ...config import ImageSettings
from ...detect.base import TextDetector
from ...detect.document import detect_units
from ...pixels.ocr import read_words
from ...pixels.redact import Read, pixel_problems, redact_pixels, without_short_model_names
from ...model import Finding, Location


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
    """Is the page redacted as one picture? A scan (pictures cover most of
    it, or inline images), or a picture stored as strips."""
    return bool(pictures) and (picture_share(page, pictures) >= policy.scan_page_share
                               or any(info.get("xref", 0) == 0 for info in pictures)
                               or stored_in_strips(page.get_image_info()))


def stored_in_strips(pictures: list[dict]) -> bool:
    """Two or more pictures that touch edge to edge along a common side: one
    picture stored as strips (screenshots, some scanners). Each strip read
    alone cuts words in half ("Siti Rah" / "mawati"); the page is read as
    one picture instead."""
    boxes = [pymupdf.Rect(info["bbox"]) for info in pictures if not pymupdf.Rect(info["bbox"]).is_empty]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            width = min(a.x1, b.x1) - max(a.x0, b.x0)
            height = min(a.y1, b.y1) - max(a.y0, b.y0)
            stacked = abs(a.y1 - b.y0) <= 1.5 or abs(b.y1 - a.y0) <= 1.5
            side_by_side = abs(a.x1 - b.x0) <= 1.5 or abs(b.x1 - a.x0) <= 1.5
            if stacked and width >= 0.9 * max(a.width, b.width):
                return True
            if side_by_side and height >= 0.9 * max(a.height, b.height):
                return True
    return False


def to_bgr(pix: pymupdf.Pixmap) -> np.ndarray:
    if pix.colorspace is None:
        # A stencil (1-bit image mask): its samples say where the fill colour
        # is painted. Seen as dark on white, it is read like any picture (a
        # signature or a name can be drawn this way).
        if pix.n != 1:
            raise ValueError("an image without a colour space")
        painted = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width)
        grey = np.ascontiguousarray(255 - painted)
        return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    if pix.alpha:
        pix = pymupdf.Pixmap(pix, 0)  # drop alpha
    if pix.colorspace.n != 3:  # grey, CMYK, indexed
        pix = pymupdf.Pixmap(pymupdf.csRGB, pix)
    rgb = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def png(bgr: np.ndarray) -> bytes:
    return cv2.imencode(".png", bgr)[1].tobytes()


def _encoded_like(doc: pymupdf.Document, xref: int, bgr: np.ndarray) -> bytes:
    """A JPEG stays a JPEG (a photo as PNG would balloon), anything else PNG."""
    if "DCTDecode" in doc.xref_get_key(xref, "Filter")[1]:
        return cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
    return png(bgr)


# Markers of metadata inside an image stream: EXIF, XMP, Photoshop/IPTC.
METADATA_MARKERS = (b"Exif\x00\x00", b"http://ns.adobe.com/xap/1.0/", b"Photoshop 3.0\x00")


def _zoom_within(page: pymupdf.Page, zoom: float, max_pixels: int) -> float:
    """The rendering zoom, lowered so that a huge page stays within the
    picture limit (memory)."""
    pixels = page.rect.width * zoom * page.rect.height * zoom
    return zoom if pixels <= max_pixels else zoom * (max_pixels / pixels) ** 0.5


def redact_pictures(doc: pymupdf.Document, detector: TextDetector, policy: ImageSettings,
                    min_px: int, max_pixels: int, seed: list[tuple[str, str]] | None = None,
                    unreadable: set[int] = frozenset()) -> tuple[list[Finding], int]:
    """Findings in pictures, and how many pictures could not be checked.

    Two passes, so that consistency is document-wide as for text: every
    scanned page and picture is read first (OCR, kept as words and boxes,
    not as pixels), values found anywhere (in the text layer too: `seed`)
    are searched in all of them, then each is redacted. A place named on
    page 2 of a scan is covered on page 1 as well. `unreadable`: the pages
    that show text their text layer lacks (unreadable.py: suspects judged
    before the text redactions, confirmed by OCR after them), redacted as
    pictures whole, like scans."""
    plan = _plan(doc, policy, min_px, max_pixels, unreadable)
    reads: dict[tuple, list[Read]] = {}
    if policy.ocr:
        keys, ocrs = [], []
        for key, bgr in _pixels(doc, plan, policy, max_pixels):
            keys.append(key)
            ocrs.append(read_words(bgr))
        texts = [ocr.text for ocr in ocrs]
        spans, _ = detect_units(detector, texts, seed=seed or [])
        spans = without_short_model_names(texts, spans, [value for value, _ in seed or []])
        reads = {key: [(ocr, found)] for key, ocr, found in zip(keys, ocrs, spans)}
    findings: list[Finding] = []
    unchecked = plan.unchecked
    for page in doc:
        number = page.number + 1
        if number in plan.scans:
            zoom = _zoom_within(page, policy.scan_dpi / 72, max_pixels)
            bgr = to_bgr(page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False))
            redacted, found, _ = redact_pixels(bgr, detector, policy, read=reads.get(("page", number), []))
            findings += [_on_page(f, number, 1 / zoom) for f in found]
            _replace_with_picture(page, png(redacted))
            continue
        for xref in plan.pictures.get(number, []):
            try:
                bgr = to_bgr(pymupdf.Pixmap(doc, xref))
            except Exception:  # an image MuPDF cannot decode: a person must look
                unchecked += 1
                continue
            found = []
            if xref in plan.big:
                bgr, found, _ = redact_pixels(bgr, detector, policy, read=reads.get(("xref", xref), []))
                findings += [_on_page(f, number, None) for f in found]
            if _is_stencil(doc, xref):
                # A stencil holds no metadata; it is rewritten only when
                # something on it was covered.
                if found:
                    _replace_stencil(doc, xref, bgr)
                continue
            page.replace_image(xref, stream=_encoded_like(doc, xref, bgr))
    return findings, unchecked


@dataclass
class _Plan:
    scans: set[int] = field(default_factory=set)  # page numbers redacted as one picture
    pictures: dict[int, list[int]] = field(default_factory=dict)  # page -> picture xrefs first shown there
    big: set[int] = field(default_factory=set)  # xrefs big enough for faces and text
    unchecked: int = 0


def _plan(doc: pymupdf.Document, policy: ImageSettings, min_px: int, max_pixels: int, unreadable: set[int]) -> _Plan:
    plan = _Plan()
    done: set[int] = set()
    for page in doc:
        number = page.number + 1
        pictures = big_pictures(page, min_px)
        if is_scan(page, pictures, policy) or (policy.ocr and number in unreadable):
            plan.scans.add(number)
            continue
        plan.big |= {info.get("xref", 0) for info in pictures}
        for info in page.get_image_info(xrefs=True):
            xref = info.get("xref", 0)
            if xref == 0 or xref in done:
                continue
            done.add(xref)
            if info.get("width", 0) * info.get("height", 0) > max_pixels:
                plan.unchecked += 1  # too big to decode within the memory bound: a person must look
                continue
            plan.pictures.setdefault(number, []).append(xref)
    return plan


def _pixels(doc: pymupdf.Document, plan: _Plan, policy: ImageSettings, max_pixels: int):
    """(key, pixels) of every scanned page and big picture, one at a time."""
    for page in doc:
        number = page.number + 1
        if number in plan.scans:
            zoom = _zoom_within(page, policy.scan_dpi / 72, max_pixels)
            yield ("page", number), to_bgr(page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False))
            continue
        for xref in plan.pictures.get(number, []):
            if xref in plan.big:
                try:
                    yield ("xref", xref), to_bgr(pymupdf.Pixmap(doc, xref))
                except Exception:
                    continue


def _is_stencil(doc: pymupdf.Document, xref: int) -> bool:
    return doc.xref_get_key(xref, "ImageMask")[1] == "true"


def _replace_stencil(doc: pymupdf.Document, xref: int, bgr: np.ndarray) -> None:
    """The stencil's samples rewritten from the redacted picture: a covered
    area is painted solid (dark pixels are painted, as read in to_bgr)."""
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    paint = grey < 128
    # ImageMask samples: 0 paints (with the default /Decode [0 1]).
    decode = doc.xref_get_key(xref, "Decode")[1].replace(" ", "")
    bits = paint if decode == "[10]" else ~paint
    height, width = grey.shape
    for key, value in (("Width", str(width)), ("Height", str(height)), ("BitsPerComponent", "1"),
                       ("DecodeParms", "null"), ("Filter", "null")):
        doc.xref_set_key(xref, key, value)
    doc.update_stream(xref, np.packbits(bits.astype(np.uint8), axis=1).tobytes())  # sets its own /Filter


def _replace_with_picture(page: pymupdf.Page, picture: bytes) -> None:
    """Everything on the page removed, and the page made of `picture`, which
    was rendered as the page is shown: a page turned by /Rotate is written
    back upright with rotation 0 and the shown size (inserting an upright
    picture into a turned page would turn it again and cut it off)."""
    shown = page.rect  # width and height as shown, rotation applied
    page.set_rotation(0)
    page.add_redact_annot(page.rect)
    page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_REMOVE,
                          graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED,
                          text=pymupdf.PDF_REDACT_TEXT_REMOVE)
    page.set_mediabox(pymupdf.Rect(0, 0, shown.width, shown.height))
    page.insert_image(page.rect, stream=picture)


def _on_page(finding: Finding, page: int, scale: float | None) -> Finding:
    bbox = finding.bbox
    if bbox is not None and scale is not None:
        bbox = tuple(v * scale for v in bbox)
    return finding.moved(Location.IMAGE, page, bbox)


def picture_problems(doc: pymupdf.Document, values: set[str], inserted: set[str], policy: ImageSettings,
                     min_px: int, max_pixels: int) -> list[str]:
    """Metadata, faces and readable redacted values left in the output's
    pictures. A picture over the pixel limit is not decoded here either: the
    redaction counted it as unchecked, and the policy decides."""
    problems = []
    seen: set[int] = set()
    for page in doc:
        for info in page.get_image_info(xrefs=True):
            xref = info.get("xref", 0)
            if xref in seen or xref == 0:
                continue
            seen.add(xref)
            raw = doc.xref_stream_raw(xref) or b""
            if any(marker in raw for marker in METADATA_MARKERS):
                problems.append(f"a picture on page {page.number + 1} still carries EXIF, XMP or IPTC metadata")
            if max(info.get("width", 0), info.get("height", 0)) < min_px:
                continue
            if info.get("width", 0) * info.get("height", 0) > max_pixels:
                continue
            try:
                bgr = to_bgr(pymupdf.Pixmap(doc, xref))
            except Exception:
                problems.append(f"a picture on page {page.number + 1} cannot be decoded to be checked")
                continue
            problems += pixel_problems(bgr, values, inserted, policy, f"a picture on page {page.number + 1}")
    return problems
