"""Faces and text in one picture's pixels, redacted and checked, as plain
functions, so that photos, PDF pages and pictures in Word files share them."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import cv2
import numpy as np

from ..config import ImageSettings
from ..detect.base import TextDetector
from ..detect.document import detect_units
from ..model import Finding, Location, TextSpan
from .anonymise import MIN_MARGIN_PX, face_mask, fill, pixelate
from .faces import CenterFace, EarlierReading, FaceBox, FaceReading
from .idcard import IDENTIFYING_FIELDS, card_fields
from .memo import PixelMemo
from .ocr import OcrText, read_words

_FACES: dict[float, CenterFace] = {}


def face_detector(threshold: float) -> CenterFace:
    """One per threshold per process: it keeps a Net per input size."""
    if threshold not in _FACES:
        _FACES[threshold] = CenterFace(threshold=threshold)
    return _FACES[threshold]


def redact_pixels(bgr: np.ndarray, detector: TextDetector, policy: ImageSettings,
                  ocr_views: tuple[np.ndarray, ...] = (),
                  read: list[Read] | None = None) -> tuple[np.ndarray, list[Finding], str]:
    """(redacted image, findings, recognised text). Faces are covered first;
    text is read from the original (a face fill must not hide a name tag from
    OCR), then every word of a finding is filled. `ocr_views` are other
    renderings of the same pixels to read text from too (a transparent
    picture flattened onto black as well as onto white). `read` is the text
    already read from these pixels with its spans (see read_text)."""
    mask, findings, text = pixel_mask(bgr, detector, policy, ocr_views, read)
    out = pixelate(bgr, mask) if policy.face_style == "pixelate" else fill(bgr, mask)
    return out, findings, text


def redact_transparent(bgr: np.ndarray, alpha: np.ndarray, detector: TextDetector,
                       policy: ImageSettings) -> tuple[np.ndarray, np.ndarray, list[Finding]]:
    """A picture with transparency: read flattened onto white (faces, text)
    and onto black (text whose shape is only in the alpha channel); covers
    are made opaque, and colour hidden under full transparency is removed.
    Returns (bgr, alpha, findings)."""
    on_white, on_black = flattened(bgr, alpha)
    mask, findings, _ = pixel_mask(on_white, detector, policy, ocr_views=(on_black,))
    out = pixelate(on_white, mask) if policy.face_style == "pixelate" else fill(bgr, mask)
    alpha = alpha.copy()
    alpha[mask.astype(bool)] = 255  # a cover must be seen, whatever the transparency was
    out[alpha == 0] = 0
    return out, alpha, findings


def flattened(bgr: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The picture composed onto white and onto black: text whose shape is
    only in the alpha channel shows on one of them."""
    a = alpha.astype(np.float32)[:, :, None] / 255.0
    colour = bgr.astype(np.float32)
    on_white = np.clip(colour * a + 255.0 * (1 - a) + 0.5, 0, 255).astype(np.uint8)
    on_black = np.clip(colour * a + 0.5, 0, 255).astype(np.uint8)
    return on_white, on_black


A = TypeVar("A")
B = TypeVar("B")
_SIDE: ThreadPoolExecutor | None = None
_SIDE_THREAD = "tabir-side"


def side_by_side(here: Callable[[], A], beside: Callable[[], B]) -> tuple[A, B]:
    """here() and beside() at once when this process may use two cores or
    more (OpenCV's thread count: worker processes are held to one), one
    after the other otherwise. The face model (ONNX Runtime) and OCR (a
    Tesseract process) both leave the interpreter free while they work, so
    a photo's faces and text are read at the same time. Both finish before
    this returns; an error in either is raised."""
    global _SIDE
    if cv2.getNumThreads() < 2 or threading.current_thread().name.startswith(_SIDE_THREAD):
        return here(), beside()  # (from the side thread itself, waiting on it would never end)
    if _SIDE is None:
        _SIDE = ThreadPoolExecutor(max_workers=1, thread_name_prefix=_SIDE_THREAD)
    future = _SIDE.submit(beside)
    try:
        first = here()
    finally:
        second = future.result()  # waited for even when here() failed: nothing keeps running behind
    return first, second


