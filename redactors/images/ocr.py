"""Text inside images with Tesseract (Debian's tesseract-ocr with the ind and
eng data), as words with boxes, so that a finding in the recognised text
maps back to pixels.

Run as a subprocess on a PNG given on stdin (no shell, no temp file). Small
images are upscaled first: Tesseract reads text best at about 30 px x-height.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from dataclasses import dataclass

import cv2
import numpy as np

LANGUAGES = "ind+eng"
TIMEOUT_S = 120
MIN_CONFIDENCE = 0  # keep weak words: a half-read name must still be covered


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in the original image
    confidence: float


@dataclass
class OcrText:
    text: str
    words: list[Word]

    def boxes_for(self, start: int, end: int) -> list[tuple[int, int, int, int]]:
        return [w.box for w in self.words if w.start < end and start < w.end]


class TesseractMissing(RuntimeError):
    pass


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def read_words(bgr: np.ndarray) -> OcrText:
    if not tesseract_available():
        raise TesseractMissing("Tesseract is not installed: sudo apt-get install tesseract-ocr tesseract-ocr-ind")
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY) if bgr.ndim == 3 else bgr
    factor = 2.0 if max(gray.shape) < 1600 else 1.0
    if factor != 1.0:
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    png = cv2.imencode(".png", gray)[1].tobytes()
    result = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", LANGUAGES, "--psm", "11", "tsv"],
        input=png, capture_output=True, timeout=TIMEOUT_S, check=False,
    )
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
