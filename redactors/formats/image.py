"""Photos and pictures (JPEG, PNG, TIFF, WebP, HEIC): faces, text inside the image,
and every hidden carrier (EXIF with GPS, time and camera serial, XMP, IPTC,
comments, thumbnails). The EXIF orientation is applied first, the colour
profile is kept, and the output is written fresh, with pixels only."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..config import ImageSettings
from ..errors import CorruptInput, TooLarge
from ..images.pipeline import pixel_problems, redact_pixels
from ..model import RedactionResult
from .base import FormatHandler, RedactionContext

MAX_PIXELS = 120_000_000
FORMATS = {"JPEG": ".jpg", "PNG": ".png", "TIFF": ".tif", "WEBP": ".webp", "HEIF": ".heic"}

try:  # HEIC/HEIF photos (iPhones) through pillow-heif, when installed
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_EXTENSIONS: tuple[str, ...] = (".heic", ".heif")
except ImportError:  # pragma: no cover - pillow-heif is a dependency
    HEIF_EXTENSIONS = ()
# Image.info keys that carry metadata rather than pixels.
METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "iptc", "adobe", "parameters",
                 "Description", "Author", "Comment", "Software")


class ImageHandler(FormatHandler):
    name = "image"
    extensions = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp") + HEIF_EXTENSIONS

    def redact(self, data: bytes, ctx: RedactionContext) -> RedactionResult:
        image, fmt = _open(data)
        icc = image.info.get("icc_profile")
        image = ImageOps.exif_transpose(image)
        has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
        rgb = image.convert("RGBA" if has_alpha else "RGB")
        pixels = np.asarray(rgb)
        bgr = np.ascontiguousarray(pixels[:, :, 2::-1])
        redacted, findings, _ = redact_pixels(bgr, ctx.detector, ctx.config.images)
        out_rgb = redacted[:, :, ::-1]
        if has_alpha:
            out_rgb = np.dstack([out_rgb, pixels[:, :, 3]])
        output = _encode(Image.fromarray(np.ascontiguousarray(out_rgb)), fmt, icc)
        notes = ["EXIF orientation applied; EXIF, GPS, XMP, IPTC, comments and thumbnails removed"]
        return RedactionResult(output=output, findings=findings, pages=1, notes=notes)

    def verify(self, output: bytes, sensitive_values: set[str], inserted: set[str] = frozenset(),
               ctx: RedactionContext | None = None) -> list[str]:
        try:
            image, _ = _open(output)
        except (CorruptInput, TooLarge) as exc:
            return [f"the output does not open as an image: {exc}"]
        problems = []
        if len(image.getexif()):
            problems.append("EXIF metadata remains")
        left = [k for k in METADATA_KEYS if k in image.info]
        if left:
            problems.append(f"metadata remains: {left}")
        bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
        policy = ctx.config.images if ctx else ImageSettings()
        return problems + pixel_problems(bgr, sensitive_values, inserted, policy, "the image")


def _open(data: bytes) -> tuple[Image.Image, str]:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Image.DecompressionBombError as exc:
        raise TooLarge(f"the image has more than {MAX_PIXELS // 1_000_000} megapixels") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise CorruptInput(f"the image is damaged or not an image: {exc}") from exc
    if image.format not in FORMATS:
        raise CorruptInput(f"unsupported image format {image.format}")
    return image, image.format


def _encode(image: Image.Image, fmt: str, icc: bytes | None) -> bytes:
    out = io.BytesIO()
    options = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=92, exif=b"", **options)
    elif fmt == "PNG":
        image.save(out, "PNG", **options)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=90, exif=b"", **options)
    elif fmt == "HEIF":
        image.convert("RGB").save(out, "HEIF", quality=90, exif=None, xmp=None, **options)
    else:
        image.save(out, "TIFF", compression="tiff_lzw", **options)
    return out.getvalue()
