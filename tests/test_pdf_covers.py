"""Text hidden under a box drawn over it: the failed redaction this project
exists for. A report exported from Word or LibreOffice, then "redacted" the
way people do it by hand: a black rectangle drawn in a PDF editor, a
square annotation, a redaction mark never applied, a black highlight, a box
over a face in a photo. The words under the box are still in the file;
pdftotext reads them. Tabir removes what no reader can see and keeps the
page as it looked; it leaves alone what is visible (white text on a dark
bar, a yellow highlight), and holds back for review what it cannot remove
alone (white-out under retyped text)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest

from tabir.redactors.detect.factory import detector_for
from tabir.redactors.formats import RedactionContext
from tabir.redactors.formats.pdf import PdfHandler
from tabir.redactors.formats.pdf.check import verify_pdf
from tabir.redactors.model import Finding

from . import adversarial
from .checks import verified

# Case details no detector finds: only the writer's box says they are private.
DETAIL = "mengalami kekerasan oleh ayah tirinya"
PLACE = "di belakang pasar ikan Cibubur"
REPORT = [
    "Laporan Pendampingan Bulanan",
    f"Anak dampingan kami {DETAIL} sejak awal tahun dan kini tinggal bersama neneknya {PLACE}.",
    "Kegiatan pendampingan berjalan sesuai rencana dan sekolah anak tetap berjalan.",
]

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler's pdftotext needed")


def _pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory) -> bytes:
    """The report as LibreOffice exports a Word file; PyMuPDF's own writer
    when LibreOffice is missing."""
    if shutil.which("soffice"):
        document = adversarial._docx()
        for line in REPORT:
            document.add_paragraph(line)
        work = tmp_path_factory.mktemp("covers")
        return adversarial.libreoffice_pdf({"laporan.docx": adversarial._save(document)}, work)["laporan.docx"]
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_textbox(pymupdf.Rect(72, 72, 520, 400), "\n".join(REPORT), fontsize=11)
    return doc.tobytes()


def _covered(source: bytes, phrase: str, cover) -> bytes:
    """`phrase` covered on page 1 by `cover(page, rect)`, per line it spans."""
    doc = pymupdf.open(stream=source)
    page = doc[0]
    rects = page.search_for(phrase)
    assert rects, f"{phrase!r} is not on the page"
    for rect in rects:
        cover(page, rect + (-1, -1, 1, 1))
    return doc.tobytes()


def _redacted(source: bytes, config):
    handler = PdfHandler()
    result = handler.redact(source, RedactionContext(detector_for(config), config))
    return handler, result


def _drawn_box(page, rect):
    page.draw_rect(rect, color=None, fill=(0, 0, 0))


def _square(page, rect):
    annot = page.add_rect_annot(rect)
    annot.set_colors(stroke=(0, 0, 0), fill=(0, 0, 0))
    annot.update()


def _redaction_mark(page, rect):
    page.add_redact_annot(rect, fill=(0, 0, 0))


def _black_highlight(page, rect):
    annot = page.add_highlight_annot(rect)
    annot.set_colors(stroke=(0, 0, 0))
    annot.update()


def _pen_scribble(page, rect):
    middle = (rect.y0 + rect.y1) / 2
    ink = page.add_ink_annot([[(rect.x0, middle), (rect.x1 / 2 + rect.x0 / 2, middle + 2), (rect.x1, middle)]])
    ink.set_border(width=rect.height)
    ink.set_colors(stroke=(0, 0, 0))
    ink.update()


def _dark_share(data: bytes, rect: pymupdf.Rect) -> float:
    page = pymupdf.open(stream=data)[0]
    pix = page.get_pixmap(dpi=72, clip=rect + (2, 3, -2, -3), colorspace=pymupdf.csGRAY)
    pixels = np.frombuffer(pix.samples, np.uint8)
    return float((pixels < 80).mean())


@pytest.mark.parametrize("cover", [_drawn_box, _square, _redaction_mark, _black_highlight, _pen_scribble],
                         ids=["box drawn in the content", "square annotation", "redaction mark never applied",
                              "black highlight", "pen scribble"])
def test_text_under_a_box_is_gone_and_the_box_stays(report_pdf, cover, config, tmp_path):
    source = _covered(report_pdf, DETAIL, cover)
    assert DETAIL in _pdftotext(source, tmp_path)  # the classic leak: covered, yet copyable
    box = pymupdf.open(stream=source)[0].search_for(DETAIL)[0]

    handler, result = _redacted(source, config)
    text = _pdftotext(result.output, tmp_path)
    for word in ("kekerasan", "ayah", "tirinya"):
        assert word not in text, f"{word!r} is still under the box"
    assert "Kegiatan pendampingan berjalan sesuai rencana" in text  # the rest of the report stays
    assert _dark_share(result.output, box) > 0.75  # the page looks as it did: a black box there (a label on it)
    assert any(f.entity_type == "HIDDEN_UNDER_BOX" and "kekerasan" in f.value for f in result.findings)
    assert verified(handler, result, config) == []


def test_a_phrase_covered_once_is_gone_where_it_is_repeated(report_pdf, config, tmp_path):
    doc = pymupdf.open(stream=report_pdf)
    page = doc.new_page()
    page.insert_text((72, 100), f"Catatan: anak {DETAIL} menurut guru.", fontsize=11)
    first = doc.tobytes()
    doc = pymupdf.open(stream=first)
    _drawn_box(doc[0], doc[0].search_for(DETAIL)[0] + (-1, -1, 1, 1))  # covered on page 1 only
    source = doc.tobytes()

    handler, result = _redacted(source, config)
    text = _pdftotext(result.output, tmp_path)
    assert "kekerasan" not in text and "menurut guru" in text
    assert verified(handler, result, config) == []


def test_a_box_over_a_face_in_a_photo_changes_the_pixels_beneath(config, tmp_path):
    """A photo in a report with a face blacked out by a box: without this,
    the picture's own pixels are whole under the box (pdfimages shows them)."""
    rng = np.random.default_rng(7)
    photo = rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)  # texture nobody would take for a face
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Foto kegiatan di rumah klien.", fontsize=11)
    page.insert_image(pymupdf.Rect(72, 100, 472, 400), stream=cv2.imencode(".png", photo)[1].tobytes())
    page.draw_rect(pymupdf.Rect(172, 150, 272, 250), color=None, fill=(0, 0, 0))  # 100x100 pt over the picture
    _, result = _redacted(doc.tobytes(), config)

    out = pymupdf.open(stream=result.output)
    (xref, *_), = out[0].get_images()
    pixels = cv2.imdecode(np.frombuffer(pymupdf.Pixmap(out, xref).tobytes("png"), np.uint8), cv2.IMREAD_COLOR)
    pixels = cv2.resize(pixels, (400, 300), interpolation=cv2.INTER_NEAREST)
    under = pixels[55:145, 105:195].reshape(-1, 3)  # inside the box, in picture pixels
    outside = pixels[200:290, 300:390]
    assert under.std() < 5, "the pixels under the box are still the photo's"
    assert outside.std() > 40  # the rest of the photo is whole


