"""Verification reads a redacted photo's faces again, on the decoded output.
Where the output is the input unchanged (no cover, nothing but the encoder's
noise), it keeps the redaction's own passes; inside a flat cover it skips
the pass. Both are proven to save passes and, like an attacker, to miss
nothing: a face that appears in the output where the input had none (an
encoder or code bug) is still found, and a face next to a cover is too."""

from __future__ import annotations

import io
from pathlib import PurePosixPath

import cv2
import numpy as np
import pytest
import skimage.data
from PIL import Image

import tabir.redactors.formats.photo  # noqa: F401  (registers the HEIF opener)

import tabir.redactors.pixels.redact as redact
from tabir.redactors.pixels.anonymise import face_mask, fill
from tabir.redactors.pixels.faces import ENCODING_NOISE, CenterFace, EarlierReading, decoded_as_written, plan

FACE = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)  # face at x 181-270, y 58-178


def scene(width: int = 2600, height: int = 1400) -> np.ndarray:
    """A grainy 3.6 MP scene (a photo's JPEG noise, not a flat canvas) with
    one person in its top-left corner: one native tile of six holds a face."""
    rng = np.random.default_rng(5)
    grain = cv2.GaussianBlur(rng.normal(0, 12, (height, width, 3)).astype(np.float32), (0, 0), 1.5)
    ramp = np.linspace(90, 170, width, dtype=np.float32)[None, :, None]
    canvas = np.clip(ramp + grain, 0, 255).astype(np.uint8)
    canvas[100:356, 100:356] = cv2.resize(FACE, (256, 256), interpolation=cv2.INTER_AREA)
    return canvas


def through(fmt: str, bgr: np.ndarray) -> np.ndarray:
    """Saved as Tabir saves it and decoded."""
    out = io.BytesIO()
    options = {"JPEG": {"quality": 92}, "WEBP": {"quality": 90}, "HEIF": {"quality": 90}}.get(fmt, {})
    Image.fromarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)).save(out, fmt, **options)
    return cv2.cvtColor(np.asarray(Image.open(io.BytesIO(out.getvalue())).convert("RGB")), cv2.COLOR_RGB2BGR)


@pytest.fixture(scope="module")
def redacted_scene():
    picture = scene()
    reading = CenterFace(threshold=0.2).read(picture)
    assert reading.faces, "the face in the scene must be found"
    return picture, reading, fill(picture, face_mask(picture.shape[:2], reading.faces, 1.5))


def faces_left_counting(decoded: np.ndarray, made_from=None) -> tuple[list, int]:
    """(faces verification sees, forward passes it ran), nothing remembered."""
    redact.forget_pictures()
    detector = redact.face_detector(redact.VERIFY_FACE_THRESHOLD)
    before = detector.passes_run
    return redact.faces_left(decoded, made_from), detector.passes_run - before


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_unchanged_tiles_keep_the_redactions_passes_and_the_result_is_the_same(redacted_scene, fmt):
    picture, reading, covered = redacted_scene
    decoded = through(fmt, covered)
    redact._FACE_READINGS.get(picture, lambda pixels: reading, key=0.2)
    full, full_passes = faces_left_counting(decoded)
    redact._FACE_READINGS.get(picture, lambda pixels: reading, key=0.2)
    kept, kept_passes = faces_left_counting(decoded, (picture, covered, 0.2))
    assert full_passes == len(plan(2600, 1400)) == 8  # six native tiles, two coarse levels
    assert kept_passes == 3  # the face's tile and the two coarse levels (they hold the cover)
    assert kept == full == []


