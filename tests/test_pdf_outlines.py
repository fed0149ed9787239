"""Letters drawn as outlines among a page's text: a title in WordArt or
with text effects (Word writes it as paths), a heading a printer driver
turned into outlines. The text layer holds nothing there, so the name was
published readable on a page full of extractable text. Now the rows of
outlined letters are read by OCR, searched like the text, and the paths of
a finding's words are removed; the page keeps its text layer.

Proved with tools that are not ours: pdftotext, poppler's rendering read by
Tesseract, and the paths left on the page."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pymupdf
import pytest

from tabir.redactors.formats.pdf.check import verify_pdf
from tabir.redactors.formats.pdf.outlines import outlined_regions

from . import adversarial

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ("gs", "pdftotext", "pdftoppm", "tesseract")),
                                reason="needs Ghostscript, poppler and Tesseract")

NAME = "Rina Wulandari"
BODY = ("Kegiatan pendampingan keluarga dilaksanakan setiap minggu di rumah klien. Petugas mencatat "
        "perkembangan anak dalam bidang pendidikan, kesehatan dan hubungan sosial dengan teman sebaya. Orang "
        "tua klien aktif mengikuti pertemuan kelompok dan menyampaikan bahwa kondisi keluarga semakin membaik. "
        "Rencana tindak lanjut meliputi kunjungan rumah bulanan, konseling bagi orang tua, dan koordinasi "
        "dengan sekolah serta puskesmas setempat. Catatan ini disusun untuk evaluasi program tahun ini. ")


def _outlined(title: str, workdir: Path) -> pymupdf.Document:
    """A page holding only `title`, its letters turned into filled paths by
    Ghostscript (-dNoOutputFonts, as "convert text to outlines" does)."""
    source = pymupdf.open()
    source.new_page(width=595, height=842).insert_text((72, 90), title, fontsize=20, fontname="helv")
    (workdir / "title.pdf").write_bytes(source.tobytes())
    subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNoOutputFonts", "-sDEVICE=pdfwrite",
                    f"-sOutputFile={workdir / 'title_outlined.pdf'}", str(workdir / "title.pdf")],
                   check=True, capture_output=True, timeout=120)
    return pymupdf.open(workdir / "title_outlined.pdf")


def _as_one_path(doc: pymupdf.Document, underline: bool = False) -> None:
    """Every letter of the title filled as one path (some exporters write a
    whole line so): the fill operators between letters dropped. With
    `underline`, the path also draws a line under the whole title (a
    subpath no word's box covers)."""
    page = doc[0]
    xref = page.get_contents()[0]
    stream = doc.xref_stream(xref).decode("latin-1")
    fills = len(re.findall(r"\nf\n", stream))
    stream = re.sub(r"\nf\n", "\n", stream, count=fills - 1)
    if underline:  # in the stream's units (0.1 pt, y up), just under the title's baseline
        last_fill = stream.rindex("\nf\n")
        stream = stream[:last_fill] + "\n736 7490 3600 15 re" + stream[last_fill:]
    doc.update_stream(xref, stream.encode("latin-1"))


def report(title: str, workdir: Path, mention: str | None = None, one_path: bool = False,
           underline: bool = False) -> bytes:
    """A report page: an outlined title over a paragraph of ordinary,
    extractable text (with `mention` in it when given)."""
    title_doc = _outlined(title, workdir)
    if one_path:
        _as_one_path(title_doc, underline)
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    body = BODY * 2 + (f"Klien {mention} menunjukkan kemajuan yang baik. " if mention else "")
    page.insert_textbox(pymupdf.Rect(72, 130, 523, 700), body, fontsize=11, fontname="helv")
    page.show_pdf_page(page.rect, title_doc, 0)
    return doc.tobytes()


def _published(run_library, tmp_path: Path, data: bytes) -> tuple[bytes, dict]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "laporan.pdf").write_bytes(data)
    manifest = run_library(inbox, tmp_path / "out")
    entry = manifest["files"][0]
    assert entry["status"] == "redacted", entry["reason"]
    return (tmp_path / "out" / "redacted" / "laporan.pdf").read_bytes(), entry


def _letter_paths(data: bytes) -> list[pymupdf.Rect]:
    page = pymupdf.open(stream=data, filetype="pdf")[0]
    return [pymupdf.Rect(d["rect"]) for d in page.get_cdrawings()
            if d.get("type") in ("f", "fs") and not (len(d["items"]) == 1 and d["items"][0][0] == "re")]


@pytest.mark.parametrize("mention", [True, False], ids=["also-in-the-text", "only-in-the-title"])
def test_a_name_in_an_outlined_title_is_removed_and_the_page_keeps_its_text(run_library, tmp_path, mention):
    data = report(f"Laporan Pendampingan: {NAME}", tmp_path, mention=NAME if mention else None)
    assert adversarial.still_readable(NAME, [adversarial.ocr_of_pdf(data, tmp_path / "before")])
    assert NAME not in adversarial._pdftotext(data).replace("\n", " ").split("Klien ")[0]  # the title is no text

    output, _ = _published(run_library, tmp_path, data)
    ocr = adversarial.ocr_of_pdf(output, tmp_path / "after")
    text = adversarial._pdftotext(output)
    assert not adversarial.still_readable(NAME, [ocr, text])
    # Only the name went: the rest of the title is still drawn and read, and
    # the paragraph is still text.
    assert "Laporan" in ocr and "Pendampingan" in ocr
    assert "Kegiatan pendampingan keluarga" in " ".join(text.split())
    # Removed, not covered: no letter's path is left under the name's box.
    name_box = pymupdf.Rect(290, 70, 450, 100)
    before = [r for r in _letter_paths(data) if r.intersects(name_box)]
    assert before and not [r for r in _letter_paths(output) if r.intersects(name_box)]


