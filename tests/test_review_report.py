"""`tabir report`: one self-contained HTML file with the outputs' pages and
the redacted areas outlined, and no original content: every planted value
is searched for in the report, in its text and inside its embedded pictures
(OCR)."""

from __future__ import annotations

import base64
import re
import subprocess
import sys

import cv2
import numpy as np

from tabir.redactors.pixels.ocr import read_words
from scripts import make_sample_data as samples

from .conftest import PLANTED, REPO


def test_the_report_shows_outputs_and_holds_no_value(inbox, tmp_path, run_library):
    (inbox / "foto.jpg").write_bytes(samples.photo_jpeg())
    out = tmp_path / "out"
    manifest = run_library(inbox, out)
    report = tmp_path / "report.html"
    done = subprocess.run([sys.executable, "-m", "tabir.flows.cli", "report", str(out), "--html", str(report)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    html = report.read_text(encoding="utf-8")
    assert manifest["run_id"] in html and "http" not in html.replace("http-equiv", "")  # nothing fetched
    pictures = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    assert len(pictures) >= len([f for f in manifest["files"] if f.get("output")])
    words = " ".join(read_words(cv2.imdecode(np.frombuffer(base64.b64decode(p), np.uint8), cv2.IMREAD_COLOR)).text
                     for p in pictures)
    assert len(words.split()) > 30  # OCR reads the thumbnails: the search below means something
    for value in PLANTED:
        assert value not in html, value
        assert value.casefold() not in words.casefold(), value
    # the redacted areas are outlined in red on the pages
    first = cv2.imdecode(np.frombuffer(base64.b64decode(pictures[0]), np.uint8), cv2.IMREAD_COLOR)
    assert ((first[:, :, 2] > 200) & (first[:, :, 1] < 40) & (first[:, :, 0] < 40)).sum() > 20
