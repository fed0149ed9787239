"""Photos and pictures (JPEG, PNG, TIFF, WebP, HEIC, GIF; every frame of an
animation and every page of a multi-page TIFF): faces, text inside the image,
and every hidden carrier (EXIF with GPS, time and camera serial, XMP, IPTC,
comments, thumbnails). The EXIF orientation is applied first, the colour
profile is kept with its text blanked (pixels/icc.py), and the output is
written fresh, with pixels only."""

from __future__ import annotations

import hashlib
import io
from collections import OrderedDict

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from ..errors import CorruptInput, TooLarge
from ..pixels.faces import decoded_as_written
from ..pixels.icc import blank_profile_text, profile_texts
from ..pixels.memo import frozen
from ..pixels.ocr import read_words
from ..pixels.redact import (cover_faces_left, faces_left, flattened, picture_text, pixel_problems,
                               redact_pixels, redact_transparent, side_by_side)
from ..model import Finding, Location, RedactionResult
from .base import FormatHandler, RedactionContext

MAX_PIXELS = 120_000_000
FORMATS = {"JPEG": ".jpg", "PNG": ".png", "TIFF": ".tif", "WEBP": ".webp", "HEIF": ".heic", "GIF": ".gif"}

try:  # HEIC/HEIF photos (iPhones) through pillow-heif, when installed
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_EXTENSIONS: tuple[str, ...] = (".heic", ".heif")
except ImportError:  # pragma: no cover - pillow-heif is a dependency
    HEIF_EXTENSIONS = ()
# Image.info keys that carry metadata rather than pixels.
METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "iptc", "adobe", "parameters",
                 "Description", "Author", "Comment", "Software")


class PhotoHandler(FormatHandler):
    name = "image"
    extensions = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".gif") + HEIF_EXTENSIONS

    def redact(self, data: bytes, ctx: RedactionContext) -> RedactionResult:
        image, fmt = _open(data, ctx.config.limits.max_picture_pixels)
        icc = blank_profile_text(image.info["icc_profile"]) if image.info.get("icc_profile") else None
        frames = _frames(image)
        findings, out_frames, read_frames, transparent = [], [], [], False
        for number, frame in enumerate(frames, 1):
            redacted, found, has_alpha, read = _redact_frame(frame, ctx)
            # A photo's pixels are kept for verification to compare with; not
            # every page of a long TIFF (memory: 3 bytes a pixel per frame).
            read_frames.append(read if len(frames) == 1 else None)
            redacted, boxes = _reviewer_boxes(redacted, ctx, number)
            found += boxes
            for finding in found:
                finding.page = number  # the frame (1 for a photo)
            out_frames.append(redacted)
            findings += found
            transparent = transparent or has_alpha
        durations, loop = [f.info.get("duration") for f in frames], image.info.get("loop")
        output, seen_again = _cover_faces_verification_sees(
            out_frames, read_frames, lambda done: _encode(done, fmt, icc, durations, loop), ctx)
        findings += seen_again
        notes = ["EXIF orientation applied; EXIF, GPS, XMP, IPTC, comments and thumbnails removed"
                 + ("; the colour profile kept, its text (description, copyright, device) blanked" if icc else "")]
        if len(frames) > 1:
            notes.append(f"{len(frames)} frames or pages, each checked for faces and text")
        if seen_again:
            notes.append(f"{len(seen_again)} face(s) that verification still saw in the output were covered too")
        if transparent:
            notes.append("transparent picture read flattened onto white and onto black; hidden colour removed")
        return RedactionResult(output=output, findings=findings, pages=len(frames), notes=notes)

    def verify(self, output: bytes, sensitive_values: set[str], inserted: set[str],
               ctx: RedactionContext) -> list[str]:
        try:
            image, _ = _open(output)
        except (CorruptInput, TooLarge) as exc:
            return [f"the output does not open as an image: {exc}"]
        problems = []
        if metadata_tags(image):
            problems.append("EXIF metadata remains")
        left = [k for k in METADATA_KEYS if image.info.get(k)]
        if left:
            problems.append(f"metadata remains: {left}")
        if profile_texts(image.info.get("icc_profile") or b""):
            problems.append("text remains in the colour profile (ICC)")
        policy = ctx.config.images
        frames = decoded_output(output)
        for number, (bgr, alpha) in enumerate(frames, 1):
            where = f"frame {number} of the image" if len(frames) > 1 else "the image"
            if alpha is None:
                problems += pixel_problems(bgr, sensitive_values, inserted, policy, where)
                continue
            on_white, on_black = flattened(bgr, alpha)
            if np.any(bgr[alpha == 0]):
                problems.append(f"colour remains under fully transparent pixels of {where}")
            problems += pixel_problems(on_white, sensitive_values, inserted, policy, where, (on_black,))
        return list(dict.fromkeys(problems))

    def forget(self) -> None:
        _DECODED.clear()  # a 12 MP output's pixels are 36 MB, up to 360 MB at the size limit

    def output_texts(self, output: bytes, ctx: RedactionContext) -> list[tuple[str, str]]:
        if not (ctx.config.verification.read_pictures and ctx.config.images.ocr):
            return []
        frames = decoded_output(output)
        texts = []
        for number, (bgr, alpha) in enumerate(frames, 1):
            where = f"the text read from frame {number}" if len(frames) > 1 else "the text read from the image"
            texts.append((where, picture_text(bgr, alpha)))
        return texts