def test_a_title_on_a_band_over_a_photo_stays_and_the_photo_under_the_band_is_blanked(config, tmp_path):
    """A report's cover: a photo, an opaque band over its lower part, the
    title in white on the band. The photo's pixels under the band are
    unseen; the title is seen."""
    photo = np.random.default_rng(1).integers(0, 255, (300, 500, 3), dtype=np.uint8)
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_image(pymupdf.Rect(40, 60, 540, 360), stream=cv2.imencode(".png", photo)[1].tobytes())
    page.draw_rect(pymupdf.Rect(40, 280, 540, 340), color=None, fill=(0.1, 0.1, 0.3))
    page.insert_text((60, 318), "Laporan Tahunan Lembaga Perlindungan Anak", fontsize=16, color=(1, 1, 1))
    handler, result = _redacted(doc.tobytes(), config)
    assert "Laporan Tahunan Lembaga Perlindungan Anak" in _pdftotext(result.output, tmp_path)
    pixels = _first_picture(result.output)
    assert pixels[230:270, 20:480].std() < 5, "the photo under the band is still the photo's"
    assert pixels[20:200].std() > 40  # above the band it is whole
    assert verified(handler, result, config) == []


def test_visible_text_on_a_dark_bar_and_a_yellow_highlight_are_kept(config, tmp_path):
    """Over-caution is a defect: paint order and colour decide."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.draw_rect(pymupdf.Rect(60, 80, 420, 110), color=None, fill=(0.1, 0.1, 0.3))  # a title bar, drawn first
    page.insert_text((72, 100), "LAPORAN KEGIATAN BULANAN", fontsize=12, color=(1, 1, 1))
    page.insert_text((72, 140), "Penyuluhan pengasuhan anak diikuti tiga puluh orang tua.", fontsize=11)
    page.add_highlight_annot(page.search_for("tiga puluh orang tua")[0])
    source = doc.tobytes()

    handler, result = _redacted(source, config)
    assert [f for f in result.findings if f.entity_type == "HIDDEN_UNDER_BOX"] == []
    assert _pdftotext(result.output, tmp_path) == _pdftotext(source, tmp_path)
    assert verified(handler, result, config) == []


def test_white_out_under_retyped_text_is_held_for_review(config, tmp_path):
    """Old words covered with white and new ones typed on top: the old ones
    cannot be removed without the new ones, so the file is not published."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Pelaku adalah paman korban.", fontsize=11)
    page.draw_rect(pymupdf.Rect(70, 88, 260, 104), color=None, fill=(1, 1, 1))
    page.insert_text((72, 100), "Pelaku telah ditangani polisi.", fontsize=11)
    handler, result = _redacted(doc.tobytes(), config)
    problems = verified(handler, result, config)
    assert any("text hidden under a box" in p for p in problems)
    assert any("held for review" in note for note in result.notes)


