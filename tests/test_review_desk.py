"""The review desk's actions, on real files: each is followed by redaction
and verification again, changes the published file (proven with pdftotext
and the pixels, not with our own reader), and is recorded in the manifest
without a value."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import numpy as np
import pymupdf
import pytest
from PIL import Image

from tabir.redactors.config import load_config
from tabir.redactors.manifest import validate_manifest
from tabir.redactors.review.desk import DeskError, ReviewDesk
from scripts import make_sample_data as samples

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

REPORT_LINES = [
    "Laporan Pendampingan Klien",
    "Klien atas nama Rina Marlina tinggal di Kelurahan Sukamaju bersama ibunya.",
    "Kode berkas klien adalah mawar merah.",
    "Catatan petugas: rumah bercat hijau di ujung gang buntu.",
    "Kegiatan kelompok diadakan di aula Dinas Sosial setiap Senin.",
]


def report_pdf() -> bytes:
    doc = pymupdf.open()
    page = doc.new_page()
    for number, line in enumerate(REPORT_LINES):
        page.insert_text((56, 80 + 24 * number), line, fontname="helv", fontsize=11)
    return doc.tobytes()


def private_key_pdf() -> bytes:
    """Goes to review: a key no reader knows, in the page tree's root (a
    page's own unknown keys are dropped), repeats a value of the page."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Kontak wali: wali.rina@example.com", fontname="helv", fontsize=11)
    pages = int(doc.xref_get_key(page.xref, "Parent")[1].split()[0])
    doc.xref_set_key(pages, "TabirPrivateNote", "(wali.rina@example.com)")
    return doc.tobytes()


def pdftotext(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def desk_setup(tmp_path, secret_dir, run_library):
    policy = tmp_path / "policy.yaml"
    policy.write_text(samples.sample_policy_yaml().replace("style: label", "style: box")
                      + f"secret_file: {tmp_path / 'secret' / 'manifest.key'}\n"
                      + f"review:\n  policy_lists: {tmp_path / 'secret' / 'reviewer-lists.yaml'}\n")
    config = load_config(policy)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "laporan.pdf").write_bytes(report_pdf())
    (inbox / "kunci.pdf").write_bytes(private_key_pdf())
    (inbox / "foto.jpg").write_bytes(samples.photo_jpeg())
    out = tmp_path / "out"
    manifest = run_library(inbox, out, config)
    desk = ReviewDesk(out, config, [inbox])
    index = {Path_name(f["input"]): i for i, f in enumerate(manifest["files"])}
    return desk, manifest["run_id"], index, out, config


def Path_name(name: str) -> str:
    return name.split("~")[0].split(".")[0]


def entry_of(out, run_id, index):
    manifest = json.loads((out / "manifests" / f"{run_id}.json").read_text())
    validate_manifest(manifest)
    return manifest["files"][index], manifest


def test_undo_add_term_and_a_drawn_area_change_the_published_pdf(desk_setup):
    desk, run_id, index, out, config = desk_setup
    i = index["laporan"]
    before = entry_of(out, run_id, i)[0]
    assert before["status"] == "redacted"
    text = pdftotext(out / before["output"])
    assert "Rina" not in text and "mawar merah" in text and "bercat hijau" in text
    assert "Dinas Sosial" not in text  # the model took "Dinas" for a place

    # The reviewer keeps the public office (a wrong redaction) for this document.
    analysis = desk.analyse(before)
    office = next(f for f in analysis.findings if f.value == "Dinas")
    assert "aula Dinas Sosial" in office.context  # the original's words, shown in the desk only
    entry = desk.undo(run_id, i, office.number)
    assert entry["status"] == "redacted"
    text = pdftotext(out / entry["output"])
    assert "aula Dinas Sosial" in text and "Rina" not in text and "Sukamaju" not in text

    # The client's code name, which the model cannot know, for this document.
    entry = desk.add_term(run_id, i, "mawar merah", "PERSON")
    text = pdftotext(out / entry["output"])
    assert entry["status"] == "redacted" and "mawar" not in text and "Rina" not in text

    # An area drawn over the note line (in points of the page as shown).
    entry = desk.add_box(run_id, i, 1, (50, 80 + 24 * 3 - 14, 400, 80 + 24 * 3 + 5))
    text = pdftotext(out / entry["output"])
    assert entry["status"] == "redacted"
    assert "bercat" not in text and "hijau" not in text and "mawar" not in text
    assert "Kegiatan kelompok" in text  # the next line stays

    recorded, manifest = entry_of(out, run_id, i)
    actions = [a["action"] for a in recorded["review_actions"]]
    assert actions == ["undo", "add_term", "add_box"]
    assert all(a["by"] and a["at"] and a["result"] == "redacted" for a in recorded["review_actions"])
    raw = (out / "manifests" / f"{run_id}.json").read_text()
    assert "mawar" not in raw and "Rina" not in raw and "bercat" not in raw
    assert recorded["review_actions"][1]["value_hmac"]
    assert (out / "manifests" / "latest.json").read_text() == raw

    assert "mawar" not in pdftotext(out / recorded["output"])


