"""Carriers that hang off PDF objects rather than the document's lists:
files associated through /AF (PDF/A-3, PDF 2.0), which the attachment list
does not show; the XMP of a page, picture or drawing; private application
data (/PieceInfo); named destinations; LibreOffice's hybrid PDF, which
carries its whole source document in the trailer. Each is built as a
writer would leave it, with data that is not on the page (so only the
removal of the carrier can take it away), and the output is searched with
the tests' own extractors."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pymupdf
import pytest

from tabir.redactors.detect.factory import detector_for
from tabir.redactors.formats import RedactionContext
from tabir.redactors.formats.pdf import PdfHandler

from .checks import verified
from .pdf_inspect import all_text, contains, inflated_file, raw_objects

# On the page: an ordinary report with a client's name. In the carriers: a
# different person, a NIK and a phone number nobody can see on the page.
PAGE_NAME = "Siti Aminah"
HIDDEN = ("Rahmat Hidayat", "3171234567890123", "081298765432")
HIDDEN_NOTE = f"Catatan internal: wali {HIDDEN[0]}, NIK {HIDDEN[1]}, HP {HIDDEN[2]}".encode()


def _report() -> tuple[pymupdf.Document, pymupdf.Page]:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), f"Laporan kunjungan rumah. Klien: {PAGE_NAME}.", fontsize=11)
    page.insert_text((72, 96), "Kegiatan pendampingan berjalan sesuai rencana.", fontsize=11)
    return doc, page


def _stream_object(doc: pymupdf.Document, dictionary: str, data: bytes) -> int:
    xref = doc.get_new_xref()
    doc.update_object(xref, dictionary)
    doc.update_stream(xref, data)
    return xref


def _associated_file(doc: pymupdf.Document) -> int:
    stream = _stream_object(doc, "<< /Type /EmbeddedFile /Subtype /text#2Fplain >>", HIDDEN_NOTE)
    spec = doc.get_new_xref()
    doc.update_object(spec, f"<< /Type /Filespec /F (catatan.txt) /UF (catatan.txt) /AFRelationship /Source "
                            f"/EF << /F {stream} 0 R >> >>")
    return spec


def _xmp(name: str) -> bytes:
    return (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            f'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{name}</dc:creator>'
            f'</rdf:Description></rdf:RDF></x:xmpmeta>').encode()


def _redacted(source: bytes, config):
    handler = PdfHandler()
    result = handler.redact(source, RedactionContext(detector_for(config), config))
    return handler, result


def _assert_hidden_values_gone(output: bytes) -> None:
    views = (raw_objects(output), inflated_file(output))
    for value in HIDDEN + (PAGE_NAME,):
        for view in views:
            assert not contains(view, value), f"{value!r} is still in the output"


def _entries(data: bytes) -> list[tuple[int, str]]:
    """(object, key) of every data-carrying entry left, read independently."""
    found = []
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for xref in range(-1, doc.xref_length()):
            if xref == 0:
                continue
            for key in doc.xref_get_keys(xref):
                if key in ("AF", "Metadata", "PieceInfo", "EF", "Dests", "AdditionalStreams") \
                        and doc.xref_get_key(xref, key)[0] != "null":
                    found.append((xref, key))
    return found


def test_files_associated_through_af_are_removed_with_what_they_hold(config):
    doc, page = _report()
    spec = _associated_file(doc)
    doc.xref_set_key(doc.pdf_catalog(), "AF", f"[{spec} 0 R]")
    doc.xref_set_key(page.xref, "AF", f"[{spec} 0 R]")
    source = doc.tobytes()
    with pymupdf.open(stream=source) as opened:  # the attachment list does not show it; the bytes hold it
        assert opened.embfile_count() == 0 and contains(raw_objects(source), HIDDEN[1])

    handler, result = _redacted(source, config)
    _assert_hidden_values_gone(result.output)
    assert _entries(result.output) == []
    assert "Kegiatan pendampingan" in all_text(result.output)
    assert verified(handler, result, config) == []


def test_xmp_and_private_data_of_pages_pictures_and_drawings_are_removed(config):
    doc, page = _report()
    page_xmp = _stream_object(doc, "<< /Type /Metadata /Subtype /XML >>", _xmp(HIDDEN[0]))
    doc.xref_set_key(page.xref, "Metadata", f"{page_xmp} 0 R")
    # A logo picture with its own XMP (a camera's or an editor's).
    logo = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 64, 64), False)
    logo.clear_with(200)
    image = page.insert_image(pymupdf.Rect(400, 40, 464, 104), pixmap=logo)
    image_xmp = _stream_object(doc, "<< /Type /Metadata /Subtype /XML >>", _xmp(HIDDEN[1]))
    doc.xref_set_key(image, "Metadata", f"{image_xmp} 0 R")
    # A drawing placed as a form XObject, with an editor's private data
    # (Illustrator keeps its own document there).
    private = _stream_object(doc, "<< >>", HIDDEN_NOTE)
    form_source = pymupdf.open()
    form_page = form_source.new_page(width=100, height=40)
    form_page.draw_rect(pymupdf.Rect(5, 5, 95, 35), color=(0, 0, 1))
    page.show_pdf_page(pymupdf.Rect(72, 200, 172, 240), form_source, 0)
    forms = [x for x in range(1, doc.xref_length()) if doc.xref_get_key(x, "Subtype") == ("name", "/Form")]
    assert forms
    for form in forms:
        doc.xref_set_key(form, "PieceInfo", f"<< /Illustrator << /Private {private} 0 R >> >>")
    doc.xref_set_key(page.xref, "PieceInfo", f"<< /Illustrator << /Private {private} 0 R >> >>")
    source = doc.tobytes()
    assert contains(raw_objects(source), HIDDEN[0]) and contains(raw_objects(source), HIDDEN[2])

    handler, result = _redacted(source, config)
    _assert_hidden_values_gone(result.output)
    assert _entries(result.output) == []
    assert verified(handler, result, config) == []


def test_named_destinations_are_removed(config):
    doc, page = _report()
    name = HIDDEN[0].replace(" ", "#20")
    doc.xref_set_key(doc.pdf_catalog(), "Dests", f"<< /{name} [{page.xref} 0 R /Fit] >>")
    source = doc.tobytes()
    assert name.encode() in raw_objects(source)

    handler, result = _redacted(source, config)
    assert name.encode() not in raw_objects(result.output) and name.encode() not in inflated_file(result.output)
    assert _entries(result.output) == []
    assert verified(handler, result, config) == []


def test_verification_sends_back_an_output_that_kept_such_entries(config):
    doc, page = _report()
    handler, result = _redacted(doc.tobytes(), config)
    assert verified(handler, result, config) == []
    with pymupdf.open(stream=result.output) as out:
        spec = _associated_file(out)
        out.xref_set_key(out.pdf_catalog(), "AF", f"[{spec} 0 R]")
        out.xref_set_key(out[0].xref, "Thumb", f"{spec} 0 R")
        xmp = _stream_object(out, "<< /Type /Metadata /Subtype /XML >>", _xmp("x"))
        fonts = [x for x in range(1, out.xref_length()) if out.xref_get_key(x, "Type") == ("name", "/Font")]
        out.xref_set_key(fonts[0], "Metadata", f"{xmp} 0 R")
        tampered = out.tobytes()
    result.output = tampered
    problems = " | ".join(verified(handler, result, config))
    assert "catalog entry /AF" in problems
    assert "/Thumb of page 1" in problems
    assert f"entry /Metadata of PDF object {fonts[0]}" in problems
    assert "an embedded file remains" in problems


def test_verification_sends_back_an_output_with_an_object_nothing_refers_to(config):
    """What LibreOffice's hybrid PDF left when only the trailer entry went:
    MuPDF kept the zipped source (reached from the old trailer) and wrote a
    trailer without the entry. No viewer shows it; a file carver finds it."""
    doc, page = _report()
    handler, result = _redacted(doc.tobytes(), config)
    with pymupdf.open(stream=result.output) as out:
        source = _stream_object(out, "<< >>", b"PK\x03\x04" + HIDDEN_NOTE)
        out.xref_set_key(-1, "AdditionalStreams", f"[/application#2Fvnd.oasis.opendocument.text {source} 0 R]")
        result.output = out.tobytes(garbage=4, deflate=True)
    with pymupdf.open(stream=result.output) as out:
        assert "AdditionalStreams" not in out.xref_get_keys(-1)  # the entry is gone, the object stayed
    problems = " | ".join(verified(handler, result, config))
    assert "is kept though nothing refers to it" in problems and "a zip archive is inside" in problems


def _soffice_pdf(tmp_path: Path, filter_options: str, paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(tmp_path / "laporan.docx")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", f"pdf:writer_pdf_Export:{filter_options}", "--outdir", str(tmp_path / "out"),
                    str(tmp_path / "laporan.docx")], check=True, capture_output=True, timeout=300)
    return (tmp_path / "out" / "laporan.pdf").read_bytes()


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"),
                    reason="LibreOffice and poppler needed")
def test_libreoffice_hybrid_pdf_publishes_without_its_source_document(tmp_path, config):
    """"Hybrid PDF (embed ODF file)" in LibreOffice's export dialog: the whole
    .odt, zipped (so no byte search finds a name in it), rides in the
    trailer. A person's name that the page shows redacted would be one
    unzip away."""
    source = _soffice_pdf(tmp_path, '{"IsAddStream":{"type":"boolean","value":"true"}}',
                          [f"Laporan kunjungan rumah. Klien: {PAGE_NAME}, tinggal di Desa Sukamaju.",
                           "Kegiatan pendampingan berjalan sesuai rencana."])
    assert b"/AdditionalStreams" in source and b"PK\x03\x04" in source  # the ODF is really inside

    handler, result = _redacted(source, config)
    assert b"PK\x03\x04" not in inflated_file(result.output) and _entries(result.output) == []
    (tmp_path / "out.pdf").write_bytes(result.output)
    text = subprocess.run(["pdftotext", str(tmp_path / "out.pdf"), "-"], capture_output=True, text=True).stdout
    assert PAGE_NAME not in text and "Kegiatan pendampingan" in text
    assert verified(handler, result, config) == []


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice needed")
def test_a_clean_pdf_a3_export_passes_verification_with_its_text(tmp_path, config):
    """Over-caution is a defect too: LibreOffice's PDF/A-3 (structure tree,
    XMP, output intent) with nothing personal is published with its text."""
    source = _soffice_pdf(tmp_path, '{"SelectPdfVersion":{"type":"long","value":"3"}}',
                          ["Laporan bulanan kegiatan pendampingan.", "Kegiatan berjalan sesuai rencana."])
    handler, result = _redacted(source, config)
    assert [(f.value, f.location) for f in result.findings] == []
    assert "Kegiatan berjalan sesuai rencana" in all_text(result.output)
    assert verified(handler, result, config) == []
