"""Animated GIF and WebP, multi-page TIFF: every frame and page goes through
faces and OCR and is published; none is dropped. Read back frame by frame
with Pillow and Tesseract (not Tabir's OCR call)."""

from __future__ import annotations

import io
import subprocess

import pytest
from PIL import Image, ImageDraw, ImageFont, ImageSequence

from tabir.redactors.formats import RedactionContext
from tabir.redactors.formats.photo import PhotoHandler
from tabir.redactors.detect.factory import detector_for

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SECRETS = {1: "Nama: Siti Rahmawati", 2: "NIK 3174055203900002"}  # frame index -> text


def frames(count: int = 3) -> list[Image.Image]:
    out = []
    for index in range(count):
        frame = Image.new("RGB", (760, 160), (250, 250, 245))
        draw = ImageDraw.Draw(frame)
        draw.text((20, 50), SECRETS.get(index, "Kegiatan posyandu"), font=ImageFont.truetype(FONT, 40), fill=(10, 10, 10))
        out.append(frame)
    return out


def encoded(fmt: str) -> bytes:
    out = io.BytesIO()
    first, *rest = frames()
    options = {"save_all": True, "append_images": rest}
    if fmt in ("GIF", "WEBP"):
        options.update(duration=[400, 500, 600], loop=0)
    first.save(out, fmt, **options)
    return out.getvalue()


def ocr(frame: Image.Image) -> str:
    out = io.BytesIO()
    frame.convert("RGB").save(out, "PNG")
    return subprocess.run(["tesseract", "stdin", "stdout", "--psm", "6"], input=out.getvalue(), capture_output=True).stdout.decode()


@pytest.fixture(scope="module")
def ctx(config):
    return RedactionContext(detector_for(config), config)


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "TIFF"])
def test_every_frame_is_redacted_and_kept(fmt, ctx):
    handler = PhotoHandler()
    data = encoded(fmt)
    before = [ocr(f) for f in ImageSequence.Iterator(Image.open(io.BytesIO(data)))]
    assert "3174055203900002" in before[2] and "Rahmawati" in before[1]  # readable before
    result = handler.redact(data, ctx)
    assert handler.verify(result.output, result.sensitive_values(), result.inserted, ctx) == []
    output = Image.open(io.BytesIO(result.output))
    assert output.format == fmt and getattr(output, "n_frames", 1) == 3
    after = [ocr(f) for f in ImageSequence.Iterator(output)]
    assert "3174055203900002" not in "".join(after) and "Rahmawati" not in "".join(after)
    assert "posyandu" in after[0]  # a clean frame keeps its text
    if fmt in ("GIF", "WEBP"):
        # Pillow gives a WebP frame's duration on its copy, a GIF frame's on the frame.
        durations = [f.info.get("duration") or f.copy().info.get("duration")
                     for f in ImageSequence.Iterator(Image.open(io.BytesIO(result.output)))]
        assert durations == [400, 500, 600]


def test_a_still_gif_is_published(tmp_path, run_library):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    frames(1)[0].save(inbox / "poster.gif")
    entry = run_library(inbox, tmp_path / "out")["files"][0]
    assert entry["status"] == "redacted", entry.get("reason")
    assert Image.open(tmp_path / "out" / "redacted" / "poster.gif").format == "GIF"


def test_an_animation_over_the_pixel_limit_is_refused(tmp_path, run_library, secret_dir):
    from tabir.redactors.config import load_config

    policy = tmp_path / "small.yaml"
    policy.write_text(f"version: 1\nsecret_file: {secret_dir / 'manifest.key'}\nlimits:\n  max_picture_megapixels: 1\n")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first, *rest = [Image.new("RGB", (500, 500), (10 * i, 0, 0)) for i in range(6)]  # 0.25 MP x 6 frames
    first.save(inbox / "animasi.gif", save_all=True, append_images=rest, duration=100)
    entry = run_library(inbox, tmp_path / "out", load_config(policy))["files"][0]
    assert entry["status"] == "failed" and entry["reason_code"] == "too_large" and "6 frames" in entry["reason"]