@pytest.mark.parametrize("side", [256, 48])
def test_a_face_the_input_did_not_have_is_found_where_the_output_was_not_what_was_written(redacted_scene, side):
    """An output with a face pasted into a tile the redaction had read as
    face-free (what an encoder writing the wrong pixels would do): that tile
    no longer matches, is read again, and the face is seen. A 48 px face
    moves its 992x800 tile's mean by well under the bound: the 32 px blocks
    catch it."""
    picture, reading, covered = redacted_scene
    decoded = through("JPEG", covered)
    pasted = FACE if side > 100 else FACE[30:210, 140:310]  # the head alone when small: a 48 px face
    decoded[900:900 + side, 2000:2000 + side] = cv2.resize(pasted, (side, side), interpolation=cv2.INTER_AREA)
    redact._FACE_READINGS.get(picture, lambda pixels: reading, key=0.2)
    faces, passes = faces_left_counting(decoded, (picture, covered, 0.2))
    assert passes == 4  # one more tile than the unchanged output needed
    assert any(2000 <= (f.x0 + f.x1) / 2 <= 2000 + side and 900 <= (f.y0 + f.y1) / 2 <= 900 + side for f in faces)


def test_the_noise_bound_tells_encoding_noise_from_a_change():
    picture = np.ascontiguousarray(cv2.cvtColor(skimage.data.coffee(), cv2.COLOR_RGB2BGR))  # colours, 600x400
    region = (0, 0, 600, 400)
    earlier = EarlierReading(CenterFace(threshold=0.2).read(picture), picture, picture)
    assert earlier.unchanged(through("JPEG", picture), region)
    swapped = np.ascontiguousarray(through("JPEG", picture)[:, :, ::-1])  # red and blue written the wrong way round
    assert not earlier.unchanged(swapped, region)
    brighter = cv2.add(picture, np.full_like(picture, int(ENCODING_NOISE) + 2))
    assert not earlier.unchanged(brighter, region)


def test_a_pass_inside_a_large_flat_cover_is_skipped_and_a_face_beside_the_cover_is_still_seen():
    """A close-up whose cover is most of the photo: the tiles wholly inside
    it are not read (anything found there would be a flat box, dropped), and
    a second face left uncovered right beside the cover is found."""
    picture = scene()
    covered = picture.copy()
    cv2.rectangle(covered, (0, 0), (1900, 1399), (0, 0, 0), -1)  # native tiles at x 0 and 804 are inside
    covered[560:816, 2000:2256] = cv2.resize(FACE, (256, 256), interpolation=cv2.INTER_AREA)
    decoded = through("JPEG", covered)
    faces, passes = faces_left_counting(decoded)
    assert passes == len(plan(2600, 1400)) - 4
    assert any(2000 <= (f.x0 + f.x1) / 2 <= 2256 for f in faces)
    assert redact._flat_region(decoded, (10, 10, 900, 900))
    assert not redact._flat_region(decoded, (1800, 500, 2300, 900))


def test_a_photo_is_published_with_its_face_covered_and_verification_reads_fewer_passes(secret_dir, tmp_path):
    """Through the whole pipeline: the face's pixels are the solid cover in
    the published file, and verification's reading of the output ran only
    the passes that hold the cover. OCR is off: Tesseract reads a few
    letters in the grain, and their covers would touch other tiles."""
    from tabir.redactors.config import load_config
    from tabir.redactors.pipeline import Pipeline

    policy = tmp_path / "policy.yaml"
    policy.write_text(f"version: 1\nsecret_file: {secret_dir / 'manifest.key'}\nimages:\n  ocr: false\n")
    config = load_config(policy)

    out = io.BytesIO()
    Image.fromarray(cv2.cvtColor(scene(), cv2.COLOR_BGR2RGB)).save(out, "JPEG", quality=95)
    redact.forget_pictures()
    verifier = redact.face_detector(redact.VERIFY_FACE_THRESHOLD)
    before = verifier.passes_run
    outcome = Pipeline(config, tmp_path / "out").redact_bytes(PurePosixPath("kegiatan.jpg"), out.getvalue())
    assert outcome.record.status == "redacted", outcome.record.reason
    assert verifier.passes_run - before == 3
    published = np.asarray(Image.open(io.BytesIO(outcome.data)).convert("L")).astype(int)
    face = published[100 + 29:100 + 89, 100 + 90:100 + 135]  # the middle of the face at 256 px
    assert (face < 20).mean() >= 0.95


