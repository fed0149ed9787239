"""What the second look costs: seconds per page with verification by values
only and with the second look (the default), on text PDFs and on scanned
pages, through the pipeline (redact + verify), in one process after a
warm-up.

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

from redactors.config import load_config  # noqa: E402
from redactors.pipeline import Pipeline  # noqa: E402


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
              ("scanned PDF", "b.pdf", scanned_pdf(args.scan_pages), args.scan_pages)]
    pipelines = {}
    for mode in ("values", "second look"):
        policy = work / f"{mode.replace(' ', '_')}.yaml"
        policy.write_text(f"version: 1\nsecret_file: {work / 'key'}\nverification:\n"
                          f"  second_look: {'true' if mode == 'second look' else 'false'}\n")
        pipelines[mode] = Pipeline(load_config(policy), work / mode.replace(" ", "_"))
        pipelines[mode].redact_bytes(PurePosixPath("warm.pdf"), text_pdf(1))
    print(f"{'input':12} {'pages':>5} {'values s/page':>14} {'second look s/page':>19} {'ratio':>6}  status")
    for label, name, data, pages in inputs:
        seconds, statuses = {}, []
        for mode, pipeline in pipelines.items():
            start = time.perf_counter()
            outcome = pipeline.redact_bytes(PurePosixPath(name), data)
            seconds[mode] = (time.perf_counter() - start) / pages
            statuses.append(outcome.record.status)
        print(f"{label:12} {pages:5d} {seconds['values']:14.3f} {seconds['second look']:19.3f} "
              f"{seconds['second look'] / seconds['values']:6.2f}  {'/'.join(statuses)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
