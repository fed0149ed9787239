"""Blacking out in Word: black text on a black highlight or shading, text
turned white, text formatted as hidden. Nobody sees it; everyone who
selects it, recolours it or unzips the file reads it. Proven gone with an
unzip and a byte search of every part; and what Word does show (automatic
colour on a dark highlight turns white, white text in a table or a shaded
paragraph, a yellow highlight) is kept."""

from __future__ import annotations

import io
import zipfile

import cv2
import docx
import numpy as np
import pytest
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import RGBColor

from tabir.redactors.detect.factory import detector_for
from tabir.redactors.formats import RedactionContext
from tabir.redactors.formats.docx import DocxHandler

from .checks import verified

BLACK, WHITE = RGBColor(0, 0, 0), RGBColor(0xFF, 0xFF, 0xFF)
# Case details no detector finds: only the writer's formatting says they are private.
BLACKED = "mengalami kekerasan oleh ayah tirinya"
SHADED = "dirujuk ke rumah aman milik yayasan"
WHITENED = "tetangga sebelah rumah"
HIDDEN = "klien pernah dirawat di rumah sakit jiwa"


def _shade(run_or_paragraph_props, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    run_or_paragraph_props.append(shading)


def _document() -> docx.Document:
    document = docx.Document()
    paragraph = document.add_paragraph("Anak dampingan kami ")
    half = BLACKED.index(" oleh")
    for piece in (BLACKED[:half], BLACKED[half:]):  # two runs, as Word splits them
        run = paragraph.add_run(piece)
        run.font.highlight_color = WD_COLOR_INDEX.BLACK
        run.font.color.rgb = BLACK
    paragraph.add_run(" sejak awal tahun.")
    paragraph = document.add_paragraph("Sejak Maret anak ")
    run = paragraph.add_run(SHADED)
    run.font.color.rgb = RGBColor(0x10, 0x10, 0x10)
    _shade(run._r.get_or_add_rPr(), "000000")
    paragraph.add_run(".")
    paragraph = document.add_paragraph("Pelapor: ")
    paragraph.add_run(WHITENED).font.color.rgb = WHITE
    paragraph.add_run(" (dirahasiakan).")
    paragraph = document.add_paragraph("Catatan: ")
    paragraph.add_run(HIDDEN).font.hidden = True
    return document


def _bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _redacted(data: bytes, config):
    handler = DocxHandler()
    return handler, handler.redact(data, RedactionContext(detector_for(config), config))


def _every_part(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return b"\n".join(package.read(name) for name in package.namelist())


def test_blacked_out_whitened_and_hidden_words_are_gone_from_every_part(config):
    source = _bytes(_document())
    for phrase in (BLACKED, SHADED, WHITENED, HIDDEN):
        assert phrase.split()[1].encode() in _every_part(source)

    handler, result = _redacted(source, config)
    everything = _every_part(result.output)
    for phrase in (BLACKED, SHADED, WHITENED, HIDDEN):
        for word in phrase.split():
            if len(word) > 4 and word not in ("rumah",):
                assert word.encode() not in everything, f"{word!r} of {phrase!r} is still in the file"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(result.output)).paragraphs)
    assert "Anak dampingan kami" in text and "sejak awal tahun" in text and "(dirahasiakan)" in text
    assert sorted(f.value for f in result.findings if f.entity_type == "HIDDEN_UNDER_BOX") == sorted(
        [BLACKED, SHADED, WHITENED, HIDDEN])
    assert verified(handler, result, config) == []


def test_a_blacked_out_run_keeps_its_black_box(config):
    _, result = _redacted(_bytes(_document()), config)
    paragraph = docx.Document(io.BytesIO(result.output)).paragraphs[0]
    boxed = [run for run in paragraph.runs if run.font.highlight_color == WD_COLOR_INDEX.BLACK and run.text]
    assert len(boxed) == 1 and boxed[0].text == config.redaction.label_for("HIDDEN_UNDER_BOX")


def test_a_blacked_out_phrase_is_gone_where_it_is_repeated_in_plain_sight(config):
    document = _document()
    document.add_paragraph(f"Menurut guru, anak {BLACKED}.")
    handler, result = _redacted(_bytes(document), config)
    assert b"tirinya" not in _every_part(result.output)
    assert verified(handler, result, config) == []