# Text read from a picture, and the spans of personal data in it.
Read = tuple[OcrText, list[TextSpan]]


def read_text(views: tuple[np.ndarray, ...], detector: TextDetector) -> list[Read]:
    """OCR of each view, with the spans the detector finds in it."""
    ocrs = [read_words(view) for view in views]
    texts = [ocr.text for ocr in ocrs]
    spans, _ = detect_units(detector, texts)
    return list(zip(ocrs, without_short_model_names(texts, spans)))


# Rules that may find a name or place of one or two letters: initials after
# "inisial" or a role word, a name after an honorific, the policy's
# deny-list. (Recognizer names as TextSpan.recognizer gives them.)
_SHORT_NAME_RULES = ("InitialsRecognizer", "HonorificNameRecognizer", "DenyList")


def without_short_model_names(texts: list[str], spans: list[list[TextSpan]],
                              found_elsewhere: Iterable[str] = ()) -> list[list[TextSpan]]:
    """The spans of text read from pictures without names and places of
    fewer than three letters that only a name model gave (directly or
    copied by the document's consistency pass). Tesseract reads textures
    as letters: a 12 MP photo of a coffee cup read "gy. 7 md, las sra
    luka", the models took "Gy" for a person and "LA" for a place, and the
    output, read again, showed "gy" elsewhere in its noise: a photo
    without text went to review. Initials found by a rule stay, wherever
    they are written, and so do values found outside the pictures
    (`found_elsewhere`: a PDF's text layer and hidden parts)."""
    def short(text: str, span: TextSpan) -> bool:
        return span.entity_type in ("PERSON", "LOCATION") and sum(c.isalpha() for c in text[span.start:span.end]) < 3

    by_rule = {text[s.start:s.end].casefold() for text, found in zip(texts, spans) for s in found
               if short(text, s) and s.recognizer.startswith(_SHORT_NAME_RULES)}
    by_rule |= {value.strip().casefold() for value in found_elsewhere}
    return [[s for s in found if not short(text, s) or s.recognizer.startswith(_SHORT_NAME_RULES)
             or text[s.start:s.end].casefold() in by_rule]
            for text, found in zip(texts, spans)]


def pixel_mask(bgr: np.ndarray, detector: TextDetector, policy: ImageSettings,
               ocr_views: tuple[np.ndarray, ...] = (), read: list[Read] | None = None,
               ) -> tuple[np.ndarray, list[Finding], str]:
    """(mask of pixels to cover, findings, recognised text)."""
    height, width = bgr.shape[:2]
    findings: list[Finding] = []
    reading = functools.partial(face_reading, bgr, policy.face_threshold)
    if policy.ocr and read is None:
        faces_read, read = side_by_side(reading if policy.faces else lambda: None,
                                        lambda: read_text((bgr,) + tuple(ocr_views), detector))
    else:
        faces_read = reading() if policy.faces else None
    faces = faces_read.faces if faces_read is not None else []
    mask = face_mask((height, width), faces, policy.face_enlarge)
    findings += face_findings(faces, policy, (height, width), "CenterFace")
    texts = []
    if policy.ocr:
        for ocr, spans in read:
            texts.append(ocr.text)
            findings += _cover_text(ocr, spans, mask)
    return mask, findings, "\n".join(texts)