def test_verification_finds_text_left_under_a_box(config):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Anak tinggal di belakang pasar ikan.", fontsize=11)
    page.draw_rect(pymupdf.Rect(140, 88, 260, 104), color=None, fill=(0, 0, 0))
    problems = verify_pdf(doc.tobytes(), {"unrelated"}, set(), config.images, config.limits.min_picture_px,
                          config.limits.max_picture_pixels, tuple(config.redaction.fill_color))
    assert "text hidden under a box drawn over it remains on page 1" in problems


@pytest.mark.parametrize("cover", [_drawn_box, _square, _redaction_mark, _black_highlight],
                         ids=["box drawn in the content", "square annotation", "redaction mark never applied",
                              "black highlight"])
def test_a_turned_page_is_read_the_same(report_pdf, cover, config, tmp_path):
    """The page turned (/Rotate 90) before the box was drawn on it: an
    annotation is placed on the page as shown, a box drawn in the content on
    the page unturned, where its text is."""
    doc = pymupdf.open(stream=report_pdf)
    page = doc[0]
    words = page.search_for(DETAIL)
    page.set_rotation(90)
    for rect in words:
        rect = rect + (-1, -1, 1, 1)
        cover(page, rect if cover is _drawn_box else rect * page.rotation_matrix)
    handler, result = _redacted(doc.tobytes(), config)
    text = _pdftotext(result.output, tmp_path)
    assert "kekerasan" not in text and "Kegiatan pendampingan" in text
    assert verified(handler, result, config) == []


def test_hidden_values_are_recorded_as_findings(report_pdf, config):
    source = _covered(report_pdf, DETAIL, _redaction_mark)
    _, result = _redacted(source, config)
    hidden = [f for f in result.findings if f.entity_type == "HIDDEN_UNDER_BOX"]
    assert len(hidden) == 1 and isinstance(hidden[0], Finding) and hidden[0].page == 1