def test_faces_and_text_are_read_side_by_side_only_when_two_cores_may_be_used():
    """With two threads allowed the two readings overlap in time (each waits
    for the other to have started); a worker held to one thread reads them
    one after the other, in its own thread; an error in one is raised after
    the other has finished."""
    import threading

    saved = cv2.getNumThreads()
    try:
        cv2.setNumThreads(2)
        here_started, beside_started = threading.Event(), threading.Event()

        def here():
            here_started.set()
            return beside_started.wait(5)

        def beside():
            beside_started.set()
            return here_started.wait(5)

        assert redact.side_by_side(here, beside) == (True, True)

        finished = threading.Event()

        def failing():
            raise ValueError("the face model failed")

        def slow():
            finished.wait(0.2)
            finished.set()

        with pytest.raises(ValueError):
            redact.side_by_side(failing, slow)
        assert finished.is_set()

        # Called again from the side thread (nested), it runs there in turn
        # instead of waiting on itself.
        inner = redact.side_by_side(lambda: 1, lambda: redact.side_by_side(lambda: 2, lambda: 3))
        assert inner == (1, (2, 3))

        cv2.setNumThreads(1)
        threads = redact.side_by_side(threading.current_thread, threading.current_thread)
        assert threads == (threading.main_thread(), threading.main_thread())
    finally:
        cv2.setNumThreads(saved)


def test_read_side_by_side_the_two_readers_do_not_fight_for_the_cores(monkeypatch):
    """Tesseract runs on one thread whatever the environment says, and the
    face model's threads sleep rather than spin between passes: read side
    by side on two cores, a second Tesseract thread and spinning model
    threads made a group photo 1.9x slower (README, Faces)."""
    import subprocess

    from tabir.redactors.pixels import faces, ocr

    seen = []
    real_run = subprocess.run

    def recording_run(command, **kwargs):
        seen.append((command[0], kwargs.get("env", {}).get("OMP_THREAD_LIMIT")))
        return real_run(command, **kwargs)

    real_popen = subprocess.Popen

    def recording_popen(command, **kwargs):  # the orientation check beside the reading
        seen.append((command[0], kwargs.get("env", {}).get("OMP_THREAD_LIMIT")))
        return real_popen(command, **kwargs)

    monkeypatch.setenv("OMP_THREAD_LIMIT", "2")
    monkeypatch.setattr(ocr.subprocess, "run", recording_run)
    monkeypatch.setattr(ocr.subprocess, "Popen", recording_popen)
    card = np.full((200, 900), 255, np.uint8)
    cv2.putText(card, "NAMA: SITI AMINAH", (20, 120), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 0, 4)
    ocr.forget_readings()
    words = ocr.read_words(cv2.cvtColor(card, cv2.COLOR_GRAY2BGR))
    assert "AMINAH" in words.text
    assert seen and all(entry == ("tesseract", "1") for entry in seen)
    ocr.orientation(card)
    assert seen[-1] == ("tesseract", "1")

    shipped = faces.shared_model(faces.DEFAULT_MODEL)  # int8 and float, one session each
    for model in (shipped._int8, shipped._float):
        options = model._session.get_session_options()
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def _sideways_card() -> tuple[np.ndarray, list[str]]:
    import random

    from . import adversarial

    card = adversarial.ktp_card(adversarial.Generator(5), random.Random(5))
    stored = np.asarray(card.image.rotate(-90, expand=True))[:, :, ::-1]  # on its side, no EXIF to say so
    return np.ascontiguousarray(stored), card.identifying


@pytest.mark.parametrize("cores", [1, 2])
def test_a_card_on_its_side_reads_the_same_with_its_orientation_checked_beside_or_after(cores):
    """With two cores the orientation is checked while the text is read
    upright (ocr._Beside); with one, after. The card on its side reads
    upright as noise either way, and its name only once turned."""
    from tabir.redactors.pixels import ocr

    saved = cv2.getNumThreads()
    try:
        cv2.setNumThreads(cores)
        ocr.forget_readings()
        card, identifying = _sideways_card()
        words = ocr.read_words(card)
    finally:
        cv2.setNumThreads(saved)
        ocr.forget_readings()
    name, nik = identifying[1], identifying[0]
    assert name.split()[0] in words.text and nik in words.text.replace(" ", ""), words.text