def _cover_text(ocr: OcrText, spans: list[TextSpan], mask: np.ndarray) -> list[Finding]:
    """Fill the words of every span in the OCR text, and every field value
    of an identity card."""
    height, width = mask.shape[:2]
    findings = []

    def cover(boxes) -> None:
        for x0, y0, x1, y1 in boxes:
            pad = max(2, (y1 - y0) // 6)
            mask[max(0, y0 - pad):min(height, y1 + pad), max(0, x0 - pad):min(width, x1 + pad)] = 1

    for span in spans:
        boxes = ocr.boxes_for(span.start, span.end)
        cover(boxes)
        if boxes:
            findings.append(Finding.from_span(span, ocr.text, Location.IMAGE, None, _union(boxes)))
    for field in card_fields(ocr):
        boxes = [w.box for w in field.words]
        cover(boxes)
        # Fields that single a person out are verified by their value; the
        # others (religion, occupation, sex) are common words that a report
        # may use anywhere, so they are covered but not searched for again.
        value = " ".join(ocr.text[w.start:w.end] for w in field.words) if field.label in IDENTIFYING_FIELDS else ""
        findings.append(Finding("ID_CARD_FIELD", value, 1.0, f"IdCardField:{field.label}", Location.IMAGE, None,
                                _union(boxes)))
    return findings


def _union(boxes) -> tuple[float, float, float, float]:
    return (float(min(b[0] for b in boxes)), float(min(b[1] for b in boxes)),
            float(max(b[2] for b in boxes)), float(max(b[3] for b in boxes)))


VERIFY_FACE_THRESHOLD = 0.5


def pixel_problems(bgr: np.ndarray, values: set[str], inserted: set[str], policy: ImageSettings,
                   where: str, ocr_views: tuple[np.ndarray, ...] = ()) -> list[str]:
    """Verification of redacted pixels: no face left at a confident score, no
    redacted value readable by OCR."""
    from ..verify import leaks_in_text

    problems = []
    if policy.faces:
        faces = faces_left(bgr)
        if faces:
            problems.append(f"{len(faces)} face(s) still detected in {where} with confidence >= {VERIFY_FACE_THRESHOLD}")
    if policy.ocr and values:
        texts = [(f"the text read from {where}", confident_text(read_words(view))) for view in (bgr,) + tuple(ocr_views)]
        problems += leaks_in_text(values, texts, inserted)
    return problems


_FACE_READINGS: PixelMemo[FaceReading] = PixelMemo()


def face_reading(bgr: np.ndarray, threshold: float) -> FaceReading:
    """The redaction's reading of a picture's faces, remembered by pixels
    (memo.py), so that the check of the redacted output can keep its finds
    where the output did not change (faces_left)."""
    return _FACE_READINGS.get(bgr, lambda pixels: face_detector(threshold).read(pixels), key=threshold)


_FACES_LEFT: PixelMemo[list[FaceBox]] = PixelMemo()
# Verification's reading keeps the redaction's passes over unchanged pixels
# and skips passes inside flat covers (faces_left). Benchmarks turn it off
# for their baseline.
SHARE_WITH_REDACTION = True


def faces_left(bgr: np.ndarray, made_from: tuple[np.ndarray, np.ndarray, float] | None = None) -> list[FaceBox]:
    """Faces that verification sees in redacted pixels: confident ones that
    are not a flat cover. Remembered by pixels (memo.py): redaction checks
    its own decoded output this way to cover what is left, and verification
    then reads the same pixels.

    `made_from` is (the picture redaction read, the same picture with its
    covers, before encoding; the redaction's face threshold): where these
    pixels are that picture's unchanged pixels up to encoding noise, the
    passes of the redaction's own reading are kept (faces.EarlierReading),
    and only the passes that see a cover or any other change run again.
    Passes wholly inside a flat cover are skipped (_flat_region)."""
    def compute(pixels: np.ndarray) -> list[FaceBox]:
        earlier = skip = None
        if made_from is not None and SHARE_WITH_REDACTION:
            original, redacted, threshold = made_from
            earlier = EarlierReading(face_reading(original, threshold), original, redacted)
        if SHARE_WITH_REDACTION:
            skip = functools.partial(_flat_region, pixels)
        return [face for face in face_detector(VERIFY_FACE_THRESHOLD).read(pixels, earlier, skip).faces
                if not _flat(pixels, face)]

    return list(_FACES_LEFT.get(bgr, compute))


def forget_pictures() -> None:
    """Drop what is remembered of pictures read (faces left, OCR): for
    benchmarks that run the same input several times."""
    from .ocr import forget_readings

    _FACES_LEFT.clear()
    _FACE_READINGS.clear()
    forget_readings()


def cover_faces_left(bgr: np.ndarray, faces: list[FaceBox],
                     policy: ImageSettings) -> tuple[np.ndarray, np.ndarray, list[Finding]]:
    """Cover faces that verification still saw, solid whatever the style: a
    pixelation that the detector reads as a face again stays one. Returns
    (pixels, mask, findings)."""
    mask = face_mask(bgr.shape[:2], faces, policy.face_enlarge)
    findings = face_findings(faces, policy, bgr.shape[:2], "CenterFace (seen again by verification)")
    return fill(bgr, mask), mask, findings


def face_findings(faces: list[FaceBox], policy: ImageSettings, shape: tuple[int, ...],
                  recognizer: str) -> list[Finding]:
    """One FACE finding per face, with the box that was covered."""
    height, width = shape[:2]
    findings = []
    for face in faces:
        box = face.enlarged(policy.face_enlarge, width, height, MIN_MARGIN_PX)
        findings.append(Finding("FACE", "", face.score, recognizer, Location.IMAGE, None,
                                tuple(round(float(v), 1) for v in (box.x0, box.y0, box.x1, box.y1))))
    return findings


# Pixel spread below which a detected "face" is one flat colour: the
# ellipse that covers a face is sometimes taken for one by the detector.
FLAT_STD = 6.0


def _flat(bgr: np.ndarray, face) -> bool:
    """Is the middle of the box one flat colour (a cover, not a face)?"""
    height, width = bgr.shape[:2]
    cx, cy = (face.x0 + face.x1) / 2, (face.y0 + face.y1) / 2
    hw, hh = max(2.0, (face.x1 - face.x0) / 4), max(2.0, (face.y1 - face.y0) / 4)
    crop = bgr[max(0, int(cy - hh)):min(height, int(cy + hh) + 1), max(0, int(cx - hw)):min(width, int(cx + hw) + 1)]
    return crop.size > 0 and float(crop.std()) < FLAT_STD


def _flat_region(bgr: np.ndarray, region: tuple[int, int, int, int]) -> bool:
    """Is every part of the region one flat colour, so that any box found
    in it is dropped by _flat? A pass's boxes lie within its region, and the
    middle _flat looks at lies within the box, or reaches at most 3 px out
    of a box under 5 px; _flat takes the spread of all its values, channels
    together, and values within a range under 2 * FLAT_STD spread by less
    than FLAT_STD. So when the region widened by 3 px has that range, every
    box found in it would be dropped. Verification skips these passes: the
    inside of a large cover (a close-up's face cover is most of the photo)."""
    height, width = bgr.shape[:2]
    x0, y0, x1, y1 = region
    part = bgr[max(0, y0 - 3):min(height, y1 + 3), max(0, x0 - 3):min(width, x1 + 3)]
    if part.size == 0:
        return False
    # Every 8th row and column first: a textured tile (most of them) shows
    # its spread there, for a 64th of the reading (50 ms a tile read whole).
    for sample in (part[::8, ::8], part):
        if int(sample.max()) - int(sample.min()) >= 2 * FLAT_STD:
            return False
    return True


def picture_text(bgr: np.ndarray, alpha: np.ndarray | None = None) -> str:
    """What OCR reads in a picture, as an outsider would read it (flattened
    onto white and onto black when transparent), unsure short words left
    out (see confident_text)."""
    views = (bgr,) if alpha is None else flattened(bgr, alpha)
    return "\n".join(confident_text(read_words(view)) for view in views)


# OCR reads one or two characters of noise off the edges of a cover; a
# value that short counts as read back only when Tesseract is sure of it.
SHORT_WORD = 2
SURE = 80.0


def confident_text(ocr: OcrText) -> str:
    """The OCR text without unsure words of one or two characters."""
    chars = list(ocr.text)
    for word in ocr.words:
        if word.end - word.start <= SHORT_WORD and word.confidence < SURE:
            chars[word.start:word.end] = " " * (word.end - word.start)
    return "".join(chars)
