"""A Word file that plants the synthetic client's name and NIK in every
carrier a .docx has: body text split across runs, a table and a nested
table, headers and footers (default, first page, even pages), a footnote,
an endnote, a comment,
a tracked deletion and insertion, a text box, a hyperlink (text and target),
alt text of a picture, a JPEG comment inside the picture, core and custom
properties, custom XML, an embedded file. Used by tests and sample_data/."""

from __future__ import annotations

import io
import zipfile

import cv2
import docx
import numpy as np
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.shared import Inches

NAME = "Siti Aminah"
FIRST, LAST = "Siti", "Aminah"
NIK = "1671055203120002"
EMAIL = "budi.santoso@gmail.com"
UNAFFECTED = "Rencana intervensi disusun bersama tim sekolah."

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _jpeg_with_comment(text: str) -> bytes:
    image = np.full((60, 80, 3), 180, np.uint8)
    cv2.putText(image, "foto", (5, 35), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (20, 20, 20), 2)
    jpeg = cv2.imencode(".jpg", image)[1].tobytes()
    payload = text.encode()
    comment = b"\xff\xfe" + (len(payload) + 2).to_bytes(2, "big") + payload
    # after the JFIF segment (readers look for it right after the start marker)
    app0_end = 4 + int.from_bytes(jpeg[4:6], "big")
    return jpeg[:app0_end] + comment + jpeg[app0_end:]


def build() -> bytes:
    document = docx.Document()
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.header.paragraphs[0].text = f"Laporan kasus klien {NAME}"
    section.first_page_header.paragraphs[0].text = f"RAHASIA - {NAME}"
    section.footer.paragraphs[0].text = f"NIK {NIK}"
    document.settings.odd_and_even_pages_header_footer = True
    section.even_page_header.paragraphs[0].text = f"Halaman genap - {NAME}"
    section.first_page_footer.paragraphs[0].text = f"Halaman pertama, klien {NAME}"

    document.add_heading("Laporan Pendampingan", level=1)
    p = document.add_paragraph("Klien bernama ")
    bold = p.add_run(FIRST)
    bold.bold = True
    p.add_run(f" {LAST}, NIK {NIK}, datang bersama ibunya.")
    document.add_paragraph(UNAFFECTED)

    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Nama"
    table.cell(0, 1).text = NAME
    table.cell(1, 0).text = "NIK"
    inner = table.cell(1, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = f"NIK klien: {NIK}"

    # comment on the first paragraph
    commented = document.add_paragraph("Catatan asesmen awal.")
    document.add_comment(commented.runs, text=f"Periksa lagi data {NAME}, NIK {NIK}", author=NAME, initials="SA")

    # tracked deletion and insertion
    tracked = document.add_paragraph("Wali: ")
    tracked._p.append(parse_xml(
        f'<w:del {W_NS} w:id="901" w:author="{NAME}" w:date="2024-03-14T10:00:00Z">'
        f'<w:r><w:delText xml:space="preserve">{NAME} (NIK {NIK})</w:delText></w:r></w:del>'
    ))
    tracked._p.append(parse_xml(
        f'<w:ins {W_NS} w:id="902" w:author="{NAME}" w:date="2024-03-14T10:01:00Z">'
        f'<w:r><w:t xml:space="preserve">nenek klien</w:t></w:r></w:ins>'
    ))

    # a text box (VML)
    box = document.add_paragraph()
    box._p.append(parse_xml(
        f'<w:r {W_NS} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict>'
        f'<v:shape id="tb1" style="width:200pt;height:40pt" type="#_x0000_t202"><v:textbox><w:txbxContent>'
        f'<w:p><w:r><w:t xml:space="preserve">Kotak: {NAME} {NIK}</w:t></w:r></w:p>'
        f'</w:txbxContent></v:textbox></v:shape></w:pict></w:r>'
    ))

    # a hyperlink whose text and target carry personal data
    link = document.add_paragraph("Kontak: ")
    r_id = document.part.relate_to(f"mailto:{EMAIL}", RT.HYPERLINK, is_external=True)
    link._p.append(parse_xml(
        f'<w:hyperlink {W_NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="{r_id}">'
        f'<w:r><w:t>email {NAME}</w:t></w:r></w:hyperlink>'
    ))

    # a footnote
    note_ref = document.add_paragraph("Riwayat keluarga")
    note_ref._p.append(parse_xml(f'<w:r {W_NS}><w:footnoteReference w:id="1"/></w:r>'))
    note_ref._p.append(parse_xml(f'<w:r {W_NS}><w:endnoteReference w:id="1"/></w:r>'))

    # a picture with alt text, and a JPEG comment inside it
    document.add_picture(io.BytesIO(_jpeg_with_comment(f"Foto {NAME}")), width=Inches(1))
    doc_pr = document.inline_shapes[0]._inline.docPr
    doc_pr.set("descr", f"Foto {NAME} di rumah")
    doc_pr.set("title", NAME)

    core = document.core_properties
    core.author = NAME
    core.last_modified_by = NAME
    core.title = f"Kasus {NAME}"
    core.subject = f"NIK {NIK}"
    core.keywords = NAME
    core.comments = f"Klien {NAME}"

    buffer = io.BytesIO()
    document.save(buffer)
    return _add_raw_parts(buffer.getvalue())


def _add_raw_parts(data: bytes) -> bytes:
    """Parts python-docx has no API for: footnotes, custom properties,
    custom XML, an embedded file."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {W_NS}>'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
        f'<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">Catatan kaki: ibu dari {NAME}, NIK {NIK}.</w:t></w:r></w:p></w:footnote>'
        '</w:footnotes>'
    )
    endnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:endnotes {W_NS}>'
        '<w:endnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:endnote>'
        '<w:endnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:endnote>'
        f'<w:endnote w:id="1"><w:p><w:r><w:t xml:space="preserve">Catatan akhir: rujukan untuk {NAME}.</w:t></w:r></w:p></w:endnote>'
        '</w:endnotes>'
    )
    custom = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="NamaKlien"><vt:lpwstr>{NAME}</vt:lpwstr></property>'
        '</Properties>'
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>'
                    b'<Override PartName="/word/endnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml"/>'
                    b'<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
                    b'<Override PartName="/customXml/item9.xml" ContentType="application/xml"/>'
                    b'<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>'
                    b"</Types>",
                )
            elif item.filename == "word/_rels/document.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdFn1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
                    b'<Relationship Id="rIdEn1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes" Target="endnotes.xml"/>'
                    b'<Relationship Id="rIdOle1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject" Target="embeddings/oleObject1.bin"/>'
                    b"</Relationships>",
                )
            elif item.filename == "_rels/.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdCustom" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/>'
                    b"</Relationships>",
                )
            target.writestr(item, content)
        target.writestr("word/footnotes.xml", footnotes)
        target.writestr("word/endnotes.xml", endnotes)
        target.writestr("docProps/custom.xml", custom)
        target.writestr("customXml/item9.xml", f"<klien><nama>{NAME}</nama><nik>{NIK}</nik></klien>")
        target.writestr("word/embeddings/oleObject1.bin", f"lampiran {NAME} {NIK}".encode())
    return out.getvalue()


if __name__ == "__main__":
    import sys

    path = sys.argv[1] if len(sys.argv) > 1 else "catatan_kasus.docx"
    with open(path, "wb") as handle:
        handle.write(build())
    print(f"wrote {path}")