def test_the_orientation_check_beside_a_text_that_reads_well_is_stopped(monkeypatch):
    """Upright text that reads well needs no orientation: the check started
    beside it is killed and reaped, not left running or waited for. The
    check here is a stand-in that would take 60 s (the real one finished
    first once, on a busy machine, and proved nothing)."""
    import subprocess
    import threading
    import time

    from tabir.redactors.pixels import ocr

    started = []

    class SlowCheck(ocr._Beside):
        def __init__(self, arguments, png):  # not super().__init__: that starts Tesseract
            self._command = ["sleep", "60"]
            self._process = subprocess.Popen(self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE)
            self._output = (b"", b"")
            self._thread = threading.Thread(target=self._feed, args=(png,), daemon=True)
            self._thread.start()
            started.append(self)

    monkeypatch.setattr(ocr, "_Beside", SlowCheck)
    page = np.full((900, 1800), 255, np.uint8)
    for row, line in enumerate(["LAPORAN KUNJUNGAN RUMAH KLIEN", "TANGGAL KUNJUNGAN SENIN PAGI",
                                "PETUGAS DINAS SOSIAL KOTA", "CATATAN KONDISI RUMAH BAIK"]):
        cv2.putText(page, line, (30, 150 + row * 200), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 0, 4)
    saved = cv2.getNumThreads()
    begun = time.monotonic()
    try:
        cv2.setNumThreads(2)
        ocr.forget_readings()
        words = ocr.read_words(cv2.cvtColor(page, cv2.COLOR_GRAY2BGR))
    finally:
        cv2.setNumThreads(saved)
        ocr.forget_readings()
    assert "KUNJUNGAN" in words.text
    assert len(started) == 1
    assert time.monotonic() - begun < 30  # not waited for
    process = started[0]._process
    assert process.returncode is not None  # reaped: no process left behind
    assert process.returncode != 0  # killed


def _counting_tesseract(monkeypatch) -> list[list[str]]:
    """The arguments of every Tesseract process started from now on
    (readings and orientation checks, in this thread or beside it)."""
    from tabir.redactors.pixels import ocr

    started: list[list[str]] = []
    real_tesseract, real_beside = ocr._tesseract, ocr._Beside

    def tesseract(arguments, png):
        started.append(list(arguments))
        return real_tesseract(arguments, png)

    class Beside(real_beside):
        def __init__(self, arguments, png):
            started.append(list(arguments))
            super().__init__(arguments, png)

    monkeypatch.setattr(ocr, "_tesseract", tesseract)
    monkeypatch.setattr(ocr, "_Beside", Beside)
    return started


def _orientation_checks(started: list[list[str]]) -> int:
    return sum(1 for arguments in started if arguments == ["--psm", "0"])


@pytest.mark.parametrize("cores", [1, 2])
def test_an_output_is_read_the_way_its_input_was_turned_without_a_second_orientation_check(monkeypatch, cores):
    """The redacted output of a card on its side: covers took its NIK away,
    they did not turn it. It is read turned, as the input was, and its
    orientation is not checked again (a group photo's covered faces made
    that check guess 180 degrees and the output was read a third time)."""
    from tabir.redactors.pixels import ocr

    card, identifying = _sideways_card()
    name, nik = identifying[1], identifying[0]
    saved = cv2.getNumThreads()
    try:
        cv2.setNumThreads(cores)
        ocr.forget_readings()
        before = ocr.read_words(card)
        assert before.turn in (90, 270) and nik in before.text.replace(" ", "")
        nik_box = redact._union(before.boxes_for(*_span_of(before, nik)))
        output = card.copy()
        x0, y0, x1, y1 = (int(v) for v in nik_box)
        output[y0 - 4:y1 + 4, x0 - 4:x1 + 4] = 0  # the NIK covered
        decoded = through("JPEG", output)
        started = _counting_tesseract(monkeypatch)
        after = ocr.read_words(decoded, made_from=card,
                               unchanged=decoded_as_written(decoded, card, output))
        assert _orientation_checks(started) == 0 and len(started) == 2  # upright, then turned
        assert name.split()[0] in after.text and nik not in after.text.replace(" ", "")

        ocr.forget_readings()  # the same output with no earlier reading to follow: checked as before
        started.clear()
        alone = ocr.read_words(decoded)
        assert _orientation_checks(started) == 1 and alone.turn == after.turn
    finally:
        cv2.setNumThreads(saved)
        ocr.forget_readings()


