"""A few words that do not extract among a page of ordinary text: a name in
a Type 3 font without a Unicode map (as some print drivers write a
signature or a decorative font), or in an embedded font whose /ToUnicode
was stripped. The page has too many readable words to be taken for a page
of unreadable text (that one becomes a picture), so the name was published
readable. Now what OCR reads there and the layer lacks is searched, and
personal data in it is removed; the page keeps its text layer.

Proved with tools that are not ours: pdftotext and poppler's rendering read
by Tesseract."""

from __future__ import annotations

import shutil

import pymupdf
import pytest

from . import adversarial

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ("pdftotext", "pdftoppm", "tesseract")),
                                reason="needs poppler and Tesseract")

NAME = "Rina Wulandari"
BODY = ("Kegiatan pendampingan keluarga dilaksanakan setiap minggu di rumah klien. Petugas mencatat "
        "perkembangan anak dalam bidang pendidikan, kesehatan dan hubungan sosial dengan teman sebaya. Orang "
        "tua klien aktif mengikuti pertemuan kelompok dan menyampaikan bahwa kondisi keluarga semakin membaik. ")


def _type3_name() -> bytes:
    """A report page in Helvetica, and over it "Pendamping: <NAME>" drawn by
    matplotlib in a Type 3 font whose glyphs were renamed and renumbered,
    without a Unicode map."""
    page_of_words = adversarial._matplotlib_page([f"Pendamping: {NAME}"], transparent=True)
    words = pymupdf.open(stream=adversarial._obfuscate_type3(page_of_words), filetype="pdf")
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_textbox(pymupdf.Rect(72, 200, 523, 800), BODY * 3, fontsize=11, fontname="helv")
    page.show_pdf_page(page.rect, words, 0)
    return doc.tobytes()


def _stripped_font_name(rotation: int = 0) -> bytes:
    """A report page in Helvetica with one line in an embedded font whose
    /ToUnicode was removed (extraction gives shifted codes)."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_textbox(pymupdf.Rect(72, 200, 523, 800), BODY * 3, fontsize=11, fontname="helv")
    page.insert_font(fontname="dv", fontfile=adversarial.FONT)
    page.insert_text((72, 120), f"Pendamping: {NAME}", fontname="dv", fontsize=14)
    for xref in range(1, doc.xref_length()):
        if doc.xref_get_key(xref, "ToUnicode")[0] != "null":
            doc.xref_set_key(xref, "ToUnicode", "null")
    page.set_rotation(rotation)
    return doc.tobytes(garbage=3, deflate=True)


def _published(run_library, tmp_path, data: bytes) -> bytes:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "laporan.pdf").write_bytes(data)
    entry = run_library(inbox, tmp_path / "out")["files"][0]
    assert entry["status"] == "redacted", entry["reason"]
    return (tmp_path / "out" / "redacted" / "laporan.pdf").read_bytes()


@pytest.mark.parametrize("make", [_type3_name, _stripped_font_name, lambda: _stripped_font_name(90)],
                         ids=["type3", "font-without-unicode-map", "font-without-unicode-map-turned-page"])
def test_a_name_that_does_not_extract_among_ordinary_text_is_removed(run_library, tmp_path, make):
    data = make()
    text_before = adversarial._pdftotext(data)
    assert "Wulandari" not in text_before and "Kegiatan" in text_before  # the name is no text; the rest is
    assert adversarial.still_readable(NAME, [adversarial.ocr_of_pdf(data, tmp_path / "before")])

    output = _published(run_library, tmp_path, data)
    assert not adversarial.still_readable(NAME, [adversarial.ocr_of_pdf(output, tmp_path / "after")])
    # The page was not turned into a picture: its ordinary text is still text.
    assert "Kegiatan pendampingan keluarga" in " ".join(adversarial._pdftotext(output).split())


def test_verification_reads_such_a_page_as_rendered(config):
    from tabir.redactors.formats.pdf.check import verify_pdf

    problems = verify_pdf(_stripped_font_name(), {NAME}, set(), config.images, config.limits.min_picture_px,
                          config.limits.max_picture_pixels, tuple(config.redaction.fill_color))
    assert any("as rendered" in problem for problem in problems), problems
