"""What is remembered of a picture is found again only for the same pixels:
a digest is reused only for a read-only array that owns its pixels, and a
photo's output is decoded once for redaction's own check, verification and
the second look."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tabir.redactors.formats import photo
from tabir.redactors.pixels import memo


@pytest.fixture
def counted_digests(monkeypatch) -> list[int]:
    """The sizes of the pixel buffers digested from now on."""
    calls: list[int] = []
    real = memo.hashlib.blake2b

    def counting(data, **kwargs):
        calls.append(len(memoryview(data).cast("B")))
        return real(data, **kwargs)

    monkeypatch.setattr(memo.hashlib, "blake2b", counting)
    return calls


def test_a_frozen_picture_is_digested_once_and_a_writeable_one_every_time(counted_digests):
    pixels = np.random.default_rng(1).integers(0, 255, (60, 80, 3), dtype=np.uint8)
    remembered: memo.PixelMemo[int] = memo.PixelMemo()
    remembered.get(pixels, lambda p: 1)
    pixels[0, 0, 0] ^= 1  # changed in place: a new key, computed again
    assert remembered.get(pixels, lambda p: 2) == 2
    assert len(counted_digests) == 2

    still = memo.frozen(pixels)
    assert not still.flags.writeable
    with pytest.raises(ValueError):
        still[0, 0, 0] = 0  # nothing can change pixels under their digest
    counted_digests.clear()
    for _ in range(3):
        assert remembered.get(still, lambda p: 3) == 2  # the same pixels as the last entry
    assert len(counted_digests) == 1


def test_a_view_of_frozen_pixels_is_not_taken_for_them(counted_digests):
    """A crop shares the buffer but not the pixels: never the parent's digest."""
    still = memo.frozen(np.random.default_rng(2).integers(0, 255, (60, 80), dtype=np.uint8))
    crop = still[10:20, 10:20]
    assert memo.digest(crop) != memo.digest(still)
    assert memo.digest(crop) == memo.digest(np.ascontiguousarray(crop))
    assert memo.frozen(crop).base is None  # frozen copies a view


def test_an_output_is_decoded_once_and_its_pixels_cannot_be_written():
    picture = np.random.default_rng(3).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(picture).save(out, "PNG")
    first = photo.decoded_output(out.getvalue())
    again = photo.decoded_output(bytes(out.getvalue()))  # equal bytes, another object
    assert again is first
    (bgr, alpha), = first
    assert alpha is None and not bgr.flags.writeable
    assert np.array_equal(bgr[:, :, ::-1], picture)
    other = io.BytesIO()
    Image.fromarray(255 - picture).save(other, "PNG")
    assert photo.decoded_output(other.getvalue()) is not first


def test_a_photos_decoded_output_is_dropped_when_the_file_is_done(secret_dir, tmp_path, monkeypatch):
    """Kept between redaction, verification and the second look only: a
    12 MP output's pixels are 36 MB, up to 360 MB at the size limit, and a
    worker process goes on to other files."""
    from pathlib import PurePosixPath

    from tabir.redactors.config import load_config
    from tabir.redactors.pipeline import Pipeline

    policy = tmp_path / "policy.yaml"
    policy.write_text(f"version: 1\nsecret_file: {secret_dir / 'manifest.key'}\n")
    out = io.BytesIO()
    Image.fromarray(np.full((300, 400, 3), 180, np.uint8)).save(out, "JPEG", quality=92)
    decoded_during = []
    real = photo.decoded_output

    def watching(output):
        frames = real(output)
        decoded_during.append(len(photo._DECODED))
        return frames

    monkeypatch.setattr(photo, "decoded_output", watching)
    outcome = Pipeline(load_config(policy), tmp_path / "out").redact_bytes(PurePosixPath("dinding.jpg"), out.getvalue())
    assert outcome.record.status == "redacted", outcome.record.reason
    assert decoded_during and max(decoded_during) >= 1
    assert not photo._DECODED
