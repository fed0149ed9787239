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
    cases += adversarial.turned_scans(SEED) + adversarial.id_card_photos(SEED) + adversarial.hidden_picture_text(SEED)
    cases += adversarial.pdf_carriers(SEED) + adversarial.unreadable_text_pages(SEED)
    cases += adversarial.picture_strips(SEED) + adversarial.type3_and_outline_pages(SEED, work / "build")
    cases += adversarial.small_pictures(SEED, work / "build") + adversarial.words_among_text(SEED, work / "build")
    cases += adversarial.hybrid_exports(SEED, work / "build") + adversarial.blacked_out_by_hand(SEED, work / "build")
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
        if "raw" in case.read_with:
            views += adversarial.raw_views(published)
        if "ocr" in case.read_with:
            views += adversarial.ocr_views_of(out / record["output"], work / "ocr" / case.name)
        for value in case.planted:
            if adversarial.still_readable(value, views):
                problems.append(f"{case.name}: planted {value!r} is still readable")
        for word in case.kept:
            if not any(word.casefold() in view.casefold() for view in views):
                problems.append(f"{case.name}: {word!r} should still be readable and is not")
        if case.clean and case.name.endswith(".pdf"):
            original = adversarial.pdf_text_views(case.data)[0].split()
            kept = adversarial.pdf_text_views(published)[0].split()
            if original != kept:
                problems.append(f"{case.name}: a clean file lost words: {sorted(set(original) - set(kept))[:10]}")
    return problems


def test_values_split_by_layout_are_gone(corpus_run):
    assert _problems(*corpus_run, "layout") == []


def test_turned_scans_and_photos_are_read_upright(corpus_run):
    assert _problems(*corpus_run, "turned") == []


def test_scan_shown_upright_through_rotate_comes_out_upright_and_whole(corpus_run):
    import pymupdf

    cases, out, records, _ = corpus_run
    case = next(c for c in cases if c.name.startswith("scan_rotate_"))
    with pymupdf.open(stream=case.data) as before, pymupdf.open(out / records[case.name]["output"]) as after:
        shown, page = before[0].rect, after[0]
        assert page.rotation == 0
        assert (round(page.rect.width), round(page.rect.height)) == (round(shown.width), round(shown.height))


def test_every_field_of_an_id_card_goes_and_its_labels_stay(corpus_run):
    assert _problems(*corpus_run, "id_card") == []


def test_text_hidden_in_pictures_is_gone(corpus_run):
    assert _problems(*corpus_run, "hidden_picture_text") == []


def test_what_a_viewer_hides_is_not_published(corpus_run):
    assert _problems(*corpus_run, "pdf_carriers") == []


def test_text_the_extractor_cannot_read_is_treated_as_a_scan(corpus_run):
    assert _problems(*corpus_run, "unreadable_text") == []


def test_a_few_words_that_do_not_extract_among_ordinary_text_are_gone(corpus_run):
    assert _problems(*corpus_run, "words_among_text") == []


def test_what_was_blacked_out_by_hand_is_gone_and_a_dark_header_stays(corpus_run):
    assert _problems(*corpus_run, "blacked_out") == []
