"""The image pipeline: faces and text in pixels, as one plain function, so
that photos, PDF pages and pictures in Word files can share it."""

from __future__ import annotations

import numpy as np

from ..config import ImageSettings
from ..detect.base import TextDetector
from ..detect.document import detect_units
from ..model import Finding
from .anonymise import MIN_MARGIN_PX, face_mask, fill, pixelate
from .faces import CenterFace
from .ocr import OcrText, read_words

_FACES: dict[float, CenterFace] = {}


def face_detector(threshold: float) -> CenterFace:
    """One per threshold per process: it keeps a Net per input size."""
    if threshold not in _FACES:
        _FACES[threshold] = CenterFace(threshold=threshold)
    return _FACES[threshold]


def redact_pixels(bgr: np.ndarray, detector: TextDetector, policy: ImageSettings,
                  where: str = "image") -> tuple[np.ndarray, list[Finding], str]:
    """(redacted image, findings, recognised text). Faces are covered first;
    text is read from the original (a face fill must not hide a name tag from
    OCR), then every word of a finding is filled."""
    height, width = bgr.shape[:2]
    findings: list[Finding] = []
    faces = face_detector(policy.face_threshold).detect(bgr) if policy.faces else []
    mask = face_mask((height, width), faces, policy.face_enlarge)
    for face in faces:
        box = face.enlarged(policy.face_enlarge, width, height, MIN_MARGIN_PX)
        findings.append(Finding("FACE", "", face.score, "CenterFace", where, None,
                                tuple(round(float(v), 1) for v in (box.x0, box.y0, box.x1, box.y1))))
    text = ""
    if policy.ocr:
        ocr: OcrText = read_words(bgr)
        text = ocr.text
        spans_per_unit, _ = detect_units(detector, [ocr.text])
        for span in spans_per_unit[0]:
            boxes = ocr.boxes_for(span.start, span.end)
            for x0, y0, x1, y1 in boxes:
                pad = max(2, (y1 - y0) // 6)
                mask[max(0, y0 - pad):min(height, y1 + pad), max(0, x0 - pad):min(width, x1 + pad)] = 1
            if boxes:
                union = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
                findings.append(Finding(span.entity_type, ocr.text[span.start:span.end], span.score, span.recognizer,
                                        where, None, tuple(float(v) for v in union)))
    out = pixelate(bgr, mask) if policy.face_style == "pixelate" else fill(bgr, mask)
    return out, findings, text


VERIFY_FACE_THRESHOLD = 0.5


def pixel_problems(bgr: np.ndarray, values: set[str], inserted: set[str], policy: ImageSettings,
                   where: str) -> list[str]:
    """Verification of redacted pixels: no face left at a confident score, no
    redacted value readable by OCR."""
    from ..verify import leaks_in_text

    problems = []
    if policy.faces:
        faces = face_detector(VERIFY_FACE_THRESHOLD).detect(bgr)
        if faces:
            problems.append(f"{len(faces)} face(s) still detected in {where} with confidence >= {VERIFY_FACE_THRESHOLD}")
    if policy.ocr and values:
        problems += leaks_in_text(values, [(f"the text read from {where}", read_words(bgr).text)], inserted)
    return problems
