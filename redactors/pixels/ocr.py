"""Text inside images with Tesseract (Debian's tesseract-ocr with the ind and
eng data), as words with boxes, so that a finding in the recognised text
maps back to pixels.

Run as a subprocess on a PNG given on stdin (no shell, no temp file). Small
images are upscaled first: Tesseract reads text best at about 30 px x-height.
"""

from __future__ import annotations

from ..errors import MissingDependency

import csv
import io
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass

import cv2
import numpy as np

from .memo import PixelMemo

LANGUAGES = "ind+eng"
TIMEOUT_S = 120
MIN_CONFIDENCE = 0  # keep weak words: a half-read name must still be covered


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in the original image
    confidence: float
    # The box in the picture turned upright, where it was turned to be read:
    # rows and columns of a form are only rows and columns there.
    upright_box: tuple[int, int, int, int] | None = None

    @property
    def reading_box(self) -> tuple[int, int, int, int]:
        return self.upright_box or self.box


@dataclass
class OcrText:
    text: str
    words: list[Word]
    # Degrees the picture was found to need turning by Tesseract's
    # orientation check (0 included), or None when it was not checked (the
    # text read well as it lies).
    turn: int | None = None

    def boxes_for(self, start: int, end: int) -> list[tuple[int, int, int, int]]:
        return [w.box for w in self.words if w.start < end and start < w.end]


class TesseractMissing(MissingDependency):
    pass


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


# Readings are small (words and boxes, tens of KB a page) and a document's
# pages are read in turn by redaction, verification and the second look: a
# memo of eight readings missed every page of a document of more than eight
# pages read that way (a 10-page report in a Type 3 font through the
# pipeline: 19.6 s with eight, 7.6-7.7 s with 256; a throwaway script).
_READINGS: PixelMemo[OcrText] = PixelMemo(kept=256)


def read_words(bgr: np.ndarray, made_from: np.ndarray | None = None, unchanged: bool = False) -> OcrText:
    """Words as they lie, and, when they do not read well, as they read
    after turning the picture upright: a KTP photographed or scanned on its
    side is otherwise OCRed as noise and keeps its name and NIK.

    Remembered by pixels (memo.py): verification and the second look read
    the same decoded output.

    `made_from`: the picture these pixels were made from by covering parts
    of it (a redacted output, decoded), when it was read before. Its text
    lies the way the earlier reading found: covers take text away, they do
    not turn it. So its orientation is not checked again, and a group photo
    whose faces are covered is not read a third time, turned, because the
    check now guesses 180 degrees at a confidence of 1.0-1.6 from the
    covers (README, Faces). `unchanged`: the caller has checked that these
    pixels are that picture's, nothing covered, up to encoding noise
    (faces.decoded_as_written): the earlier reading is theirs."""
    earlier = _READINGS.peek(made_from) if made_from is not None and made_from.shape == bgr.shape else None
    if earlier is not None and unchanged:
        return _READINGS.get(bgr, lambda _: earlier)
    known_turn = earlier.turn if earlier is not None else None
    return _READINGS.get(bgr, lambda pixels: _read_words(pixels, known_turn))


def forget_readings() -> None:
    _READINGS.clear()


