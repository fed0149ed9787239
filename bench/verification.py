"""What the second look costs: seconds per page with verification by values
only (the baseline), with the second look over text layers, and with the
thorough second look that also OCRs pictures (the default), on text PDFs,
scanned pages and a photo, through the pipeline (redact + verify), in one
process after a warm-up.

    .venv/bin/python bench/verification.py [--text-pages 20] [--scan-pages 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path, PurePosixPath

REPO = Path(__file__).resolve().parent.parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(REPO))

import pymupdf  # noqa: E402

from tabir.redactors.config import load_config  # noqa: E402
from tabir.redactors.pixels.redact import forget_pictures  # noqa: E402
from tabir.redactors.pipeline import Pipeline  # noqa: E402


def text_pdf(pages: int) -> bytes:
    import importlib.util

    spec = importlib.util.spec_from_file_location("scaling", REPO / "bench" / "scaling.py")
    scaling = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scaling)
    return scaling.casework_pdf(pages, 5)


def scanned_pdf(pages: int) -> bytes:
    """The casework pages rendered at 150 dpi and put back as pictures only."""
    with pymupdf.open(stream=text_pdf(pages)) as source:
        out = pymupdf.open()
        for page in source:
            picture = page.get_pixmap(dpi=150).tobytes("png")
            new = out.new_page(width=page.rect.width, height=page.rect.height)
            new.insert_image(new.rect, stream=picture)
        return out.tobytes(deflate=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--text-pages", type=int, default=20)
    parser.add_argument("--scan-pages", type=int, default=4)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tabir-bench-verify-"))
    inputs = [("text PDF", "a.pdf", text_pdf(args.text_pages), args.text_pages),
              ("scanned PDF", "b.pdf", scanned_pdf(args.scan_pages), args.scan_pages),
              ("photo 6 MP", "c.jpg", photo(), 1)]
    modes = {"values": "  second_look: false\n", "text layers": "  second_look: true\n  read_pictures: false\n",
             "thorough": "  second_look: true\n  read_pictures: true\n"}
    pipelines = {}
    for mode, settings in modes.items():
        policy = work / f"{mode.replace(' ', '_')}.yaml"
        policy.write_text(f"version: 1\nsecret_file: {work / 'key'}\nverification:\n{settings}")
        pipelines[mode] = Pipeline(load_config(policy), work / mode.replace(" ", "_"))
        pipelines[mode].redact_bytes(PurePosixPath("warm.pdf"), text_pdf(1))
    print("seconds per page (photo: per photo); ratios against verification by values only")
    print(f"{'input':12} {'pages':>5} {'values':>8} {'text layers':>12} {'thorough':>9} {'ratio text':>11} "
          f"{'ratio thorough':>15}  status")
    for label, name, data, pages in inputs:
        seconds, statuses = {}, []
        for mode, pipeline in pipelines.items():
            forget_pictures()  # each mode reads the pictures itself
            start = time.perf_counter()
            outcome = pipeline.redact_bytes(PurePosixPath(name), data)
            seconds[mode] = (time.perf_counter() - start) / pages
            statuses.append(outcome.record.status)
        print(f"{label:12} {pages:5d} {seconds['values']:8.3f} {seconds['text layers']:12.3f} {seconds['thorough']:9.3f} "
              f"{seconds['text layers'] / seconds['values']:11.2f} {seconds['thorough'] / seconds['values']:15.2f}"
              f"  {'/'.join(statuses)}")
    return 0


def photo() -> bytes:
    """A 6 MP phone-like photo: the astronaut (a face) and a caption."""
    import cv2
    import skimage.data

    canvas = cv2.resize(skimage.data.astronaut()[:, :, ::-1], (3000, 2000))
    cv2.putText(canvas, "Kegiatan posyandu bersama ibu Siti Aminah", (100, 1900), cv2.FONT_HERSHEY_SIMPLEX, 3,
                (255, 255, 255), 6)
    return cv2.imencode(".jpg", canvas, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


if __name__ == "__main__":
    raise SystemExit(main())