def _shaded(cell, fill_hex: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill_hex)
    cell._tc.get_or_add_tcPr().append(shading)


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice needed")
def test_words_blacked_out_or_whitened_in_word_are_gone_and_a_dark_header_stays(tmp_path, config):
    """Blacking out in the word processor: a black highlight under black
    text, or the font turned white. LibreOffice exports both as text that
    is there but unseen. A table header in white on dark shading is seen,
    and stays."""
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import RGBColor

    document = adversarial._docx()
    paragraph = document.add_paragraph("Anak dampingan kami ")
    run = paragraph.add_run(DETAIL)
    run.font.highlight_color = WD_COLOR_INDEX.BLACK
    run.font.color.rgb = RGBColor(0, 0, 0)
    paragraph.add_run(" sejak awal tahun.")
    paragraph = document.add_paragraph("Pelapor: ")
    paragraph.add_run("tetangga sebelah rumah").font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    paragraph.add_run(" (dirahasiakan).")
    table = document.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Kegiatan", "Peserta")):
        _shaded(cell, "1F3864")
        cell.paragraphs[0].add_run(text).font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    table.rows[1].cells[0].text, table.rows[1].cells[1].text = "Penyuluhan", "30"
    source = adversarial.libreoffice_pdf({"laporan.docx": adversarial._save(document)}, tmp_path)["laporan.docx"]
    before = _pdftotext(source, tmp_path)
    assert "kekerasan" in before and "tetangga sebelah" in before  # unseen, yet copyable

    handler, result = _redacted(source, config)
    text = _pdftotext(result.output, tmp_path)
    assert "kekerasan" not in text and "tirinya" not in text and "tetangga sebelah" not in text
    assert "Kegiatan" in text and "Peserta" in text and "Penyuluhan" in text and "(dirahasiakan)" in text
    assert verified(handler, result, config) == []


def test_white_words_on_a_picture_are_seen_and_stay(config, tmp_path):
    """A cover page: a white title over a dark photo. The photo's colours
    are unknown to the text's check, so the title counts as seen."""
    doc = pymupdf.open()
    page = doc.new_page()
    banner = np.full((200, 600, 3), 40, np.uint8)
    page.insert_image(pymupdf.Rect(40, 60, 560, 230), stream=cv2.imencode(".png", banner)[1].tobytes())
    page.insert_text((72, 150), "Laporan Tahunan Lembaga Perlindungan Anak", fontsize=16, color=(1, 1, 1))
    source = doc.tobytes()
    handler, result = _redacted(source, config)
    assert "Laporan Tahunan Lembaga Perlindungan Anak" in _pdftotext(result.output, tmp_path)
    assert [f for f in result.findings if f.entity_type == "HIDDEN_UNDER_BOX"] == []


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice needed")
def test_a_black_rectangle_shape_in_word_exported_to_pdf(tmp_path, config):
    """Insert > Shapes in Word, a black rectangle over the words, then
    export: LibreOffice writes the box as a path of lines that starts
    mid-edge, after the text."""
    from .test_docx_unseen import BLACKED as COVERED, _with_shape

    (tmp_path / "laporan.docx").write_bytes(_with_shape("000000"))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "laporan.docx")], check=True, capture_output=True,
                   timeout=300)
    source = (tmp_path / "laporan.pdf").read_bytes()
    assert "kekerasan" in _pdftotext(source, tmp_path) and COVERED.split()[1] == "kekerasan"

    handler, result = _redacted(source, config)
    text = _pdftotext(result.output, tmp_path)
    assert "kekerasan" not in text and "Anak dampingan kami" in text and "sejak awal" in text
    assert verified(handler, result, config) == []


# Cropping as redaction: Acrobat's crop tool sets /CropBox; the cut-off part
# stays in the file, and pdftotext, which reads the media box, prints it.
CROPPED_NOTE = "Catatan internal: dirujuk dari sekolah dasar negeri lima"


