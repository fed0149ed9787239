"""Does preprocessing help Tesseract find the values Tabir must redact?

Synthetic document pictures (ID-card fields, a note, a chat screenshot: the
held-back casework sentences rendered with Pillow's built-in font) at three
text sizes and three conditions (clean; photo-like: blur, noise, low
contrast; light text on dark), OCRed with the same Tesseract call Tabir makes
(ind+eng, sparse text, TSV) after each preprocessing variant:

  gray             grayscale only
  gray+2x          grayscale, upscaled 2x when the picture is small (shipped)
  gray+2x+adaptive the same, then an adaptive threshold
  gray+2x+otsu     the same, then Otsu's global threshold

Metric: the share of planted values (names, NIK, phone, address words) whose
every word appears in the OCR text, and milliseconds per picture (one
thread). The baseline is "gray", in the same run.

With --languages, the shipped preprocessing with Tesseract's language data
varied instead (ind+eng, shipped, is the baseline): with two languages
Tesseract reads again with the second each word the first reads with low
certainty, which names and photo textures always are.

    OMP_THREAD_LIMIT=1 .venv/bin/python bench/ocr.py [--sentences 12] [--languages]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.casework_synth import generate  # noqa: E402

SIZES = {"small (10 px font)": 10, "medium (16 px)": 16, "large (28 px)": 28}
CONDITIONS = ("clean", "photo-like", "light on dark")


def render(lines: list[str], size: int, condition: str, rng: np.random.Generator) -> np.ndarray:
    font = ImageFont.load_default(size=size)
    width = max(int(font.getlength(line)) for line in lines) + 40
    height = (size + size // 2) * len(lines) + 40
    dark = condition == "light on dark"
    image = Image.new("L", (width, height), 30 if dark else 245)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((20, 20 + i * (size + size // 2)), line, fill=230 if dark else 20, font=font)
    gray = np.asarray(image, dtype=np.float32)
    if condition == "photo-like":
        gray = cv2.GaussianBlur(gray, (0, 0), 0.8)
        gray = 90 + gray * 0.45 + rng.normal(0, 10, gray.shape)  # low contrast, sensor noise
    return np.clip(gray, 0, 255).astype(np.uint8)


def preprocess(gray: np.ndarray, variant: str) -> np.ndarray:
    if variant == "gray":
        return gray
    if max(gray.shape) < 1600:  # what redactors/pixels/ocr.py does
        gray = cv2.resize(gray, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)
    if variant.endswith("adaptive"):
        return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 10)
    if variant.endswith("otsu"):
        return cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]
    return gray


def tesseract_words(gray: np.ndarray, languages: str = "ind+eng") -> set[str]:
    png = cv2.imencode(".png", gray)[1].tobytes()
    out = subprocess.run(["tesseract", "stdin", "stdout", "-l", languages, "--psm", "11", "tsv"],
                         input=png, capture_output=True, check=True).stdout.decode("utf-8", "replace")
    words = set()
    for row in out.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) == 12 and cells[11].strip():
            words.update(_words(cells[11]))
    return words


def _words(text: str) -> list[str]:
    return [w.casefold() for w in re.findall(r"[\w@.]+", text) if any(c.isalnum() for c in w)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=12, help="casework sentences per picture group")
    parser.add_argument("--languages", action="store_true",
                        help="compare Tesseract's language data (shipped preprocessing) instead of preprocessing")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    rng = np.random.default_rng(20261122)
    examples = generate(args.sentences * 3, 20261122)
    variants = (("ind+eng", "ind", "eng") if args.languages
                else ("gray", "gray+2x", "gray+2x+adaptive", "gray+2x+otsu"))
    print("| text size | condition | " + " | ".join(variants) + " |")
    print("|---|---|" + "---|" * len(variants))
    totals = {v: [0, 0, 0.0] for v in variants}
    for size_name, size in SIZES.items():
        for condition in CONDITIONS:
            found = {v: 0 for v in variants}
            planted = 0
            for group in range(3):
                chunk = examples[group * args.sentences:(group + 1) * args.sentences]
                lines = [ex.text[:90] for ex in chunk]
                values = [ex.text[s:e] for ex in chunk for s, e, _ in ex.spans if e <= 90]
                gray = render(lines, size, condition, rng)
                planted += len(values)
                for variant in variants:
                    start = time.perf_counter()
                    if args.languages:
                        words = tesseract_words(preprocess(gray, "gray+2x"), variant)
                    else:
                        words = tesseract_words(preprocess(gray, variant))
                    totals[variant][2] += time.perf_counter() - start
                    hits = sum(all(w in words for w in _words(v)) for v in values)
                    found[variant] += hits
                    totals[variant][0] += hits
                    totals[variant][1] += len(values)
            cells = " | ".join(f"{found[v] / planted:.2f}" for v in variants)
            print(f"| {size_name} | {condition} | {cells} |")
    pictures = len(SIZES) * len(CONDITIONS) * 3
    print("| **all** | | " + " | ".join(f"**{t[0] / t[1]:.2f}**" for t in totals.values()) + " |")
    print("| ms per picture | | " + " | ".join(f"{1000 * t[2] / pictures:.0f}" for t in totals.values()) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