def test_the_desks_decisions_hold_at_the_next_run_of_the_same_content(desk_setup, run_library, tmp_path):
    desk, run_id, index, out, config = desk_setup
    i = index["laporan"]
    office = next(f for f in desk.analyse(entry_of(out, run_id, i)[0]).findings if f.value == "Dinas")
    desk.undo(run_id, i, office.number)
    desk.add_term(run_id, i, "mawar merah", "PERSON")
    again = run_library(desk.originals[0], tmp_path / "out-again", config)
    entry = next(f for f in again["files"] if f["input"].startswith("laporan"))
    text = pdftotext(tmp_path / "out-again" / entry["output"])
    assert "mawar" not in text and "aula Dinas Sosial" in text and "Rina" not in text
    assert any("review desk's decisions" in n for n in entry["notes"])


def test_a_box_drawn_on_a_photo_blacks_its_pixels_and_verification_passes(desk_setup):
    desk, run_id, index, out, _ = desk_setup
    i = index["foto"]
    before = entry_of(out, run_id, i)[0]
    box = (10, 400, 120, 500)
    entry = desk.add_box(run_id, i, 1, box)
    assert entry["status"] == "redacted"
    pixels = np.asarray(Image.open(io.BytesIO((out / entry["output"]).read_bytes())).convert("L"))
    assert pixels[405:495, 15:115].max() < 40  # solid black (JPEG noise allowed)
    assert entry["output_sha256"] != before["output_sha256"]


def test_approve_publishes_only_when_verification_passes_and_despite_is_recorded(desk_setup):
    desk, run_id, index, out, _ = desk_setup
    i = index["kunci"]
    entry = entry_of(out, run_id, i)[0]
    assert entry["status"] == "review" and entry["output"].startswith("review/")

    entry = desk.approve(run_id, i)  # verification still fails: not published
    assert entry["status"] == "review" and not list((out / "redacted").rglob("kunci*"))

    entry = desk.approve(run_id, i, despite=True)
    assert entry["status"] == "redacted" and entry["output"].startswith("redacted/")
    assert not list((out / "review").rglob("kunci*"))
    recorded = entry_of(out, run_id, i)[0]
    assert [a["action"] for a in recorded["review_actions"]] == ["approve", "publish_despite"]
    assert recorded["review_actions"][1]["reason"]  # what verification said, kept with the decision
    assert any("published despite" in n for n in recorded["notes"])


def test_an_action_on_a_held_back_file_waits_for_approval_then_approve_publishes(desk_setup):
    desk, run_id, index, out, _ = desk_setup
    i = index["kunci"]
    entry = entry_of(out, run_id, i)[0]
    email = next(f for f in desk.analyse(entry).findings if "@" in f.value)
    entry = desk.undo(run_id, i, email.number)  # the reviewer keeps the address: nothing left to leak
    assert entry["status"] == "review" and entry["reason_code"] == "awaiting_approval"
    assert not list((out / "redacted").rglob("kunci*"))
    entry = desk.approve(run_id, i)
    assert entry["status"] == "redacted"
    assert "wali.rina@example.com" in pdftotext(out / entry["output"])


