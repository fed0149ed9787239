"""Word's less visited corners: drop-down items, legacy form fields, link
tooltips and map/chat targets, file paths in field codes, media part names,
watermarks, alt text of grouped shapes, equations, bookmark names, and a
transparent stamp. Each planted value is gone from every part and every
part name of the output (unzip and a byte search), and the file still
opens."""

from __future__ import annotations

import io
import subprocess
import zipfile

import docx
import numpy as np
import pytest
from docx.oxml import parse_xml
from PIL import Image, ImageDraw, ImageFont

from tabir.redactors.formats import RedactionContext
from tabir.redactors.formats.docx import DocxHandler
from tabir.redactors.detect.factory import detector_for

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
NAME, OTHER, NIK = "Siti Rahmawati", "Budi Hartono", "3174055203900002"
PLANTED = [NAME, "Rahmawati", OTHER, "Hartono", NIK, "-6.2146", "106.8451", "6281234567890", "budi.hartono",
           "Siti_Rahmawati", "SitiRahmawati", "a2xpZW4gU2l0aSBSYWhtYXdhdGk="]  # the last: base64 of "klien Siti Rahmawati"


def stamp_png() -> bytes:
    """A transparent stamp: black everywhere, the text only in the alpha channel."""
    shape = Image.new("L", (700, 160), 0)
    draw = ImageDraw.Draw(shape)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 36)
    draw.text((15, 20), f"Nama: {NAME}", font=font, fill=255)
    draw.text((15, 90), f"NIK {NIK}", font=font, fill=255)
    out = io.BytesIO()
    Image.merge("RGBA", [Image.new("L", shape.size, 0)] * 3 + [shape]).save(out, "PNG")
    return out.getvalue()


