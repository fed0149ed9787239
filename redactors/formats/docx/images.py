"""Pictures inside Word files: re-encoded without metadata (EXIF, GPS, XMP,
comments), after its pixels went through the image pipeline (faces, text).
Formats we cannot decode (EMF, WMF, SVG, GIF ...) can hold text of their own
and are replaced by a blank picture."""

from __future__ import annotations

import cv2
import numpy as np

_JPEG = (b"\xff\xd8\xff",)
_PNG = (b"\x89PNG\r\n\x1a\n",)
BLANK_PNG = cv2.imencode(".png", np.full((8, 8, 3), 255, np.uint8))[1].tobytes()


def decode(data: bytes) -> np.ndarray | None:
    """BGR (or BGRA for PNG with transparency) pixels of a JPEG or PNG."""
    array = np.frombuffer(data, np.uint8)
    if data.startswith(_JPEG):
        return cv2.imdecode(array, cv2.IMREAD_COLOR)  # applies EXIF orientation
    if data.startswith(_PNG):
        image = cv2.imdecode(array, cv2.IMREAD_UNCHANGED)
        if image is not None and image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        return image
    return None


def clean_image(data: bytes, redact=None) -> tuple[bytes | None, str, list]:
    """(new bytes, note, findings). Pixels go through `redact` (the image
    pipeline) when given; None bytes mean: could not be decoded, replace it."""
    image = decode(data)
    if image is None:
        return None, "a picture in a format that cannot be checked (EMF, WMF, GIF, SVG, damaged) was replaced by a blank picture", []
    findings = []
    if redact is not None:
        bgr = np.ascontiguousarray(image[:, :, :3])
        alpha = np.ascontiguousarray(image[:, :, 3]) if image.shape[2] == 4 else None
        bgr, alpha, findings = redact(bgr, alpha)
        image = np.dstack([bgr, alpha]) if alpha is not None else bgr
    if data.startswith(_JPEG):
        ok, out = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 92])
    else:
        ok, out = cv2.imencode(".png", image)
    return (out.tobytes(), "", findings) if ok else (None, "a picture could not be re-encoded", [])