def test_what_word_shows_is_kept(config):
    """Over-caution is a defect: automatic colour on a black highlight (Word
    shows it white), white text in a table (a header a style shades) and in
    a shaded paragraph, a yellow highlight."""
    document = docx.Document()
    paragraph = document.add_paragraph("Judul: ")
    paragraph.add_run("Laporan Kegiatan Bulanan").font.highlight_color = WD_COLOR_INDEX.BLACK
    paragraph = document.add_paragraph("Catatan penting: ")
    paragraph.add_run("penyuluhan diikuti tiga puluh orang tua").font.highlight_color = WD_COLOR_INDEX.YELLOW
    table = document.add_table(rows=1, cols=2)
    for cell, text in zip(table.rows[0].cells, ("Kegiatan", "Peserta")):
        cell.paragraphs[0].add_run(text).font.color.rgb = WHITE
    paragraph = document.add_paragraph()
    _shade(paragraph._p.get_or_add_pPr(), "1F3864")
    paragraph.add_run("Ringkasan Program").font.color.rgb = WHITE
    source = _bytes(document)

    handler, result = _redacted(source, config)
    everything = _every_part(result.output)
    for kept in ("Laporan Kegiatan Bulanan", "tiga puluh orang tua", "Kegiatan", "Peserta", "Ringkasan Program"):
        assert kept.encode() in everything, f"{kept!r} was taken out"
    assert [f for f in result.findings if f.entity_type == "HIDDEN_UNDER_BOX"] == []
    assert verified(handler, result, config) == []


@pytest.mark.parametrize("val", ["0", "false"])
def test_hidden_switched_off_is_not_hidden(config, val):
    document = docx.Document()
    run = document.add_paragraph("Catatan: ").add_run("kegiatan berjalan sesuai rencana")
    vanish = OxmlElement("w:vanish")
    vanish.set(qn("w:val"), val)
    run._r.get_or_add_rPr().append(vanish)
    _, result = _redacted(_bytes(document), config)
    assert b"kegiatan berjalan sesuai rencana" in _every_part(result.output)


def test_a_name_after_a_blacked_out_phrase_is_replaced_in_its_place(config):
    """A name later in the same paragraph as a blacked-out stretch is
    replaced where it is, whole, beside the stretch's label."""
    document = docx.Document()
    paragraph = document.add_paragraph("Anak dampingan kami ")
    run = paragraph.add_run(BLACKED)
    run.font.highlight_color = WD_COLOR_INDEX.BLACK
    run.font.color.rgb = BLACK
    paragraph.add_run(" dan ibunya bernama Siti Aminah tinggal di Palembang.")
    _, result = _redacted(_bytes(document), config)
    text = docx.Document(io.BytesIO(result.output)).paragraphs[0].text
    assert "Siti" not in text and "Aminah" not in text
    assert text.endswith("tinggal di [LOKASI].") or text.endswith("tinggal di Palembang."), text
    assert "dan ibunya bernama [NAMA]" in text, text


def test_verification_finds_unseen_text_left(config):
    handler = DocxHandler()
    source = _bytes(_document())
    problems = handler.verify(source, {"unrelated"}, set(), RedactionContext(detector_for(config), config))
    assert any("5 run(s) of unseen text" in p for p in problems), problems  # the blacked-out phrase is two runs


SHAPE = """<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
  xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
  xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
  xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><w:drawing>
  <wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="2" behindDoc="{behind}"
    locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>
  <wp:positionH relativeFrom="column"><wp:posOffset>1700000</wp:posOffset></wp:positionH>
  <wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>
  <wp:extent cx="2200000" cy="190000"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>
  <wp:docPr id="7" name="Persegi Panjang 7"/><wp:cNvGraphicFramePr/>
  <a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>
  <wps:cNvSpPr/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="2200000" cy="190000"/></a:xfrm>
  <a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:solidFill><a:srgbClr val="{fill}"/></a:solidFill></wps:spPr>
  <wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>"""


