"""Word documents, completely: a generated .docx plants the client's name
and NIK in every carrier; after redaction no part of the zip holds them, the
file opens in python-docx and in LibreOffice, and the unaffected text and its
formatting are unchanged. Bad archives end in failed/ with a reason."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import docx
import pymupdf
import pytest

from tabir.redactors.formats import RedactionContext
from tabir.redactors.formats.docx import DocxHandler
from tabir.redactors.detect.factory import detector_for
from scripts import make_docx_sample as sample

from .checks import verified

PLANTED = [sample.NAME, sample.FIRST, sample.LAST, sample.NIK, sample.EMAIL]


@pytest.fixture(scope="module")
def redacted(config):
    source = sample.build()
    handler = DocxHandler()
    result = handler.redact(source, RedactionContext(detector_for(config), config))
    return source, result, handler


def all_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_sample_really_plants_every_carrier():
    parts = all_parts(sample.build())
    holders = {name for name, data in parts.items() if b"Aminah" in data}
    for expected in ("word/document.xml", "word/comments.xml", "word/footnotes.xml", "word/endnotes.xml", "docProps/core.xml",
                     "docProps/custom.xml", "customXml/item9.xml", "word/embeddings/oleObject1.bin"):
        assert expected in holders, expected
    assert len([n for n in holders if n.startswith("word/header")]) == 3  # default, first page, even pages
    assert any(n.startswith("word/footer") for n in holders)
    document = parts["word/document.xml"]
    for marker in (b"w:delText", b"w:ins ", b"w:txbxContent", b"w:hyperlink", b'descr="Foto'):
        assert marker in document, marker
    assert any(b"Aminah" in data for name, data in parts.items() if name.startswith("word/media/"))
    assert b"mailto:" + sample.EMAIL.encode() in parts["word/_rels/document.xml.rels"]


def test_no_part_of_the_output_holds_a_planted_value(redacted, config):
    _, result, handler = redacted
    for name, data in all_parts(result.output).items():
        lowered = data.lower()
        for value in PLANTED:
            assert value.lower().encode() not in lowered, f"{value!r} still in {name}"
    assert verified(handler, result, config) == []


def test_hidden_parts_are_gone_and_noted(redacted):
    _, result, _ = redacted
    names = set(all_parts(result.output))
    for gone in ("word/comments.xml", "docProps/custom.xml", "customXml/item9.xml", "word/embeddings/oleObject1.bin"):
        assert gone not in names
    document = all_parts(result.output)["word/document.xml"]
    for marker in (b"w:delText", b"<w:del ", b"<w:ins ", b"w:commentReference", b"w:rsid", b"w:author"):
        assert marker not in document, marker
    joined = " ".join(result.notes)
    assert "comments" in joined and "embedded object" in joined and "tracked changes" in joined
    locations = {f.location for f in result.findings}
    assert {"body", "header", "footer", "footnote", "endnote", "comment", "tracked_change", "metadata", "alt_text",
            "hyperlink"} <= locations


def test_document_stays_usable_and_unaffected_text_keeps_its_formatting(redacted):
    source, result, _ = redacted
    before, after = docx.Document(io.BytesIO(source)), docx.Document(io.BytesIO(result.output))
    texts_after = [p.text for p in after.paragraphs]
    assert sample.UNAFFECTED in texts_after
    assert "Laporan Pendampingan" in texts_after
    heading = next(p for p in after.paragraphs if p.text == "Laporan Pendampingan")
    assert heading.style.name == "Heading 1"
    client = next(p for p in after.paragraphs if p.text.startswith("Klien bernama"))
    assert client.runs[1].bold and "[NAMA]" in client.text and "datang bersama ibunya" in client.text
    assert len(after.tables) == len(before.tables)
    assert "nenek klien" in " ".join(texts_after)  # the tracked insertion is accepted


def test_output_opens_in_libreoffice_and_its_text_is_clean(redacted, tmp_path):
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (libreoffice-writer-nogui) is needed; `make test` installs it"
    _, result, _ = redacted
    path = tmp_path / "out.docx"
    path.write_bytes(result.output)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    with pymupdf.open(tmp_path / "out.pdf") as pdf:
        text = "\n".join(page.get_text() for page in pdf)
    assert sample.UNAFFECTED in text
    for value in PLANTED:
        assert value.lower() not in text.lower()


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_bad_archives_fail_with_a_reason(tmp_path, run_library):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = sample.build()
    (inbox / "rusak.docx").write_bytes(good[: len(good) // 3])
    bomb_parts = all_parts(good)
    bomb_parts["word/media/huge.bin"] = b"\0" * (60 * 1024 * 1024)
    (inbox / "bom.docx").write_bytes(_zip(bomb_parts))
    (inbox / "terkunci.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000)
    manifest = run_library(inbox, tmp_path / "out")
    files = {f["input"]: f for f in manifest["files"]}
    assert files["rusak.docx"]["reason_code"] == "corrupt"
    assert files["bom.docx"]["reason_code"] == "too_large" and "zip bomb" in files["bom.docx"]["reason"]
    assert files["terkunci.docx"]["reason_code"] == "encrypted"
    assert all(f["status"] == "failed" for f in files.values())


def test_external_relationships_are_removed(config):
    parts = all_parts(sample.build())
    parts["word/_rels/settings.xml.rels"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
        b'Target="http://tracker.example/template.dotx" TargetMode="External"/></Relationships>'
    )
    handler = DocxHandler()
    result = handler.redact(_zip(parts), RedactionContext(detector_for(config), config))
    out = all_parts(result.output)
    assert b"tracker.example" not in b"".join(out.values())
    assert verified(handler, result, config) == []


def test_odt_is_converted_redacted_and_published_as_docx(tmp_path, run_library, monkeypatch):
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (libreoffice-writer-nogui) is needed; `make test` installs it"
    source = tmp_path / "src.docx"
    source.write_bytes(sample.build())
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'p'}", "--headless", "--convert-to", "odt",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.move(tmp_path / "src.odt", inbox / "laporan.odt")
    out = tmp_path / "out"
    from tabir.redactors.formats import convert

    with monkeypatch.context() as without_libreoffice:  # yesterday: no LibreOffice
        without_libreoffice.setattr(convert, "find_soffice", lambda: None)
        assert run_library(inbox, out)["files"][0]["status"] == "failed"
    assert (out / "failed" / "laporan.odt.txt").exists()
    manifest = run_library(inbox, out)
    entry = manifest["files"][0]
    assert entry["status"] == "redacted", entry["reason"]
    assert entry["output"] == "redacted/laporan.odt.docx"  # never the name of a laporan.docx beside it
    assert not (out / "failed" / "laporan.odt.txt").exists()  # the stale reason is gone
    assert run_library(inbox, out)["files"][0]["status"] == "skipped"  # unchanged since
    assert "converted from .odt" in entry["notes"][0]
    published = (out / "redacted" / "laporan.odt.docx").read_bytes()
    for name, data in all_parts(published).items():
        assert b"aminah" not in data.lower(), name


def test_faces_in_word_pictures_are_covered(tmp_path, run_library):
    import cv2
    import numpy as np
    import skimage.data
    from docx.shared import Inches

    document = docx.Document()
    document.add_paragraph("Dokumentasi kegiatan.")
    photo = cv2.imencode(".jpg", cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR))[1].tobytes()
    document.add_picture(io.BytesIO(photo), width=Inches(2))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    document.save(inbox / "foto.docx")
    out = tmp_path / "out"
    entry = run_library(inbox, out)["files"][0]
    assert entry["status"] == "redacted", entry["reason"]
    faces = [f for f in entry["findings"] if f["entity_type"] == "FACE"]
    assert len(faces) == 1 and faces[0]["location"] == "image"
    media = {n: d for n, d in all_parts((out / "redacted" / "foto.docx").read_bytes()).items() if n.startswith("word/media/")}
    (picture,) = media.values()
    pixels = cv2.imdecode(np.frombuffer(picture, np.uint8), cv2.IMREAD_COLOR)
    x0, y0, x1, y1 = (int(v) for v in faces[0]["bbox"])
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    assert pixels[cy - 10:cy + 10, cx - 10:cx + 10].max() < 40


def test_a_phone_photo_turned_by_exif_in_a_word_file_is_published_with_its_face_covered(tmp_path, run_library):
    """A phone stores a portrait photo sideways with EXIF Orientation 6;
    pasted into Word it used to go to review (verification took the cover
    for a face). It is published: the face covered where it shows upright,
    the EXIF gone (exiftool)."""
    import cv2
    import numpy as np
    import skimage.data
    from docx.shared import Inches
    from PIL import Image

    sideways = np.rot90(skimage.data.astronaut(), k=1)  # displayed upright after turning 90 degrees clockwise
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Apple"
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(sideways)).save(buffer, "JPEG", quality=92, exif=exif.tobytes())
    document = docx.Document()
    document.add_paragraph("Dokumentasi kegiatan.")
    document.add_picture(io.BytesIO(buffer.getvalue()), width=Inches(2))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    document.save(inbox / "foto_hp.docx")
    out = tmp_path / "out"
    entry = run_library(inbox, out)["files"][0]
    assert entry["status"] == "redacted", entry["reason"]
    assert [f["entity_type"] for f in entry["findings"]].count("FACE") == 1
    media = {n: d for n, d in all_parts((out / "redacted" / "foto_hp.docx").read_bytes()).items()
             if n.startswith("word/media/")}
    (picture,) = media.values()
    upright = cv2.imdecode(np.frombuffer(picture, np.uint8), cv2.IMREAD_COLOR)
    assert upright.shape[:2] == (512, 512)
    # The astronaut's face, upright: x 182-270, y 58-178 (not where our detector says).
    assert upright[80:160, 200:250].max() < 40
    if shutil.which("exiftool"):
        (tmp_path / "picture.jpg").write_bytes(picture)
        tags = subprocess.run(["exiftool", "-s", "-Orientation", "-Make", str(tmp_path / "picture.jpg")],
                              capture_output=True, text=True).stdout
        assert "Orientation" not in tags and "Apple" not in tags


def test_without_libreoffice_old_formats_fail_saying_what_to_install(tmp_path, run_library, monkeypatch):
    from tabir.redactors.formats import convert

    monkeypatch.setattr(convert, "find_soffice", lambda: None)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "lama.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)
    entry = run_library(inbox, tmp_path / "out")["files"][0]
    assert entry["status"] == "failed" and entry["reason_code"] == "unsupported"
    assert "apt-get install libreoffice-writer-nogui" in entry["reason"]