def _read_words(bgr: np.ndarray, known_turn: int | None = None) -> OcrText:
    """`known_turn`: the orientation, when an earlier reading of the
    picture these pixels were made from checked it."""
    gray = _gray(bgr)
    png = _png(gray)
    # With two cores, the orientation is checked while the text is read
    # upright, and stopped when the text reads well: a photo without text
    # (a room, a house) always needs both, one after the other they were
    # 2.0 s of a 12 MP photo's reading, side by side 1.4 s.
    check = _Beside(_ORIENTATION, png) if cv2.getNumThreads() >= 2 and known_turn is None else None
    try:
        upright = _read(gray, png)
        if _reads_well(upright):
            return upright
        if known_turn is not None:
            turn = known_turn
        else:
            turn = _turn(check.result()) if check else orientation(gray, png)
    finally:
        if check:
            check.stop()  # killed when still running; nothing is left behind
    if not turn:
        return OcrText(upright.text, upright.words, turn)
    turned = _read(np.ascontiguousarray(np.rot90(gray, k=-turn // 90)))
    if _confident_words(turned) <= _confident_words(upright):
        return OcrText(upright.text, upright.words, turn)
    height, width = gray.shape[:2]
    return OcrText(turned.text, [Word(w.start, w.end, _box_back(w.box, turn, width, height), w.confidence, w.box)
                                 for w in turned.words], turn)


def _tesseract(arguments: list[str], png: bytes) -> subprocess.CompletedProcess:
    """Tesseract on one PNG, always on one thread. A second OpenMP thread
    gains it nothing here (a 300 dpi page 0.75 s either way, a 12 MP photo
    1.30 s), and beside the face model, which reads the same picture at the
    same time on a two-core process (redact.side_by_side), its threads
    fought the model's: a photo without faces took 9.6 s with two, 5.6 s
    with one (three photos, twice each, interleaved; /tmp script, figures in
    README's Faces section)."""
    return subprocess.run(["tesseract", "stdin", "stdout", *arguments], input=png, capture_output=True,
                          timeout=TIMEOUT_S, check=False, env=dict(os.environ, OMP_THREAD_LIMIT="1"))


class _Beside:
    """A Tesseract process working beside this thread; its result is waited
    for, or it is stopped (killed and reaped: nothing is left running)."""

    def __init__(self, arguments: list[str], png: bytes):
        self._command = ["tesseract", "stdin", "stdout", *arguments]
        self._process = subprocess.Popen(self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, env=dict(os.environ, OMP_THREAD_LIMIT="1"))
        self._output: tuple[bytes, bytes] = (b"", b"")
        self._thread = threading.Thread(target=self._feed, args=(png,), name="tabir-ocr-beside", daemon=True)
        self._thread.start()

    def _feed(self, png: bytes) -> None:
        try:
            self._output = self._process.communicate(png, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._output = self._process.communicate()
        except (BrokenPipeError, ValueError, OSError):  # stopped while its input was written
            self._process.kill()
            self._process.wait()

    def result(self) -> subprocess.CompletedProcess:
        self._thread.join()
        return subprocess.CompletedProcess(self._command, self._process.returncode, *self._output)

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._thread.join()


def _gray(bgr: np.ndarray) -> np.ndarray:
    if not tesseract_available():
        raise TesseractMissing("Tesseract is not installed: sudo apt-get install tesseract-ocr tesseract-ocr-ind")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY) if bgr.ndim == 3 else bgr


# Upright text is read with high confidence; text on its side gives a few
# low-confidence fragments. Below this many confident words, the
# orientation is checked (OSD costs ~0.9 s on a 200 dpi page).
READS_WELL_WORDS = 8


def _confident_words(ocr: OcrText) -> int:
    return sum(1 for w in ocr.words if w.confidence >= 70 and w.end - w.start >= 3)


def _reads_well(ocr: OcrText) -> bool:
    confident = _confident_words(ocr)
    return confident >= READS_WELL_WORDS and confident >= 0.5 * len(ocr.words)


_ORIENTATION = ["--psm", "0"]


def orientation(gray: np.ndarray, png: bytes | None = None) -> int:
    """Degrees (0, 90, 180, 270) to turn the picture clockwise to make its
    text upright, by Tesseract's orientation detection; 0 when it cannot
    tell (too little text, a photo). `png`: the picture already encoded."""
    return _turn(_tesseract(_ORIENTATION, png if png is not None else _png(gray)))


def _turn(result: subprocess.CompletedProcess) -> int:
    text = result.stdout.decode("utf-8", "replace")
    rotate = re.search(r"Rotate:\s*(\d+)", text)
    confidence = re.search(r"Orientation confidence:\s*([\d.]+)", text)
    if result.returncode != 0 or not rotate or not confidence or float(confidence.group(1)) < MIN_OSD_CONFIDENCE:
        return 0
    return int(rotate.group(1)) % 360


MIN_OSD_CONFIDENCE = 1.0


def _box_back(box: tuple[int, int, int, int], turn: int, width: int, height: int) -> tuple[int, int, int, int]:
    """A box found in the picture turned `turn` degrees clockwise, in the
    coordinates of the picture as it lies (width x height)."""
    x0, y0, x1, y1 = box
    if turn == 90:  # turned (x, y) = (height - y, x)
        return (y0, height - x1, y1, height - x0)
    if turn == 180:
        return (width - x1, height - y1, width - x0, height - y0)
    if turn == 270:  # turned (x, y) = (y, width - x)
        return (width - y1, x0, width - y0, x1)
    return box


def _png(gray: np.ndarray) -> bytes:
    return cv2.imencode(".png", gray)[1].tobytes()


def _read(gray: np.ndarray, png: bytes | None = None) -> OcrText:
    """The words of `gray` (`png`: it already encoded, used unless the
    picture is small and upscaled first)."""
    factor = 2.0 if max(gray.shape) < 1600 else 1.0
    if factor != 1.0:
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
        png = None
    if png is None:
        png = _png(gray)
    result = _tesseract(["-l", LANGUAGES, "--psm", "11", "tsv"], png)
    if result.returncode != 0:
        raise RuntimeError(f"Tesseract failed: {result.stderr.decode(errors='replace')[-300:]}")
    return _parse_tsv(result.stdout.decode("utf-8", "replace"), factor)


def _parse_tsv(tsv: str, factor: float) -> OcrText:
    text, words = "", []
    previous_line = None
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        token = (row.get("text") or "").strip()
        if row.get("level") != "5" or not token:
            continue
        confidence = float(row.get("conf") or -1)
        if confidence < MIN_CONFIDENCE:
            continue
        line = (row["block_num"], row["par_num"], row["line_num"])
        if text:
            text += " " if line == previous_line else "\n"
        previous_line = line
        left, top, width, height = (int(row[k]) for k in ("left", "top", "width", "height"))
        box = (int(left / factor), int(top / factor), int((left + width) / factor) + 1, int((top + height) / factor) + 1)
        words.append(Word(len(text), len(text) + len(token), box, confidence))
        text += token
    return OcrText(text, words)