def test_reject_keeps_the_file_out_and_policy_scope_goes_to_the_lists_file(desk_setup):
    desk, run_id, index, out, config = desk_setup
    i = index["kunci"]
    entry = desk.reject(run_id, i)
    assert entry["status"] == "rejected" and not list((out / "review").rglob("kunci*"))
    assert entry_of(out, run_id, i)[1]["counts"]["rejected"] == 1

    j = index["laporan"]
    desk.add_term(run_id, j, "mawar merah", "PERSON", scope="policy")
    lists = config.review.policy_lists
    assert oct(lists.stat().st_mode & 0o777) == "0o600"
    reloaded = load_config(config.source)
    assert "mawar merah" in reloaded.detection.deny_list["PERSON"] and reloaded.hash != config.hash


def test_the_desk_refuses_what_it_cannot_do(desk_setup):
    desk, run_id, index, out, _ = desk_setup
    with pytest.raises(DeskError):
        desk.run("../../etc/passwd")
    with pytest.raises(DeskError):
        desk.approve(run_id, index["laporan"])  # not in review
    with pytest.raises(DeskError):
        desk.add_term(run_id, index["laporan"], "x", "PERSON")
    moved = ReviewDesk(out, desk.config, [out / "nowhere"], desk.pipeline)
    with pytest.raises(DeskError, match="not in"):
        moved.original(entry_of(out, run_id, index["laporan"])[0])


def test_words_selected_on_a_pdf_page_are_redacted_everywhere_in_it(desk_setup):
    desk, run_id, index, out, _ = desk_setup
    i = index["laporan"]
    page = pymupdf.open(stream=report_pdf(), filetype="pdf")[0]
    dragged = page.search_for("mawar merah")[0]  # the reviewer drags over these two words
    entry = desk.add_words(run_id, i, 1, tuple(dragged))
    text = pdftotext(out / entry["output"])
    assert entry["status"] == "redacted"
    assert "mawar" not in text and "merah" not in text and "Kode berkas klien adalah" in text
    recorded, _ = entry_of(out, run_id, i)
    action = recorded["review_actions"][-1]
    assert action["action"] == "add_words" and len(action["value_hmacs"]) == 1
    assert "mawar" not in (out / "manifests" / f"{run_id}.json").read_text()
    with pytest.raises(DeskError):  # nothing under an empty corner of the page
        desk.add_words(run_id, i, 1, (500, 700, 520, 720))


@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="needs LibreOffice to print Word pages")
def test_words_selected_on_a_printed_word_page_leave_the_docx(desk_setup, run_library, tmp_path):
    import docx
    import zipfile

    from tabir.redactors.formats.convert import to_pdf

    _, _, _, _, config = desk_setup
    document = docx.Document()
    document.add_paragraph("Catatan Kunjungan Rumah")
    document.add_paragraph("Berkas klien memakai kode rahasia melati putih.")
    document.add_paragraph("Kode melati putih juga tertulis di map arsip.")
    buffer = io.BytesIO()
    document.save(buffer)
    inbox = tmp_path / "inbox-word"
    inbox.mkdir()
    (inbox / "catatan.docx").write_bytes(buffer.getvalue())
    out = tmp_path / "out-word"
    manifest = run_library(inbox, out, config)
    entry = manifest["files"][0]
    assert entry["status"] == "redacted"
    assert b"melati" in zipfile.ZipFile(out / entry["output"]).read("word/document.xml")  # a code word: no model knows

    desk = ReviewDesk(out, config, [inbox])
    printed = pymupdf.open(stream=to_pdf(buffer.getvalue(), ".docx"), filetype="pdf")[0]
    word = printed.search_for("melati")[0]
    middle = ((word.x0 + word.x1) / 2, (word.y0 + word.y1) / 2)
    entry = desk.add_words(manifest["run_id"], 0, 1, middle * 2)  # a click on the word
    assert entry["status"] == "redacted"
    with zipfile.ZipFile(out / entry["output"]) as parts:
        for name in parts.namelist():
            assert b"melati" not in parts.read(name), name
        assert b"kode rahasia" in parts.read("word/document.xml") and b"putih" in parts.read("word/document.xml")
    assert entry_of(out, manifest["run_id"], 0)[0]["review_actions"][-1]["action"] == "add_words"