def _span_of(ocr_text, value: str) -> tuple[int, int]:
    """Where `value` (written without spaces) lies in the OCR text."""
    squeezed, where = "", []
    for index, char in enumerate(ocr_text.text):
        if char != " ":
            squeezed += char
            where.append(index)
    start = squeezed.index(value)
    return where[start], where[start + len(value) - 1] + 1


def test_an_output_with_nothing_covered_keeps_the_inputs_reading_and_any_change_is_read_again(monkeypatch):
    """Nothing covered and the output decodes as written (the encoder's
    noise only): the input's reading is the output's, no Tesseract runs.
    A word the encoder could not have made, or any cover drawn, and the
    output is read afresh."""
    from tabir.redactors.pixels import ocr

    picture = np.ascontiguousarray(cv2.cvtColor(skimage.data.coffee(), cv2.COLOR_RGB2BGR))
    picture = cv2.resize(picture, (1800, 1200), interpolation=cv2.INTER_CUBIC)
    ocr.forget_readings()
    try:
        before = ocr.read_words(picture)
        decoded = through("JPEG", picture)
        assert decoded_as_written(decoded, picture, picture)
        started = _counting_tesseract(monkeypatch)
        assert ocr.read_words(decoded, made_from=picture, unchanged=True) is before
        assert started == []

        pasted = picture.copy()  # a name the input did not have: not encoding noise
        cv2.rectangle(pasted, (280, 540), (760, 630), (235, 235, 235), -1)  # a name tag
        cv2.putText(pasted, "SITI AMINAH", (300, 605), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (20, 20, 20), 3)
        decoded_pasted = through("JPEG", pasted)
        assert not decoded_as_written(decoded_pasted, picture, picture)
        assert "AMINAH" in ocr.read_words(decoded_pasted, made_from=picture, unchanged=False).text
        assert started

        covered = picture.copy()
        covered[500:540, 200:400] = 0
        assert not decoded_as_written(through("JPEG", covered), picture, covered)  # a cover was drawn
    finally:
        ocr.forget_readings()


def test_a_photo_with_nothing_to_cover_is_read_once_and_published(secret_dir, tmp_path, monkeypatch):
    """Through the pipeline: a photo without faces or text is published, and
    its output's text (for verification and the second look) is the input's
    reading: Tesseract read the photo once, with one orientation check."""
    from tabir.redactors.config import load_config
    from tabir.redactors.pipeline import Pipeline

    policy = tmp_path / "policy.yaml"
    policy.write_text(f"version: 1\nsecret_file: {secret_dir / 'manifest.key'}\n")
    pipeline = Pipeline(load_config(policy), tmp_path / "out")
    picture = np.full((900, 1600, 3), 200, np.uint8)  # a plain wall with a soft shadow: nothing to read
    picture[:, :800] = 170
    picture = cv2.GaussianBlur(picture, (0, 0), 25)
    out = io.BytesIO()
    Image.fromarray(picture).save(out, "JPEG", quality=95)
    redact.forget_pictures()
    started = _counting_tesseract(monkeypatch)
    outcome = pipeline.redact_bytes(PurePosixPath("rumah.jpg"), out.getvalue())
    assert outcome.record.status == "redacted", outcome.record.reason
    assert not outcome.record.findings
    readings = [c for c in started if "tsv" in c]
    assert len(readings) == 1 and _orientation_checks(started) == 1, started
