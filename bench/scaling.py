"""Cost against document length: casework PDFs and Word files of 10, 100, 400
and 1,000 pages (synthetic casework sentences, a different person, address
and number in almost every sentence), each redacted and verified in a fresh
process after a warm-up. Prints seconds per page and peak memory per size,
and the ratio of the per-page time at the largest size to the 100-page one
(linear cost: about 1.0; the target is <= 1.3).

    .venv/bin/python bench/scaling.py [--pages 10 100 400 1000] [--formats pdf docx]
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# bench/docx.py must not shadow the python-docx package.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
SENTENCES_PER_PAGE = 12


def casework_pdf(pages: int, seed: int) -> bytes:
    import pymupdf

    from scripts.casework_synth import generate

    examples = generate(pages * SENTENCES_PER_PAGE, seed)
    doc = pymupdf.open()
    for page_no in range(pages):
        page = doc.new_page()
        chunk = examples[page_no * SENTENCES_PER_PAGE:(page_no + 1) * SENTENCES_PER_PAGE]
        text = f"Catatan kasus, halaman {page_no + 1}\n\n" + "\n\n".join(e.text for e in chunk)
        page.insert_textbox(pymupdf.Rect(50, 50, 545, 800), text, fontsize=9, fontname="helv")
    return doc.tobytes(garbage=3, deflate=True)


def casework_docx(pages: int, seed: int) -> bytes:
    import docx

    from scripts.casework_synth import generate

    document = docx.Document()
    for index, example in enumerate(generate(pages * SENTENCES_PER_PAGE, seed)):
        if index % SENTENCES_PER_PAGE == 0:
            document.add_heading(f"Bagian {index // SENTENCES_PER_PAGE + 1}", level=2)
        document.add_paragraph(example.text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def measure_one(fmt: str, pages: int) -> dict:
    """In this process: warm up on a 1-page file, then redact and verify one
    file of `pages` pages through the pipeline (no publishing)."""
    from pathlib import PurePosixPath

    from tabir.redactors.config import load_config
    from tabir.redactors.pipeline import Pipeline

    make = casework_pdf if fmt == "pdf" else casework_docx
    work = Path(tempfile.mkdtemp(prefix="tabir-scaling-"))
    policy = work / "policy.yaml"
    policy.write_text(f"version: 1\nsecret_file: {work / 'secret.key'}\nlimits:\n  max_pages: 5000\n")
    pipeline = Pipeline(load_config(policy), work / "out")
    name = PurePosixPath(f"kasus.{fmt}")
    pipeline.redact_bytes(name, make(1, 7))
    warm_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    data = make(pages, pages)
    start = time.perf_counter()
    outcome = pipeline.redact_bytes(name, data)
    seconds = time.perf_counter() - start
    record = outcome.record
    return {
        "format": fmt, "pages": pages, "seconds": seconds, "status": record.status,
        "reason": (record.reason or "")[:200], "findings": len(record.findings),
        "warm_mb": warm_rss, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, nargs="+", default=[10, 100, 400, 1000])
    parser.add_argument("--formats", nargs="+", default=["pdf", "docx"])
    parser.add_argument("--one", nargs=2, metavar=("FORMAT", "PAGES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    if args.one:
        print(json.dumps(measure_one(args.one[0], int(args.one[1]))))
        return 0

    print(f"{'format':6} {'pages':>6} {'seconds':>9} {'s/page':>8} {'findings':>9} {'warm MB':>8} {'peak MB':>8}  status")
    for fmt in args.formats:
        per_page = {}
        for pages in args.pages:
            done = subprocess.run([sys.executable, __file__, "--one", fmt, str(pages)], capture_output=True, text=True)
            if done.returncode != 0:
                print(f"{fmt:6} {pages:6d} failed: {done.stderr[-500:]}")
                continue
            row = json.loads(done.stdout.strip().splitlines()[-1])
            per_page[pages] = row["seconds"] / pages
            print(f"{fmt:6} {pages:6d} {row['seconds']:9.1f} {per_page[pages]:8.3f} {row['findings']:9d} "
                  f"{row['warm_mb']:8.0f} {row['peak_mb']:8.0f}  {row['status']} {row['reason']}", flush=True)
        if 100 in per_page and len(per_page) > 1:
            largest = max(per_page)
            print(f"{fmt}: seconds per page at {largest} pages / at 100 pages = {per_page[largest] / per_page[100]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
