"""Word redaction speed: documents and paragraphs per second for generated
10-page and 100-page Indonesian case reports, next to python-docx's plain
load-and-save of the same files (the floor), as a ratio. Same process, warm.

    .venv/bin/python bench/docx.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# This file is named docx.py, as the issue asks; its own folder must not
# shadow the python-docx package.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(REPO))

import docx  # noqa: E402

from tabir.redactors.config import load_config  # noqa: E402
from tabir.redactors.formats import RedactionContext  # noqa: E402
from tabir.redactors.formats.docx import DocxHandler  # noqa: E402
from tabir.redactors.detect.factory import detector_for  # noqa: E402
from scripts.casework_synth import generate  # noqa: E402

PARAGRAPHS_PER_PAGE = 12


def report(pages: int, seed: int) -> tuple[bytes, int]:
    document = docx.Document()
    examples = generate(pages * PARAGRAPHS_PER_PAGE, seed)
    rng = random.Random(seed)
    for index, example in enumerate(examples):
        if index % PARAGRAPHS_PER_PAGE == 0:
            document.add_heading(f"Bagian {index // PARAGRAPHS_PER_PAGE + 1}", level=2)
        paragraph = document.add_paragraph()
        cut = rng.randint(0, len(example.text))
        paragraph.add_run(example.text[:cut]).bold = rng.random() < 0.3
        paragraph.add_run(example.text[cut:])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), len(examples) + pages


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config = load_config()
    handler = DocxHandler()
    ctx = RedactionContext(detector_for(config), config)
    handler.redact(report(1, 0)[0], ctx)  # warm-up

    print(f"{'document':14} {'paragraphs':>10} {'floor s':>8} {'tabir s':>8} {'docs/s':>7} {'para/s':>8} {'ratio':>6}")
    for pages in (10, 100):
        data, paragraphs = report(pages, pages)
        start = time.perf_counter()
        for _ in range(args.repeat):
            docx.Document(io.BytesIO(data)).save(io.BytesIO())
        floor = (time.perf_counter() - start) / args.repeat
        start = time.perf_counter()
        for _ in range(args.repeat):
            result = handler.redact(data, ctx)
            handler.verify(result.output, result.sensitive_values(), result.inserted, ctx)
        tabir = (time.perf_counter() - start) / args.repeat
        print(f"{pages:4d}-page       {paragraphs:10d} {floor:8.3f} {tabir:8.3f} {1 / tabir:7.2f} {paragraphs / tabir:8.1f} {tabir / floor:6.1f}x")
    print("tabir = redact + verify (detection included); floor = python-docx load and save")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