_DECODED: OrderedDict[bytes, list[tuple[np.ndarray, np.ndarray | None]]] = OrderedDict()


def decoded_output(output: bytes) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """(BGR pixels, alpha or None) of every frame of an output as written,
    read-only (memo.frozen). Redaction checks its own output, then
    verification and the second look read the same bytes: decoded once
    (a 12 MP JPEG and its conversion took 0.1 s each time), remembered by a
    digest of the bytes, the last two outputs only (a round that covers a
    face writes a new one), until the file is done (PhotoHandler.forget)."""
    key = hashlib.blake2b(output, digest_size=20).digest()
    if key in _DECODED:
        _DECODED.move_to_end(key)
        return _DECODED[key]
    frames = []
    for frame in _frames(_open(output)[0], transpose=False):
        rgb, alpha = pixels_of(frame)
        frames.append((frozen(_bgr(rgb)), None if alpha is None else frozen(alpha)))
    _DECODED[key] = frames
    while len(_DECODED) > 2:
        _DECODED.popitem(last=False)
    return frames


def upright_frames(data: bytes) -> list[Image.Image]:
    """The frames of a photo as redaction sees them (EXIF orientation
    applied): the coordinates of its findings and of reviewer areas."""
    return _frames(_open(data)[0])


def _frames(image: Image.Image, transpose: bool = True) -> list[Image.Image]:
    """Every frame (animated GIF, WebP, PNG) or page (multi-page TIFF), each
    a picture of its own; a still photo with its EXIF orientation applied."""
    count = getattr(image, "n_frames", 1)
    if count <= 1:
        return [ImageOps.exif_transpose(image) if transpose else image]
    frames = []
    for frame in ImageSequence.Iterator(image):
        copy = frame.copy()
        if copy.info.get("duration") is None:  # WebP keeps it on the copy, GIF on the frame
            copy.info["duration"] = frame.info.get("duration")
        frames.append(copy)
    return frames


def _redact_frame(frame: Image.Image, ctx: RedactionContext) -> tuple[Image.Image, list, bool, np.ndarray | None]:
    """(redacted frame, findings, transparent?, the BGR pixels whose faces
    were read: None for a transparent frame, read flattened)."""
    rgb, alpha = pixels_of(frame)
    bgr = frozen(_bgr(rgb))  # read, never written: its digest is taken once (memo.digest)
    if alpha is None:
        redacted, findings, _ = redact_pixels(bgr, ctx.detector, ctx.config.images)
        return Image.fromarray(_rgb(redacted)), findings, False, bgr
    redacted, alpha, findings = redact_transparent(bgr, alpha, ctx.detector, ctx.config.images)
    return Image.fromarray(np.ascontiguousarray(np.dstack([_rgb(redacted), alpha])), "RGBA"), findings, True, None


