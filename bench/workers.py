"""Files per minute through `tabir run` with one worker and with several,
on the same mixed batch (casework PDFs, Word reports, photos), whole
process as a user runs it, in one script.

    .venv/bin/python bench/workers.py [--pdfs 24] [--docx 12] [--photos 12] [--workers 2]

Every file is different (a photo repeated byte for byte would be answered
from the per-process memo of pictures)."""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# bench/docx.py would shadow python-docx: import from the repository, not from bench/.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
sys.path.insert(0, str(REPO))

import docx  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from scripts import make_docx_sample  # noqa: E402
from scripts.make_sample_data import long_report_pdf, photo_jpeg  # noqa: E402


def make_batch(folder: Path, pdfs: int, words: int, photos: int) -> int:
    folder.mkdir(parents=True)
    for i in range(pdfs):
        (folder / f"laporan_{i:03}.pdf").write_bytes(long_report_pdf(5, 1000 + i))
    base = make_docx_sample.build()
    for i in range(words):
        document = docx.Document(io.BytesIO(base))
        document.add_paragraph(f"Catatan tambahan nomor {i} untuk berkas ini.")
        out = io.BytesIO()
        document.save(out)
        (folder / f"catatan_{i:03}.docx").write_bytes(out.getvalue())
    photo = np.asarray(Image.open(io.BytesIO(photo_jpeg())).convert("RGB")).copy()
    rng = np.random.default_rng(7)
    for i in range(photos):
        varied = photo.copy()
        varied[-20:, -20:] = rng.integers(0, 255, (20, 20, 3), dtype=np.uint8)  # a corner, away from the face
        out = io.BytesIO()
        Image.fromarray(varied).save(out, "JPEG", quality=90)
        (folder / f"foto_{i:03}.jpg").write_bytes(out.getvalue())
    return pdfs + words + photos


def timed_run(inbox: Path, out: Path, workers: int) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tabir.flows.cli", "run", str(inbox), "--out", str(out),
                           "--workers", str(workers)], cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"tabir run --workers {workers} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pdfs", type=int, default=24)
    parser.add_argument("--docx", type=int, default=12)
    parser.add_argument("--photos", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tabir-bench-workers-") as tmp:
        inbox = Path(tmp) / "inbox"
        files = make_batch(inbox, args.pdfs, args.docx, args.photos)
        one = timed_run(inbox, Path(tmp) / "out-1", 1)
        many = timed_run(inbox, Path(tmp) / f"out-{args.workers}", args.workers)
    print(f"{files} files ({args.pdfs} PDFs of 5 pages, {args.docx} Word reports, {args.photos} photos), "
          "whole `tabir run` process:")
    print(f"  1 worker:  {one:6.1f} s  {files / one * 60:6.1f} files/minute")
    print(f"  {args.workers} workers: {many:6.1f} s  {files / many * 60:6.1f} files/minute")
    print(f"  ratio {one / many:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