def test_an_outlined_title_on_a_turned_page(run_library, tmp_path):
    """A landscape page (/Rotate 90): the rows are read on the page as
    stored, so the boxes land on the letters."""
    doc = pymupdf.open(stream=report(f"Laporan Pendampingan: {NAME}", tmp_path), filetype="pdf")
    doc[0].set_rotation(90)
    data = doc.tobytes()
    assert adversarial.still_readable(NAME, [adversarial.ocr_of_pdf(data, tmp_path / "before")])
    output, _ = _published(run_library, tmp_path, data)
    ocr = adversarial.ocr_of_pdf(output, tmp_path / "after")
    assert not adversarial.still_readable(NAME, [ocr]) and "Laporan" in ocr
    assert pymupdf.open(stream=output, filetype="pdf")[0].rotation == 90


@pytest.mark.parametrize("underline", [False, True], ids=["letters", "letters-and-an-underline"])
def test_a_title_drawn_as_one_path_loses_the_name(run_library, tmp_path, underline):
    data = report(f"Laporan Pendampingan: {NAME}", tmp_path, one_path=True, underline=underline)
    assert len(_letter_paths(data)) == 1
    output, _ = _published(run_library, tmp_path, data)
    assert not adversarial.still_readable(NAME, [adversarial.ocr_of_pdf(output, tmp_path / "after")])
    # MuPDF cuts the covered letters out of the path; a part that only
    # reaches under the name's box (the underline) takes the path with it.
    left = [r for r in _letter_paths(output) if r.intersects(pymupdf.Rect(295, 70, 450, 100))]
    assert not left
    if not underline:
        assert "Laporan" in adversarial.ocr_of_pdf(output, tmp_path / "after-2")


def test_an_outlined_title_without_personal_data_is_published_as_it_was(run_library, tmp_path):
    data = report("Laporan Kegiatan Bulanan Program", tmp_path)
    output, entry = _published(run_library, tmp_path, data)
    assert len(_letter_paths(output)) == len(_letter_paths(data))
    assert "Laporan Kegiatan Bulanan" in adversarial.ocr_of_pdf(output, tmp_path / "after")
    assert not entry.get("findings") and sum(entry.get("counts", {}).values() or [0]) == 0


def test_verification_reads_outlined_letters(config, tmp_path):
    data = report(f"Laporan Pendampingan: {NAME}", tmp_path)
    problems = verify_pdf(data, {NAME}, set(), config.images, config.limits.min_picture_px,
                          config.limits.max_picture_pixels, tuple(config.redaction.fill_color))
    assert any("outlined letters of page 1" in p for p in problems), problems


def test_bullets_table_rules_and_the_redactions_own_boxes_are_not_rows_of_letters(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    shape = page.new_shape()
    for row in range(8):  # a bulleted list: dots one above the other
        shape.draw_circle((80, 150 + 20 * row), 2.5)
    shape.finish(fill=(0, 0, 0))
    for row in range(6):  # a table's shaded cells and rules, side by side
        for col in range(5):
            shape.draw_rect(pymupdf.Rect(100 + 60 * col, 400 + 14 * row, 158 + 60 * col, 412 + 14 * row))
    shape.finish(fill=(0.9, 0.9, 0.9))
    for col in range(6):  # redaction boxes in a row
        shape.draw_rect(pymupdf.Rect(100 + 50 * col, 600, 140 + 50 * col, 612))
    shape.finish(fill=(0, 0, 0))
    shape.commit()
    assert outlined_regions(page, (0.0, 0.0, 0.0)) == []
    title = report(f"Laporan Pendampingan: {NAME}", tmp_path)
    assert len(outlined_regions(pymupdf.open(stream=title, filetype="pdf")[0])) == 1


def test_a_poster_sized_union_of_rows_is_read_within_the_pixel_bound(tmp_path, monkeypatch):
    """More rows than are read one by one on an A0 page: their union is
    rendered once, at a resolution held under MAX_ROW_PIXELS."""
    from tabir.redactors.formats.pdf import outlines

    title = _outlined(f"Laporan Pendampingan: {NAME}", tmp_path)
    doc = pymupdf.open()
    page = doc.new_page(width=2384, height=3370)  # A0
    for row in range(outlines.MAX_ROWS + 1):
        page.show_pdf_page(pymupdf.Rect(0, 250 * row, 595, 250 * row + 842), title, 0)
    sizes = []
    real = pymupdf.Page.get_pixmap

    def measured(self, *args, **kwargs):
        pixmap = real(self, *args, **kwargs)
        sizes.append(pixmap.width * pixmap.height)
        return pixmap

    monkeypatch.setattr(pymupdf.Page, "get_pixmap", measured)
    rows = outlines.read_outlined(page)
    assert len(rows) == 1 and sizes and max(sizes) <= outlines.MAX_ROW_PIXELS
    assert NAME.split()[0] in rows[0].ocr.text
