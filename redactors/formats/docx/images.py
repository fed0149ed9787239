"""Pictures inside Word files: re-encoded without metadata (EXIF, GPS, XMP,
comments). Faces and text in the pixels are the image pipeline's work; until
it is wired in, a picture is at least stripped of everything but pixels.
Formats we cannot re-encode (EMF, WMF, SVG, GIF ...) can hold text of their
own and are replaced by a blank picture."""

from __future__ import annotations

import cv2
import numpy as np

_JPEG = (b"\xff\xd8\xff",)
_PNG = (b"\x89PNG\r\n\x1a\n",)
BLANK_PNG = cv2.imencode(".png", np.full((8, 8, 3), 255, np.uint8))[1].tobytes()


def picture_size(data: bytes) -> int:
    """The longer side in pixels (0 when it cannot be decoded)."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    return 0 if image is None else max(image.shape[:2])


def clean_image(data: bytes) -> tuple[bytes | None, str]:
    """(new bytes, note). None means: could not be re-encoded, replace it."""
    array = np.frombuffer(data, np.uint8)
    if data.startswith(_JPEG):
        image = cv2.imdecode(array, cv2.IMREAD_COLOR)  # applies EXIF orientation
        if image is None:
            return None, "a damaged JPEG picture was replaced by a blank picture"
        ok, out = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 92])
        return (out.tobytes(), "") if ok else (None, "a JPEG picture could not be re-encoded")
    if data.startswith(_PNG):
        image = cv2.imdecode(array, cv2.IMREAD_UNCHANGED)
        if image is None:
            return None, "a damaged PNG picture was replaced by a blank picture"
        ok, out = cv2.imencode(".png", image)
        return (out.tobytes(), "") if ok else (None, "a PNG picture could not be re-encoded")
    return None, "a picture in a format that cannot be checked (EMF, WMF, GIF, SVG ...) was replaced by a blank picture"
