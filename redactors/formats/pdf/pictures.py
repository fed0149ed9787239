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
                bgr = _shown_pixels(doc, xref, plan)
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
    # xref -> (page number, image info) of every placement outside scans
    placements: dict[int, list[tuple[int, dict]]] = field(default_factory=dict)
    hidden_parts: dict[int, np.ndarray | None] = field(default_factory=dict)  # _hidden_parts, once per xref


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
            if xref:
                plan.placements.setdefault(xref, []).append((number, info))
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
                    yield ("xref", xref), _shown_pixels(doc, xref, plan)
                except Exception:
                    continue


def _shown_pixels(doc: pymupdf.Document, xref: int, plan: _Plan) -> np.ndarray:
    """The picture's pixels, with what none of its placements shows made
    white (unless it is a stencil, whose samples are rewritten only when
    something on it is covered)."""
    bgr = to_bgr(pymupdf.Pixmap(doc, xref))
    if _is_stencil(doc, xref):
        return bgr
    if xref not in plan.hidden_parts:
        plan.hidden_parts[xref] = _hidden_parts(doc, plan.placements.get(xref, []), bgr.shape[1], bgr.shape[0])
    hidden = plan.hidden_parts[xref]
    if hidden is not None:
        bgr = bgr.copy()
        bgr[hidden] = 255
    return bgr


# A picture cropped in Word or LibreOffice is exported whole, with a clip
# path around the part shown: the rest is in the file, one pdfimages away.
# What no placement shows is made white before the picture is checked and
# written back. Measured by rendering the page with the picture painted
# magenta, where a clip or the page's edge may cut it (a box drawn over a
# picture is covers.py's: it blanks the pixels under it). The shown part is
# widened by this many points, so that thin things drawn over the picture
# (letters of a caption that redaction may remove) leave no holes in it.
SHOWN_MARGIN_PT = 3
# The rendering's size bound (a 200-inch page at 1 px per point is 200 MP).
MASK_PIXELS = 16_000_000
_MAGENTA = (255, 0, 255)


def _hidden_parts(doc: pymupdf.Document, placements: list[tuple[int, dict]], width: int,
                  height: int) -> np.ndarray | None:
    """A mask of the picture's pixels that no placement shows, or None when
    one shows it whole or a placement cannot be measured (turned or flipped
    pictures, turned pages: left as they are)."""
    shown = np.zeros((height, width), bool)
    for number, info in placements:
        page = doc[number - 1]
        a, b, c, d, e, f = info.get("transform", (0, 0, 0, 0, 0, 0))
        if b or c or a <= 0 or d <= 0 or page.rotation:
            return None
        bbox = pymupdf.Rect(info["bbox"])
        if not _maybe_cut(page, bbox):
            return None
        zoom = _zoom_within(page, 1.0, MASK_PIXELS)  # a poster's page rendered within bounds
        mask = _painted_magenta(doc, number, info, zoom)
        if mask is None:
            return None
        columns = np.floor(zoom * (e + a * (np.arange(width) + 0.5) / width)).astype(int)
        rows = np.floor(zoom * (f + d * (np.arange(height) + 0.5) / height)).astype(int)
        inside_x = (columns >= 0) & (columns < mask.shape[1])
        inside_y = (rows >= 0) & (rows < mask.shape[0])
        seen = np.zeros((height, width), bool)
        seen[np.ix_(inside_y, inside_x)] = mask[np.ix_(rows[inside_y], columns[inside_x])]
        shown |= seen
    return ~shown if not shown.all() else None


def _maybe_cut(page: pymupdf.Page, bbox: pymupdf.Rect) -> bool:
    """Could anything cut the placement: does it cross the page's edge, or
    does a clip path cut into it? (Most pictures: no, and nothing is
    rendered.)"""
    if not pymupdf.Rect(page.rect).contains(bbox + (1, 1, -1, -1)):
        return True
    for item in page.get_drawings(extended=True):
        if item.get("type") != "clip":
            continue
        scissor = pymupdf.Rect(item["scissor"])
        if scissor.intersects(bbox) and not (scissor + (-1, -1, 1, 1)).contains(bbox):
            return True
    return False


def _painted_magenta(doc: pymupdf.Document, number: int, info: dict, zoom: float) -> np.ndarray | None:
    """Where the placement's picture shows on its page, at `zoom` px per
    point: the page copied alone, the picture replaced by magenta, rendered."""
    alone = pymupdf.open()
    try:
        alone.insert_pdf(doc, from_page=number - 1, to_page=number - 1)
        page = alone[0]
        digest = _digest(doc[number - 1], info)
        twin = next((i["xref"] for i in page.get_image_info(xrefs=True, hashes=True)
                     if i.get("digest") == digest and i.get("xref")), 0)
        if not twin:
            return None
        magenta = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 8, 8), False)
        magenta.set_rect(magenta.irect, _MAGENTA)
        page.replace_image(twin, pixmap=magenta)
        pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
        rgb = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, :3]
        painted = (rgb[:, :, 0] > 200) & (rgb[:, :, 1] < 60) & (rgb[:, :, 2] > 200)
        margin = max(1, round(SHOWN_MARGIN_PT * zoom))
        kernel = np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)
        return cv2.dilate(painted.astype(np.uint8), kernel) > 0
    except Exception:  # a page MuPDF cannot copy or render alone: left as it is
        return None
    finally:
        alone.close()


def _digest(page: pymupdf.Page, info: dict) -> bytes | None:
    for other in page.get_image_info(xrefs=True, hashes=True):
        if other.get("xref") == info.get("xref"):
            return other.get("digest")
    return None


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
