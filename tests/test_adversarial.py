"""The adversarial corpus (tests/adversarial.py) through `tabir run` as a user
runs it: every planted value is gone from what is published, as read by
tools that are not Tabir's, and clean files are published, not reviewed."""

from __future__ import annotations

import json
import os

import pytest

from . import adversarial
from .test_cli import run_tabir

SEED = int(os.environ.get("TABIR_ADVERSARIAL_SEED", "11"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not adversarial.tools_available(), reason="needs LibreOffice, poppler and Tesseract"),
]


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory, policy_file):
    work = tmp_path_factory.mktemp("adversarial")
    cases = adversarial.layout_split_reports(SEED, work / "build")
    inbox = work / "inbox"
    inbox.mkdir()
    for case in cases:
        (inbox / case.name).write_bytes(case.data)
    out = work / "out"
    result = run_tabir(["run", inbox, "--out", out], work, timeout=900)
    assert result.returncode in (0, 3), result.stderr[-3000:]
    manifest = json.loads((out / "manifests" / "latest.json").read_text())
    records = {r["input"]: r for r in manifest["files"]}
    return cases, out, records, work


def _problems(cases, out, records, work, leak_class):
    problems = []
    chosen = [c for c in cases if c.leak_class == leak_class]
    assert chosen, f"no case of class {leak_class}"
    for case in chosen:
        record = records[case.name]
        if record["status"] != "redacted":
            problems.append(f"{case.name}: {record['status']} ({record.get('reason')}), expected published")
            continue
        published = (out / record["output"]).read_bytes()
        views = []
        if "text" in case.read_with:
            views += adversarial.pdf_text_views(published)
        if "ocr" in case.read_with:
            views.append(adversarial.ocr_of_pdf(published, work / "ocr" / case.name))
        for value in case.planted:
            if adversarial.still_readable(value, views):
                problems.append(f"{case.name}: planted {value!r} is still readable")
        if case.clean:
            original = adversarial.pdf_text_views(case.data)[0].split()
            kept = adversarial.pdf_text_views(published)[0].split()
            if original != kept:
                problems.append(f"{case.name}: a clean file lost words: {sorted(set(original) - set(kept))[:10]}")
    return problems


def test_values_split_by_layout_are_gone(corpus_run):
    assert _problems(*corpus_run, "layout") == []