def _bgr(rgb: np.ndarray) -> np.ndarray:
    """OpenCV's channel order (a strided numpy copy of 12 MP took 35 ms, this 10)."""
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


_rgb = _bgr  # the same swap back


def _reviewer_boxes(frame: Image.Image, ctx: RedactionContext, number: int) -> tuple[Image.Image, list]:
    """Fill the areas a reviewer drew on this frame (pixels of the upright
    picture) solid black, opaque."""
    regions = ctx.regions_on(number)
    if not regions:
        return frame, []
    pixels = np.array(frame)
    height, width = pixels.shape[:2]
    findings = []
    for region in regions:
        x0, y0, x1, y1 = (int(round(v)) for v in region.bbox)
        x0, x1 = max(0, min(x0, x1)), min(width, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(height, max(y0, y1))
        if x1 <= x0 or y1 <= y0:
            continue
        pixels[y0:y1, x0:x1, :3] = 0
        if pixels.shape[2] == 4:
            pixels[y0:y1, x0:x1, 3] = 255
        findings.append(Finding("REVIEWER_BOX", "", 1.0, "Reviewer", Location.IMAGE, number, (x0, y0, x1, y1)))
    return Image.fromarray(pixels, frame.mode), findings


def _cover_faces_verification_sees(out_frames: list[Image.Image], read_frames: list[np.ndarray | None], encode,
                                   ctx: RedactionContext) -> tuple[bytes, list]:
    """Encode the redacted frames, then read the output as verification will
    and cover any face it still sees (a pixelated face the detector reads as
    a face again; in a crowd, a face the first pass scored under the
    policy's threshold), up to `verification.rounds` times. Without this a
    crowd photo went to review for a face that one more cover would hide.
    `read_frames` are the pixels redaction read faces in: where the output
    is those pixels unchanged (up to encoding noise), that reading's passes
    are kept (redact.faces_left). Returns (output, findings of the faces
    covered)."""
    output = encode(out_frames)
    findings: list = []
    policy = ctx.config.images
    if not policy.faces:
        return output, findings
    for _ in range(ctx.config.verification.rounds):
        seen = False
        for number, ((bgr, alpha), out) in enumerate(zip(decoded_output(output), out_frames)):
            out_rgb, out_alpha = pixels_of(out)
            made_from = None
            if alpha is None and out_alpha is None and read_frames[number] is not None:
                made_from = (read_frames[number], _bgr(out_rgb), policy.face_threshold)
            views = (bgr,) if alpha is None else flattened(bgr, alpha)
            # Verification and the second look will read this output's text:
            # read now, beside the faces (remembered by pixels; wasted only
            # when a face is covered and the output written again). Read the
            # way its input was read (ocr.read_words); where nothing was
            # covered and the output decodes as written, the input's reading
            # is the output's, as the face check keeps the input's passes
            # over such pixels.
            read_ahead = policy.ocr and ctx.config.verification.read_pictures

            def text_read_ahead():  # run (and waited for) within this frame's turn
                if not read_ahead:
                    return None
                if made_from is None:
                    return [read_words(view) for view in views]
                original, written, _ = made_from
                return [read_words(views[0], original, decoded_as_written(views[0], original, written))]

            faces, _ = side_by_side(lambda: faces_left(views[0], made_from), text_read_ahead)
            if not faces:
                continue
            seen = True
            covered, mask, found = cover_faces_left(_bgr(out_rgb), faces, policy)
            for finding in found:
                finding.page = number + 1
            findings += found
            covered_rgb = _rgb(covered)
            if out_alpha is None:
                out_frames[number] = Image.fromarray(covered_rgb)
            else:
                out_alpha = out_alpha.copy()
                out_alpha[mask.astype(bool)] = 255
                out_frames[number] = Image.fromarray(np.ascontiguousarray(np.dstack([covered_rgb, out_alpha])), "RGBA")
        if not seen:
            break
        output = encode(out_frames)
    return output, findings


# TIFF tags that describe the pixels (size, layout, compression, resolution):
# every TIFF has them, and Pillow reports them as EXIF. Anything else (camera,
# time, software, GPS and EXIF directories, XMP, IPTC) is metadata.
TIFF_STRUCTURE_TAGS = frozenset(range(254, 300)) | {317, 318, 319, 320, 322, 323, 324, 325, 338, 339, 340, 341, 530, 531, 532}


def metadata_tags(image: Image.Image) -> list[int]:
    """Tags of the picture's EXIF (or TIFF directory) that are metadata."""
    tags = list(image.getexif().keys())
    if image.format == "TIFF":
        tags = [t for t in tags if t not in TIFF_STRUCTURE_TAGS]
    return tags


def pixels_of(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    """(RGB uint8 pixels, alpha or None), whatever the pixel format: 16-bit
    and 32-bit grey are scaled down (a plain convert clips them to white),
    palettes and grey with transparency keep their alpha."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") or values.max() > 255 else 255.0
        grey = np.clip(values / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.dstack([grey] * 3)), None
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (image.mode == "P" and "transparency" in image.info) \
        or (image.mode in ("L", "RGB") and "transparency" in image.info)
    if has_alpha:
        rgba = np.asarray(image.convert("RGBA"))
        return np.ascontiguousarray(rgba[:, :, :3]), np.ascontiguousarray(rgba[:, :, 3])
    return np.ascontiguousarray(np.asarray(image.convert("RGB"))), None


def _open(data: bytes, max_pixels: int = MAX_PIXELS) -> tuple[Image.Image, str]:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        image = Image.open(io.BytesIO(data))
        # The header gives the size: refuse before decoding a picture whose
        # pixels alone would take gigabytes.
        width, height = image.size
        if width * height > max_pixels:
            raise TooLarge(f"the picture has {width * height / 1e6:.0f} megapixels ({width}x{height}), more than the "
                           f"limit of {max_pixels / 1e6:.0f} (limits.max_picture_megapixels)")
        frames = getattr(image, "n_frames", 1)  # every frame is held decoded while it is redacted
        if frames > 1 and width * height * frames > max_pixels:
            raise TooLarge(f"the picture's {frames} frames or pages hold {width * height * frames / 1e6:.0f} "
                           f"megapixels, more than the limit of {max_pixels / 1e6:.0f} (limits.max_picture_megapixels)")
        image.load()
    except Image.DecompressionBombError as exc:
        raise TooLarge(f"the image has more than {MAX_PIXELS // 1_000_000} megapixels") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise CorruptInput(f"the image is damaged or not an image: {exc}") from exc
    if image.format not in FORMATS:
        raise CorruptInput(f"unsupported image format {image.format}")
    return image, image.format


def _encode(frames: list[Image.Image], fmt: str, icc: bytes | None, durations: list, loop) -> bytes:
    """Written fresh, pixels only (and the colour profile); every frame or
    page kept, with its timing."""
    out = io.BytesIO()
    options: dict = {"icc_profile": icc} if icc else {}
    first, rest = frames[0], frames[1:]
    if rest:
        options.update(save_all=True, append_images=rest)
        if fmt in ("GIF", "WEBP", "PNG") and all(d is not None for d in durations):
            options["duration"] = durations
        if fmt in ("GIF", "WEBP", "PNG"):
            options["loop"] = loop or 0
    if fmt == "JPEG":
        first.convert("RGB").save(out, "JPEG", quality=92, exif=b"", **options)
    elif fmt == "PNG":
        first.save(out, "PNG", **options)
    elif fmt == "WEBP":
        first.save(out, "WEBP", quality=90, exif=b"", **options)
    elif fmt == "HEIF":
        if rest:
            options["append_images"] = [f.convert("RGB") for f in rest]
        first.convert("RGB").save(out, "HEIF", quality=90, exif=None, xmp=None, **options)
    elif fmt == "GIF":
        options.pop("icc_profile", None)
        first.save(out, "GIF", disposal=2, **options)
    else:
        first.save(out, "TIFF", compression="tiff_lzw", **options)
    return out.getvalue()