def build() -> bytes:
    document = docx.Document()
    body = document.element.body
    document.add_paragraph(f"Laporan pendampingan untuk klien {NAME}.")
    # A content control with a drop-down list naming other people.
    body.append(parse_xml(
        f'<w:p {W_NS}><w:sdt><w:sdtPr><w:dropDownList>'
        f'<w:listItem w:displayText="{OTHER}" w:value="{OTHER}"/><w:listItem w:displayText="Ibu {NAME}" w:value="x"/>'
        f'</w:dropDownList></w:sdtPr><w:sdtContent><w:r><w:t>pilih pendamping</w:t></w:r></w:sdtContent></w:sdt></w:p>'))
    # A legacy text form field whose default and help text hold data.
    body.append(parse_xml(
        f'<w:p {W_NS}><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="SitiRahmawati"/>'
        f'<w:helpText w:type="text" w:val="Isi NIK {NIK}"/><w:statusText w:type="text" w:val="{OTHER}"/>'
        f'<w:textInput><w:default w:val="{NAME}"/></w:textInput></w:ffData></w:fldChar></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r>'
        f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>nama klien</w:t></w:r>'
        f'<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'))
    # A picture linked from a client's folder, and a bookmark named after her.
    body.append(parse_xml(
        f'<w:p {W_NS}><w:bookmarkStart w:id="7" w:name="Siti_Rahmawati"/><w:r><w:t>Lihat lampiran.</w:t></w:r>'
        f'<w:bookmarkEnd w:id="7"/><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> INCLUDEPICTURE "C:\\\\Users\\\\budi.hartono\\\\Kasus\\\\foto.jpg" </w:instrText></w:r>'
        f'<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        f'<w:hyperlink w:anchor="Siti_Rahmawati" w:tooltip="Rumah {NAME}"><w:r><w:t>ke atas</w:t></w:r></w:hyperlink></w:p>'))
    # An editing permission for one user, and binary field data naming the client.
    import base64

    body.append(parse_xml(
        f'<w:p {W_NS}><w:permStart w:id="3" w:ed="budi.hartono@contoh.id"/><w:r><w:t>bagian bebas</w:t></w:r>'
        f'<w:permEnd w:id="3"/><w:r><w:fldChar w:fldCharType="begin"><w:fldData xml:space="preserve">'
        f'{base64.b64encode(f"klien {NAME}".encode()).decode()}</w:fldData></w:fldChar></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> ADDIN data </w:instrText></w:r>'
        f'<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'))
    # An equation with a name in it.
    body.append(parse_xml(
        f'<w:p {W_NS} xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math">'
        f'<m:oMath><m:r><m:t>Skor {NAME} = 12</m:t></m:r></m:oMath></w:p>'))
    # Hyperlinks to a map position and a chat number.
    for url in ("https://www.google.com/maps/@-6.2146,106.8451,17z", "https://wa.me/6281234567890"):
        paragraph = document.add_paragraph()
        rel = document.part.relate_to(url, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
                                      is_external=True)
        paragraph._p.append(parse_xml(
            f'<w:hyperlink {W_NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
            f'r:id="{rel}"><w:r><w:t>tautan</w:t></w:r></w:hyperlink>'))
    # A watermark in the header (a VML text path).
    header = document.sections[0].header
    header.paragraphs[0]._p.append(parse_xml(
        f'<w:r {W_NS} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape id="wm" type="#_x0000_t136" '
        f'alt="foto {NAME}"><v:textpath string="RAHASIA {NAME}"/></v:shape></w:pict></w:r>'))
    # A transparent stamp picture, stored under a client's name.
    document.add_picture(io.BytesIO(stamp_png()))
    buffer = io.BytesIO()
    document.save(buffer)
    # Rename the media part after the client, as a user's file name would be.
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        media = [n for n in source.namelist() if n.startswith("word/media/")][0]
        for item in source.namelist():
            data = source.read(item)
            if item.endswith(".rels") or item.endswith(".xml"):
                data = data.replace(media.split("/", 1)[1].encode(), b"media/Siti_Rahmawati.png")
            target.writestr("word/media/Siti_Rahmawati.png" if item == media else item, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def redacted(config):
    handler = DocxHandler()
    ctx = RedactionContext(detector_for(config), config)
    data = build()
    assert any(NAME.encode() in zipfile.ZipFile(io.BytesIO(data)).read(n) for n in zipfile.ZipFile(io.BytesIO(data)).namelist())
    result = handler.redact(data, ctx)
    return handler, ctx, result


def test_every_planted_value_is_gone_from_every_part_and_part_name(redacted):
    _, _, result = redacted
    package = zipfile.ZipFile(io.BytesIO(result.output))
    left = []
    for name in package.namelist():
        raw = package.read(name)
        for value in PLANTED:
            if value.lower() in name.lower():
                left.append(f"{value!r} in the part name {name}")
            if value.encode().lower() in raw.lower() or value.encode("utf-16-le").lower() in raw.lower():
                left.append(f"{value!r} in {name}")
    assert left == []


def test_the_output_verifies_and_opens(redacted):
    handler, ctx, result = redacted
    assert handler.verify(result.output, result.sensitive_values(), result.inserted, ctx) == []
    document = docx.Document(io.BytesIO(result.output))
    assert len(document.inline_shapes) == 1
    body = zipfile.ZipFile(io.BytesIO(result.output)).read("word/document.xml").decode()
    assert "pilih pendamping" in body and "nama klien" in body and "Lihat lampiran." in body
    assert "bagian bebas" in body and "permStart" not in body and "fldData" not in body


def test_the_stamp_is_covered_where_its_text_was(redacted):
    _, _, result = redacted
    package = zipfile.ZipFile(io.BytesIO(result.output))
    media = [n for n in package.namelist() if n.startswith("word/media/")]
    assert media == ["word/media/image1.png"]
    for label, data in (("before", stamp_png()), ("after", package.read(media[0]))):
        picture = Image.open(io.BytesIO(data)).convert("RGBA")
        flat = Image.new("RGB", picture.size, (255, 255, 255))
        flat.paste(picture, mask=picture.split()[3])
        out = io.BytesIO()
        flat.save(out, "PNG")
        text = subprocess.run(["tesseract", "stdin", "stdout", "--psm", "6"], input=out.getvalue(),
                              capture_output=True).stdout.decode()
        if label == "before":
            assert NIK in text  # the stamp is readable when flattened
        else:
            assert NIK not in text and "Rahmawati" not in text


def test_eleven_pictures_keep_their_own_pixels_after_renaming(config):
    """image10.png sorts before image2.png: renaming must not let one picture
    take another's name (and so its place in the document)."""
    document = docx.Document()
    colours = [(20 * i, 255 - 20 * i, 90) for i in range(11)]
    for colour in colours:
        out = io.BytesIO()
        Image.new("RGB", (40, 40), colour).save(out, "PNG")
        document.add_picture(out)
    buffer = io.BytesIO()
    document.save(buffer)
    names = [n for n in zipfile.ZipFile(buffer).namelist() if n.startswith("word/media/")]
    assert "word/media/image10.png" in names and "word/media/image2.png" in names
    result = DocxHandler().redact(buffer.getvalue(), RedactionContext(detector_for(config), config))
    redacted = docx.Document(io.BytesIO(result.output))
    shown = []
    for blip in redacted.element.body.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip"):
        part = redacted.part.related_parts[blip.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")]
        shown.append(Image.open(io.BytesIO(part.blob)).convert("RGB").getpixel((20, 20)))
    assert shown == colours


@pytest.fixture(scope="module")
def libreoffice_made(tmp_path_factory, config):
    """The same document saved by LibreOffice (as a user who edits in
    LibreOffice Writer and saves as Word does): LibreOffice writes its own
    forms of form fields, content controls, bookmarks and links."""
    import shutil

    if not shutil.which("soffice"):
        pytest.fail("LibreOffice (libreoffice-writer-nogui) is needed; `make test` installs it")
    work = tmp_path_factory.mktemp("lo-corners")
    (work / "in" ).mkdir()
    (work / "in" / "sudut.docx").write_bytes(build())
    subprocess.run(["soffice", f"-env:UserInstallation=file://{work / 'profile'}", "--headless", "--convert-to",
                    "docx:MS Word 2007 XML", "--outdir", str(work / "lo"), str(work / "in" / "sudut.docx")],
                   check=True, capture_output=True, timeout=300)
    data = (work / "lo" / "sudut.docx").read_bytes()
    package = zipfile.ZipFile(io.BytesIO(data))
    assert any(NAME.encode() in package.read(n) for n in package.namelist())  # LibreOffice kept the planted data
    handler = DocxHandler()
    result = handler.redact(data, RedactionContext(detector_for(config), config))
    return handler, RedactionContext(detector_for(config), config), result, work


def test_a_libreoffice_saved_word_file_keeps_no_planted_value_in_any_part(libreoffice_made):
    handler, ctx, result, _ = libreoffice_made
    package = zipfile.ZipFile(io.BytesIO(result.output))
    left = [f"{value!r} in {name}" for name in package.namelist() for value in PLANTED
            if value.lower() in name.lower() or value.encode().lower() in package.read(name).lower()]
    assert left == []
    assert handler.verify(result.output, result.sensitive_values(), result.inserted, ctx) == []


def test_a_libreoffice_rendering_of_the_output_shows_no_planted_value(libreoffice_made):
    """LibreOffice renders the redacted file to PDF; pdftotext and Tesseract
    on the rendered pages read it as a reader would."""
    _, _, result, work = libreoffice_made
    (work / "out").mkdir(exist_ok=True)
    (work / "out" / "hasil.docx").write_bytes(result.output)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{work / 'profile'}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(work / "out"), str(work / "out" / "hasil.docx")],
                   check=True, capture_output=True, timeout=300)
    text = subprocess.run(["pdftotext", "-layout", str(work / "out" / "hasil.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(work / "out" / "hasil.pdf"), str(work / "out" / "page")], check=True)
    ocr = "".join(subprocess.run(["tesseract", str(page), "stdout", "-l", "ind+eng"], capture_output=True,
                                 text=True).stdout for page in sorted((work / "out").glob("page*.png")))
    assert "Laporan pendampingan" in text and "lampiran" in ocr  # the document is there, and readable
    for value in (NAME, "Rahmawati", OTHER, "Hartono", NIK):
        assert value.lower() not in text.lower(), value
        assert value.lower() not in ocr.lower(), value
