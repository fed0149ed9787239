"""The image pipeline: faces and text in pixels, as one plain function, so
that photos, PDF pages and pictures in Word files can share it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..detect.base import TextDetector
from ..detect.document import detect_units
from ..model import Finding
from .anonymise import face_mask, fill, pixelate
from .faces import CenterFace
from .ocr import OcrText, read_words

_FACES: dict[float, CenterFace] = {}


def face_detector(threshold: float) -> CenterFace:
    """One per threshold per process: it keeps a Net per input size."""
    if threshold not in _FACES:
        _FACES[threshold] = CenterFace(threshold=threshold)
    return _FACES[threshold]


@dataclass(frozen=True)
class ImagePolicy:
    face_threshold: float = 0.2
    face_enlarge: float = 1.5
    face_style: str = "fill"  # or "pixelate"
    ocr: bool = True


def redact_pixels(bgr: np.ndarray, detector: TextDetector, policy: ImagePolicy,
                  where: str = "image") -> tuple[np.ndarray, list[Finding], str]:
    """(redacted image, findings, recognised text). Faces are covered first;
    text is read from the original (a face fill must not hide a name tag from
    OCR), then every word of a finding is filled."""
    height, width = bgr.shape[:2]
    findings: list[Finding] = []
    faces = face_detector(policy.face_threshold).detect(bgr)
    mask = face_mask((height, width), faces, policy.face_enlarge)
    for face in faces:
        box = face.enlarged(policy.face_enlarge, width, height)
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