def _with_shape(fill: str, behind: str = "0") -> bytes:
    from lxml import etree

    document = docx.Document()
    paragraph = document.add_paragraph(f"Anak dampingan kami {BLACKED} sejak awal tahun.")
    paragraph._p.append(etree.fromstring(SHAPE.replace("{fill}", fill).replace("{behind}", behind)))
    return _bytes(document)


def test_a_dark_box_laid_over_words_in_word_holds_the_file_for_review(config):
    """Insert > Shapes, a black rectangle over the words: Word shows a black
    bar; the words are in the file. Which words lie under it cannot be told
    without laying the page out, and removing the box would show them."""
    handler, result = _redacted(_with_shape("000000"), config)
    problems = verified(handler, result, config)
    assert any("dark box(es) drawn in front of the text" in p for p in problems), problems
    assert any("held for review" in note for note in result.notes)


@pytest.mark.parametrize("fill, behind", [("FFD966", "0"), ("000000", "1")], ids=["a light box", "behind the text"])
def test_a_light_box_or_one_behind_the_text_hides_nothing(config, fill, behind):
    handler, result = _redacted(_with_shape(fill, behind), config)
    assert not any("drawn in front of the text" in p for p in verified(handler, result, config))


# Word's crop tool records a rectangle and keeps the whole picture.
def _cropped_picture_document(crops: list[dict]) -> tuple[bytes, np.ndarray]:
    """One picture (left third red, the rest green with a blue square), used
    once per crop in `crops` (a:srcRect attributes; {} for none)."""
    picture = np.zeros((300, 600, 3), np.uint8)
    picture[:, :200] = (0, 0, 255)  # what the crop hides: red
    picture[:, 200:] = (0, 200, 0)
    picture[100:200, 350:450] = (255, 0, 0)
    document = docx.Document()
    data = cv2.imencode(".png", picture)[1].tobytes()
    for crop in crops:
        document.add_picture(io.BytesIO(data))
        fill = document.inline_shapes[-1]._inline.graphic.graphicData.pic.blipFill
        if crop:
            rect = OxmlElement("a:srcRect")
            for side, value in crop.items():
                rect.set(side, str(value))
            fill.insert(1, rect)
    return _bytes(document), picture


def _media(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = [n for n in package.namelist() if n.startswith("word/media/")]
        return [cv2.imdecode(np.frombuffer(package.read(n), np.uint8), cv2.IMREAD_COLOR) for n in names]


def _red_share(image) -> float:
    return float(((image[:, :, 2] > 150) & (image[:, :, 1] < 80)).mean())


def test_what_a_crop_hid_of_a_picture_is_cut_off(config):
    source, picture = _cropped_picture_document([{"l": "33333"}])  # the red third cropped away
    assert _red_share(_media(source)[0]) > 0.3  # the whole picture is in the file

    handler, result = _redacted(source, config)
    (kept,) = _media(result.output)
    assert _red_share(kept) < 0.01
    assert kept.shape[1] in range(399, 402) and kept.shape[0] == 300  # what the crop showed, whole
    assert (kept[150, 200] == (255, 0, 0)).all()  # the blue square where it was
    fill = docx.Document(io.BytesIO(result.output)).inline_shapes[0]._inline.graphic.graphicData.pic.blipFill
    assert fill.find(qn("a:srcRect")) is None  # nothing left to crop
    assert any("cropped picture" in note for note in result.notes)
    assert verified(handler, result, config) == []


def test_a_picture_used_twice_keeps_what_either_use_shows(config):
    source, _ = _cropped_picture_document([{"l": "33333"}, {"r": "50000"}])  # the second use shows the red
    _, result = _redacted(source, config)
    (kept,) = _media(result.output)
    assert kept.shape[1] == 600 and _red_share(kept) > 0.3  # the union is the whole picture: nothing cut
    source, _ = _cropped_picture_document([{"l": "33333"}, {"l": "50000", "t": "10000"}])
    _, result = _redacted(source, config)
    (kept,) = _media(result.output)
    assert _red_share(kept) < 0.01
    shapes = docx.Document(io.BytesIO(result.output)).inline_shapes
    second = shapes[1]._inline.graphic.graphicData.pic.blipFill.find(qn("a:srcRect"))
    assert second is not None and int(second.get("l")) == 25000 and int(second.get("t")) == 10000  # restated