def _cropped_report(rotation: int = 0) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 60), CROPPED_NOTE, fontsize=11)
    page.insert_text((72, 400), "Kegiatan pendampingan berjalan sesuai rencana.", fontsize=11)
    photo = np.random.default_rng(3).integers(0, 255, (200, 200, 3), dtype=np.uint8)
    page.insert_image(pymupdf.Rect(300, 100, 500, 300), stream=cv2.imencode(".png", photo)[1].tobytes())
    page.set_cropbox(pymupdf.Rect(0, 200, 595, 842))  # the note and the top half of the photo cut off
    page.set_rotation(rotation)
    return doc.tobytes()


@pytest.mark.parametrize("rotation", [0, 90])
def test_what_a_crop_cut_off_is_gone_and_what_it_kept_stays(rotation, config, tmp_path):
    source = _cropped_report(rotation)
    assert "dirujuk dari sekolah" in _pdftotext(source, tmp_path)  # the leak: invisible, yet printed

    handler, result = _redacted(source, config)
    text = _pdftotext(result.output, tmp_path)
    assert "dirujuk" not in text and "Catatan internal" not in text
    assert "Kegiatan pendampingan berjalan sesuai rencana" in text
    assert any("beyond the visible page" in note for note in result.notes)
    assert verified(handler, result, config) == []

    out = pymupdf.open(stream=result.output)
    (xref, *_), = out[0].get_images()
    pixels = cv2.imdecode(np.frombuffer(pymupdf.Pixmap(out, xref).tobytes("png"), np.uint8), cv2.IMREAD_COLOR)
    pixels = cv2.resize(pixels, (200, 200), interpolation=cv2.INTER_NEAREST)
    assert pixels[10:90].std() < 5, "the cut-off half of the photo is still the photo's"
    assert pixels[110:190].std() > 40  # the half on the page is whole


def test_verification_finds_text_beyond_the_page(config):
    problems = verify_pdf(_cropped_report(), {"unrelated"}, set(), config.images, config.limits.min_picture_px,
                          config.limits.max_picture_pixels, tuple(config.redaction.fill_color))
    assert "text beyond the visible part of page 1 remains" in problems


def test_a_page_with_nothing_beyond_it_gets_no_band(config):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 60), "Laporan kegiatan bulan ini.", fontsize=11)
    page.draw_rect(page.rect, color=None, fill=(0.95, 0.95, 0.9), overlay=False)  # a page-sized background
    _, result = _redacted(doc.tobytes(), config)
    assert not any("beyond the visible page" in note for note in result.notes)


# A picture cropped in Word, exported by LibreOffice: the whole picture is in
# the PDF, a clip path around the part shown.
def _pdfimages(data: bytes, tmp_path: Path) -> list[np.ndarray]:
    (tmp_path / "images").mkdir(parents=True, exist_ok=True)
    (tmp_path / "images" / "in.pdf").write_bytes(data)
    subprocess.run(["pdfimages", "-png", str(tmp_path / "images" / "in.pdf"), str(tmp_path / "images" / "img")],
                   check=True, capture_output=True)
    return [cv2.imread(str(p)) for p in sorted((tmp_path / "images").glob("img-*.png"))]


def _red(image: np.ndarray) -> float:
    return float(((image[:, :, 2] > 150) & (image[:, :, 1] < 80) & (image[:, :, 0] < 80)).mean())


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdfimages"), reason="LibreOffice and poppler")
def test_what_a_crop_hid_of_a_picture_is_cut_from_the_exported_pdf(tmp_path, config):
    from .test_docx_unseen import _cropped_picture_document

    docx_bytes, _ = _cropped_picture_document([{"l": "33333"}])  # the red third cropped away in Word
    (tmp_path / "foto.docx").write_bytes(docx_bytes)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "foto.docx")], check=True, capture_output=True,
                   timeout=300)
    source = (tmp_path / "foto.pdf").read_bytes()
    (whole,) = _pdfimages(source, tmp_path / "before")
    assert _red(whole) > 0.3  # pdfimages shows what the crop hid

    handler, result = _redacted(source, config)
    (kept,) = _pdfimages(result.output, tmp_path / "after")
    assert _red(kept) < 0.01
    blue = (kept[:, :, 0] > 200) & (kept[:, :, 1] < 60) & (kept[:, :, 2] < 60)
    assert blue.sum() > 0.9 * 100 * 100  # the part shown is whole
    assert verified(handler, result, config) == []


def test_a_picture_shown_whole_is_not_touched(config):
    rng = np.random.default_rng(5)
    photo = rng.integers(0, 255, (200, 300, 3), dtype=np.uint8)
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_image(pymupdf.Rect(72, 72, 372, 272), stream=cv2.imencode(".png", photo)[1].tobytes())
    _, result = _redacted(doc.tobytes(), config)
    out = pymupdf.open(stream=result.output)
    (xref, *_), = out[0].get_images()
    pixels = cv2.imdecode(np.frombuffer(pymupdf.Pixmap(out, xref).tobytes("png"), np.uint8), cv2.IMREAD_COLOR)
    assert (pixels == 255).all(axis=2).mean() < 0.01  # nothing made white


def test_a_picture_placed_twice_keeps_what_either_place_shows(config):
    """The same picture on two pages, each clipped to a different half: both
    halves are shown somewhere, so neither is cut."""
    doc = pymupdf.open()
    for clip in ("100 642 100 100 re W n", "200 642 100 100 re W n"):  # the left half, then the right
        _place_clipped(doc, _halves(), clip)
    _, result = _redacted(doc.tobytes(), config)
    pixels = _first_picture(result.output)
    assert _red(pixels) > 0.4 and (pixels[:, 150] == (0, 200, 0)).all()


def _halves() -> bytes:
    """A picture, red on its left half and green on its right."""
    picture = np.zeros((100, 200, 3), np.uint8)
    picture[:, :100] = (0, 0, 255)
    picture[:, 100:] = (0, 200, 0)
    return cv2.imencode(".png", picture)[1].tobytes()


def _place_clipped(doc: pymupdf.Document, data: bytes, clip: str) -> None:
    """A new page showing `data` at (100, 100, 300, 200), clipped by `clip`
    (content operators, in PDF coordinates). One picture for all pages."""
    page = doc.new_page()
    xref = page.insert_image(pymupdf.Rect(100, 100, 300, 200), stream=data)
    name = [i[7] for i in page.get_images() if i[0] == xref][0]
    contents = page.get_contents()[0]
    body = doc.xref_stream(contents).replace(f"/{name} Do".encode(), b"")
    doc.update_stream(contents, body + f"\nq {clip} 200 0 0 100 100 642 cm /{name} Do Q\n".encode())


def _first_picture(data: bytes) -> np.ndarray:
    out = pymupdf.open(stream=data)
    (xref, *_), = out[0].get_images()
    return cv2.imdecode(np.frombuffer(pymupdf.Pixmap(out, xref).tobytes("png"), np.uint8), cv2.IMREAD_COLOR)


def test_a_cropped_picture_on_a_poster_page_is_measured_within_bounds(config, monkeypatch):
    """A huge page is rendered smaller to find what a clip hides (memory),
    and the hidden part is still found."""
    from tabir.redactors.formats.pdf import pictures

    monkeypatch.setattr(pictures, "MASK_PIXELS", 200_000)  # as if the page were a poster
    doc = pymupdf.open()
    _place_clipped(doc, _halves(), "200 642 100 100 re W n")  # the right half shown
    _, result = _redacted(doc.tobytes(), config)
    pixels = _first_picture(result.output)
    assert _red(pixels[:, :80]) < 0.01 and (pixels[50, 150] == (0, 200, 0)).all()
