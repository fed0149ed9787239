"""An adversarial corpus: files made the way users make them, each hiding
planted personal data in one leak class, plus clean files that must be
published as they are. Every builder draws its people and numbers from a
seed, so a new seed is a new variant; a new leak class is one function.

A Case says what must be gone from what Tabir publishes and how to look for
it with tools that are not Tabir's (pdftotext, Tesseract on the rendered
page, exiftool, a byte search).
"""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from scripts.casework_synth import Generator


@dataclass
class Case:
    name: str  # file name in the inbox
    data: bytes
    leak_class: str
    planted: list[str] = field(default_factory=list)  # must be gone; empty: a clean file
    # How to read the published file: "text" (pdftotext), "ocr" (Tesseract
    # on the rendered pages or the photo), or both.
    read_with: tuple[str, ...] = ("text",)
    # Words that must still be readable in the output (labels of a form, the
    # text of a clean picture): redaction is not a blank page.
    kept: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.planted


def libreoffice_pdf(docx_files: dict[str, bytes], workdir: Path, export: str = "pdf") -> dict[str, bytes]:
    """Word files exported to PDF by LibreOffice, as users export reports:
    subset fonts, justified lines, tables with borders. `export`: the
    filter with its options, as the export dialog sets them."""
    workdir.mkdir(parents=True, exist_ok=True)
    for name, data in docx_files.items():
        (workdir / name).write_bytes(data)
    profile = workdir / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", export,
         "--outdir", str(workdir)] + [str(workdir / n) for n in docx_files],
        check=True, capture_output=True, timeout=300,
    )
    return {name: (workdir / Path(name).with_suffix(".pdf").name).read_bytes() for name in docx_files}


def _docx():
    import docx
    from docx.shared import Cm

    document = docx.Document()
    for section in document.sections:
        section.left_margin = section.right_margin = Cm(2.5)
    return document


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _letter_spaced(paragraph, text: str, twentieths_pt: int = 120):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(16)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(twentieths_pt))
    run._r.get_or_add_rPr().append(spacing)
    return run


def _narrow_table(document, rows: list[tuple[str, ...]], widths_cm: tuple[float, ...]):
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table = document.add_table(rows=len(rows), cols=len(widths_cm))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm):
        column.set(qn("w:w"), str(int(Cm(width).twips)))
    for row, values in zip(table.rows, rows):
        for cell, value, width in zip(row.cells, values, widths_cm):
            cell.text = value
            cell.width = Cm(width)
    return table


FILLER = ("Pekerja sosial melakukan kunjungan rumah dan mencatat bahwa kondisi keluarga mulai membaik "
          "setelah pendampingan rutin selama tiga bulan terakhir di lingkungan tempat tinggal").split()


def layout_split_reports(seed: int, workdir: Path) -> list[Case]:
    """Leak class 1: values that layout splits, in Word reports exported to
    PDF by LibreOffice: a phone number wrapping at its hyphen inside a
    justified paragraph, an identity table with columns so narrow that the
    name, NIK and phone break inside their cells, a letter-spaced heading."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    gen = Generator(seed)
    rng = random.Random(seed)
    sources: dict[str, bytes] = {}
    planted: dict[str, list[str]] = {}

    # A phone number that LibreOffice breaks at a hyphen: lead-in words are
    # added until pdftotext shows the number cut over two lines.
    phone = f"0812-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
    for lead in range(4, 40):
        document = _docx()
        paragraph = document.add_paragraph(
            " ".join(FILLER[:lead % len(FILLER)] + FILLER[:lead // len(FILLER)])
            + f" dan wali klien dapat dihubungi melalui nomor {phone} pada jam kerja setiap hari Senin sampai Jumat.")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        pdf = libreoffice_pdf({"probe.docx": _save(document)}, workdir / "probe")["probe.docx"]
        if phone not in _pdftotext(pdf) and phone.split("-")[0] in _pdftotext(pdf):
            break
    else:
        raise AssertionError("no lead-in made LibreOffice wrap the phone number")
    sources[f"laporan_telepon_{seed}.docx"] = _save(document)
    planted[f"laporan_telepon_{seed}.docx"] = [phone]

    name, nik, phone2 = gen.person(), gen.nik(), f"0813-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
    document = _docx()
    document.add_paragraph("Identitas klien yang didampingi:")
    _narrow_table(document, [("Nama", "NIK", "Telepon"), (name, nik, phone2)], (2.2, 2.0, 1.8))
    document.add_paragraph("Catatan: data di atas bersifat rahasia.")
    sources[f"tabel_sempit_{seed}.docx"] = _save(document)
    planted[f"tabel_sempit_{seed}.docx"] = [name, nik, phone2]

    heading_name = gen.person().upper()
    document = _docx()
    _letter_spaced(document.add_paragraph(), heading_name)
    document.add_paragraph("Laporan perkembangan bulanan untuk klien di atas. " + " ".join(FILLER))
    sources[f"judul_renggang_{seed}.docx"] = _save(document)
    planted[f"judul_renggang_{seed}.docx"] = [heading_name]

    document = _docx()
    document.add_paragraph("LAPORAN KEGIATAN PENYULUHAN")
    paragraph = document.add_paragraph(" ".join(FILLER) + ". Kegiatan diikuti oleh warga dan perangkat desa.")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _narrow_table(document, [("Kegiatan", "Jumlah", "Catatan"), ("Penyuluhan gizi", "24 peserta", "berjalan baik")],
                  (3.0, 2.0, 2.5))
    sources[f"laporan_bersih_{seed}.docx"] = _save(document)
    planted[f"laporan_bersih_{seed}.docx"] = []

    pdfs = libreoffice_pdf(sources, workdir / "export")
    return [Case(Path(n).with_suffix(".pdf").name, pdfs[n], "layout", planted[n]) for n in sources]


# ---- looking at outputs with tools that are not Tabir's --------------------------

def _pdftotext(data: bytes, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def pdf_text_views(data: bytes) -> list[str]:
    """pdftotext in reading order, in raw content order, and with the page
    boxes ignored (text placed off the page)."""
    views = [_pdftotext(data), _pdftotext(data, "-raw")]
    views.append(_pdftotext(data, "-nopgbrk", "-x", "-2000", "-y", "-2000", "-W", "6000", "-H", "6000"))
    return views


def ocr_of_pdf(data: bytes, workdir: Path, dpi: int = 200) -> str:
    """Tesseract over every page rendered by poppler."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "doc.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(workdir / "doc.pdf"), str(workdir / "page")], check=True)
    return "\n".join(ocr_image(page) for page in sorted(workdir.glob("page*.png")))


def ocr_image(path: Path) -> str:
    return subprocess.run(["tesseract", str(path), "stdout", "-l", "ind+eng", "--psm", "3"],
                          capture_output=True, check=True).stdout.decode()


def _compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def still_readable(value: str, views: list[str]) -> bool:
    """Is `value` in any view, whitespace, hyphens and line breaks ignored
    (a phone cut over two lines is still a phone)? A name also counts as
    readable when any of its words of four letters or more is left."""
    needle = _compact(value)
    if any(needle in _compact(view) for view in views):
        return True
    words = [w for w in re.findall(r"[^\W\d_]{4,}", value)] if " " in value.strip() else []
    return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", view, re.IGNORECASE) for w in words for view in views)


def tools_available() -> bool:
    return all(shutil.which(tool) for tool in ("soffice", "pdftotext", "pdftoppm", "tesseract", "gs"))


# ---- pictures ---------------------------------------------------------------------

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _font(size: int, bold: bool = False):
    from PIL import ImageFont

    return ImageFont.truetype(FONT_BOLD if bold else FONT, size)


@dataclass
class Card:
    image: object  # PIL.Image
    identifying: list[str]  # values that must be gone
    labels: list[str]  # labels that must stay


def ktp_card(gen: Generator, rng: random.Random):
    """A KTP-like card: every field with its label, as on the real card."""
    from PIL import Image, ImageDraw

    name = gen.person().upper()
    nik = gen.nik()
    street = f"JL. {rng.choice(['CEMPAKA', 'MELATI', 'KENANGA', 'ANGGREK'])} {rng.choice(['WANGI', 'RAYA', 'INDAH'])} NO. {rng.randint(2, 99)}"
    rtrw = f"{rng.randint(1, 20):03d}/{rng.randint(1, 15):03d}"
    village = rng.choice(["CIBEUNYING", "SUKAMULYA", "KARANGANYAR", "PASIRKALIKI", "MEKARWANGI"])
    district = rng.choice(["CIMENYAN", "CIDADAP", "SUKASARI", "BOJONGLOA", "ANTAPANI"])
    birth = f"{rng.choice(['BANDUNG', 'GARUT', 'CIAMIS', 'SUMEDANG'])}, {rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-{rng.randint(1960, 2004)}"
    rows = [("NIK", nik), ("Nama", name), ("Tempat/Tgl Lahir", birth), ("Jenis Kelamin", "PEREMPUAN"),
            ("Alamat", street), ("RT/RW", rtrw), ("Kel/Desa", village), ("Kecamatan", district),
            ("Agama", "ISLAM"), ("Pekerjaan", "WIRASWASTA")]
    image = Image.new("RGB", (1000, 640), (200, 225, 245))
    draw = ImageDraw.Draw(image)
    draw.text((300, 20), "PROVINSI JAWA BARAT", font=_font(30, True), fill=(0, 0, 0))
    draw.text((310, 60), "KABUPATEN BANDUNG", font=_font(30, True), fill=(0, 0, 0))
    for i, (label, value) in enumerate(rows):
        y = 112 + i * 46
        draw.text((30, y), label, font=_font(26), fill=(0, 0, 0))
        draw.text((262, y), ":", font=_font(26), fill=(0, 0, 0))
        draw.text((282, y), value, font=_font(26), fill=(0, 0, 0))
    identifying = [nik, name, birth.split(", ")[1], street, rtrw, village, district]
    return Card(image, identifying, ["Alamat", "Kecamatan", "Pekerjaan"])


def _card_case(name: str, data: bytes, leak_class: str, card: Card) -> Case:
    return Case(name, data, leak_class, card.identifying, ("ocr",), card.labels)


def _jpeg(image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=92)
    return out.getvalue()


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _picture_pdf(picture: bytes, width: float, height: float, rotate: int = 0) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    page.insert_image(page.rect, stream=picture)
    if rotate:
        page.set_rotation(rotate)
    return doc.tobytes(garbage=3, deflate=True)


def turned_scans(seed: int) -> list[Case]:
    """Leak class 3: KTPs scanned or photographed on their side, with no
    /Rotate and no EXIF orientation to say so; and a scan shown upright
    through /Rotate, which must come out upright and whole."""
    gen, rng = Generator(seed), random.Random(seed)
    cases = []
    card = ktp_card(gen, rng)
    sideways = card.image.rotate(-90, expand=True)  # clockwise: stored on its side
    cases.append(_card_case(f"scan_miring_{seed}.pdf",
                            _picture_pdf(_png(sideways), sideways.width * 0.72, sideways.height * 0.72), "turned", card))
    card = ktp_card(gen, rng)
    cases.append(_card_case(f"foto_ktp_terbalik_{seed}.jpg", _jpeg(card.image.rotate(180)), "turned", card))
    card = ktp_card(gen, rng)
    stored = card.image.rotate(90, expand=True)
    # Stored turned anticlockwise, shown upright by /Rotate 90 (clockwise).
    cases.append(_card_case(f"scan_rotate_{seed}.pdf",
                            _picture_pdf(_png(stored), stored.width * 0.72, stored.height * 0.72, 90), "turned", card))
    return cases


def id_card_photos(seed: int) -> list[Case]:
    """Leak class 5: a photographed KTP keeps its address, RT/RW, village,
    district and date of birth unless every field value goes."""
    gen, rng = Generator(seed + 1), random.Random(seed + 1)
    card = ktp_card(gen, rng)
    return [_card_case(f"ktp_{seed}.jpg", _jpeg(card.image), "id_card", card)]


def hidden_picture_text(seed: int) -> list[Case]:
    """Leak class 4: text whose shape lives only in the alpha channel of a
    transparent PNG (a stamp), a 16-bit grey scan, white text on a coloured
    chat header."""
    import numpy as np
    from PIL import Image, ImageDraw

    gen = Generator(seed + 2)
    cases = []
    name, nik = gen.person(), gen.nik()
    shape = Image.new("L", (900, 200), 0)
    draw = ImageDraw.Draw(shape)
    draw.text((20, 30), f"Nama: {name}", font=_font(40), fill=255)
    draw.text((20, 110), f"NIK {nik}", font=_font(40), fill=255)
    stamp = Image.merge("RGBA", [Image.new("L", shape.size, 0)] * 3 + [shape])  # black everywhere; alpha is the text
    cases.append(Case(f"stempel_{seed}.png", _png(stamp), "hidden_picture_text", [name, nik], ("ocr",)))

    name2, phone = gen.person(), f"0812-{random.Random(seed).randint(1000, 9999)}-{random.Random(seed + 9).randint(1000, 9999)}"
    grey = Image.new("L", (900, 200), 235)
    draw = ImageDraw.Draw(grey)
    draw.text((20, 30), f"Nama: {name2}", font=_font(40), fill=15)
    draw.text((20, 110), f"Telepon {phone}", font=_font(40), fill=15)
    deep = Image.fromarray(np.asarray(grey).astype(np.uint16) * 257)  # 16-bit grey
    cases.append(Case(f"pindaian_16bit_{seed}.png", _png(deep), "hidden_picture_text", [name2, phone], ("ocr",)))

    name3 = gen.person()
    chat = Image.new("RGB", (720, 300), (240, 240, 240))
    draw = ImageDraw.Draw(chat)
    draw.rectangle((0, 0, 720, 90), fill=(7, 94, 84))  # a chat app's header bar
    draw.text((90, 22), name3, font=_font(34, True), fill=(255, 255, 255))
    draw.text((30, 140), "Baik bu, besok saya datang ke kantor.", font=_font(26), fill=(20, 20, 20))
    cases.append(Case(f"tangkapan_chat_{seed}.png", _png(chat), "hidden_picture_text", [name3], ("ocr",)))

    notice = Image.new("RGBA", (900, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(notice)
    draw.text((20, 60), "Jadwal posyandu: Sabtu pagi", font=_font(40), fill=(20, 20, 120, 255))
    cases.append(Case(f"pengumuman_transparan_{seed}.png", _png(notice), "hidden_picture_text", [], ("ocr",),
                      ["posyandu", "Sabtu"]))
    return cases


def small_pictures(seed: int, workdir: Path) -> list[Case]:
    """Leak class 4, small: a name label and a phone number as pictures of
    under 120 px (a pasted signature caption, a cropped contact) in a Word
    report exported to PDF by LibreOffice. They are small, not icons: at
    the page's scale a reader reads them."""
    from docx.shared import Pt
    from PIL import Image, ImageDraw

    gen = Generator(seed + 7)
    name, phone = gen.person(), gen.phone()
    document = _docx()
    document.add_paragraph("Catatan pendampingan: keluarga menerima kunjungan dengan baik.")
    for text in (name, phone):
        font = _font(14)
        width = min(119, int(ImageDraw.Draw(Image.new("L", (1, 1))).textlength(text, font=font)) + 8)
        label = Image.new("RGB", (width, 26), (255, 255, 255))
        ImageDraw.Draw(label).text((4, 4), text, font=font, fill=(10, 10, 10))
        document.add_picture(io.BytesIO(_png(label)), width=Pt(width * 0.75))
    document.add_paragraph("Kegiatan berikutnya dijadwalkan bulan depan.")
    exported = libreoffice_pdf({f"gambar_kecil_{seed}.docx": _save(document)}, workdir / "small")
    return [Case(f"gambar_kecil_{seed}.pdf", exported[f"gambar_kecil_{seed}.docx"], "hidden_picture_text",
                 [name, phone], ("text", "ocr"), ["pendampingan"])]


def ocr_views_of(path: Path, workdir: Path) -> list[str]:
    """Tesseract (with its own orientation detection) on a published picture
    or on every page of a published PDF rendered by poppler; a transparent
    picture is read flattened onto white and onto black."""
    from PIL import Image

    workdir.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".pdf":
        subprocess.run(["pdftoppm", "-r", "200", "-png", str(path), str(workdir / "page")], check=True)
        pages = sorted(workdir.glob("page*.png"))
    else:
        image = Image.open(path)
        pages = []
        backgrounds = [(255, 255, 255)] + ([(0, 0, 0)] if image.mode in ("RGBA", "LA", "P") else [])
        for i, background in enumerate(backgrounds):
            flat = Image.new("RGB", image.size, background)
            flat.paste(image.convert("RGBA"), mask=image.convert("RGBA").split()[3])
            flat.save(workdir / f"view{i}.png")
            pages.append(workdir / f"view{i}.png")
    # Tesseract's own orientation detection does not turn a page upside
    # down when unsure, so every page is read in all four orientations.
    views = []
    for page in pages:
        image = Image.open(page)
        for turn in (0, 90, 180, 270):
            turned = workdir / f"{page.stem}-{turn}.png"
            image.rotate(turn, expand=True).save(turned)
            views.append(subprocess.run(["tesseract", str(turned), "stdout", "-l", "ind+eng", "--psm", "11"],
                                        capture_output=True).stdout.decode())
    return views


def _stencil(page, text: str, rect, font_px: int = 36) -> None:
    """A 1-bit image mask (stencil) drawing `text` at `rect`: how scanners and
    signature tools place black-and-white pictures."""
    import zlib

    import numpy as np
    from PIL import Image, ImageDraw

    doc = page.parent
    width, height = 16 * len(text) + 40, font_px + 40
    picture = Image.new("1", (width, height), 1)
    ImageDraw.Draw(picture).text((10, 15), text, font=_font(font_px), fill=0)
    xref = doc.get_new_xref()
    doc.update_object(xref, f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} "
                            "/ImageMask true /BitsPerComponent 1 >>")
    doc.update_stream(xref, zlib.compress(np.packbits(np.asarray(picture).astype(np.uint8), axis=1).tobytes()),
                      compress=False)
    doc.xref_set_key(xref, "Filter", "/FlateDecode")
    resources = doc.xref_get_key(page.xref, "Resources")
    name = f"Stencil{xref}"
    if resources[0] == "xref":
        doc.xref_set_key(int(resources[1].split()[0]), f"XObject/{name}", f"{xref} 0 R")
    else:
        doc.xref_set_key(page.xref, f"Resources/XObject/{name}", f"{xref} 0 R")
    x0, y0, x1, y1 = rect
    contents = page.get_contents()[0]
    box = f"q 0 0 0 rg {x1 - x0} 0 0 {y1 - y0} {x0} {page.rect.height - y1} cm /{name} Do Q\n"
    doc.update_stream(contents, doc.xref_stream(contents) + b"\n" + box.encode())


def pdf_carriers(seed: int) -> list[Case]:
    """Leak class 6: what a viewer hides but the file keeps. A layer switched
    off, a page label, text placed above the page, marked-content
    /ActualText, and a name drawn by a 1-bit stencil picture; and a stencil
    with an ordinary word, which must be published."""
    import pymupdf

    gen = Generator(seed + 3)
    cases = []

    def report(title: str):
        doc = pymupdf.open()
        page = doc.new_page()
        page.insert_text((72, 72), title, fontsize=14)
        page.insert_text((72, 100), "Laporan kegiatan pendampingan bulan ini berjalan sesuai rencana.", fontsize=11)
        return doc, page

    name, nik = gen.person(), gen.nik()
    doc, page = report("Laporan bulanan")
    layer = doc.add_ocg("Catatan internal", on=False)
    page.insert_text((72, 140), f"Catatan: klien {name}, NIK {nik}", fontsize=11, oc=layer)
    cases.append(Case(f"lapisan_tersembunyi_{seed}.pdf", doc.tobytes(), "pdf_carriers", [name, nik], ("text", "raw")))

    name = gen.person()
    doc, page = report("Laporan bulanan")
    doc.set_page_labels([{"startpage": 0, "prefix": f"{name} - ", "style": "D"}])
    doc.set_metadata({})
    cases.append(Case(f"label_halaman_{seed}.pdf", doc.tobytes(), "pdf_carriers", [name], ("text", "raw")))

    name, phone = gen.person(), f"0813-{random.Random(seed).randint(1000, 9999)}-{random.Random(seed + 1).randint(1000, 9999)}"
    doc, page = report("Laporan bulanan")
    page.insert_text((72, -30), f"Kontak wali {name} {phone}", fontsize=11)  # above the visible page
    cases.append(Case(f"teks_luar_halaman_{seed}.pdf", doc.tobytes(), "pdf_carriers", [name, phone], ("text", "raw")))

    name = gen.person()
    doc, page = report("Laporan bulanan")
    contents = page.get_contents()[0]
    marked = f"/Span <</ActualText ({name} \\(klien\\))>> BDC BT /F0 11 Tf 72 600 Td (Klien.) Tj ET EMC\n".encode()
    doc.update_stream(contents, marked + doc.xref_stream(contents))
    page.insert_font(fontname="F0", fontbuffer=pymupdf.Font("helv").buffer)
    cases.append(Case(f"actualtext_{seed}.pdf", doc.tobytes(), "pdf_carriers", [name], ("text", "raw")))

    name = gen.person()
    doc, page = report("Surat pernyataan")
    _stencil(page, f"Hormat kami, {name}", (72, 300, 420, 340))
    cases.append(Case(f"stensil_nama_{seed}.pdf", doc.tobytes(), "pdf_carriers", [name], ("text", "ocr")))

    doc, page = report("Surat pernyataan")
    _stencil(page, "Mengetahui, Kepala Dinas Sosial", (72, 300, 460, 340))
    cases.append(Case(f"stensil_bersih_{seed}.pdf", doc.tobytes(), "pdf_carriers", [], ("text", "ocr"), ["Mengetahui", "Kepala"]))
    return cases


# LibreOffice's export dialog, "Hybrid PDF (embed ODF file)" ticked.
HYBRID_PDF = 'pdf:writer_pdf_Export:{"IsAddStream":{"type":"boolean","value":"true"}}'


def hybrid_exports(seed: int, workdir: Path) -> list[Case]:
    """Leak class 6 too: a report exported as LibreOffice's hybrid PDF, which
    carries the whole source document, zipped, besides the pages; and a
    clean one, which must be published with its text."""
    gen = Generator(seed + 5)
    name, nik, address = gen.person(), gen.nik(), gen.address()
    report = _docx()
    report.add_paragraph("Laporan Kunjungan Rumah")
    report.add_paragraph(f"Klien {name} (NIK {nik}) tinggal di {address}. Pendamping datang bersama "
                         "petugas kelurahan dan keluarga menerima kunjungan dengan baik.")
    clean = _docx()
    clean.add_paragraph("Laporan Kegiatan Bulanan")
    clean.add_paragraph("Penyuluhan tentang pengasuhan anak diikuti tiga puluh orang tua di balai warga.")
    pdfs = libreoffice_pdf({f"hibrida_{seed}.docx": _save(report), f"hibrida_bersih_{seed}.docx": _save(clean)},
                           workdir / "hybrid", HYBRID_PDF)
    return [Case(f"hibrida_{seed}.pdf", pdfs[f"hibrida_{seed}.docx"], "pdf_carriers", [name, nik], ("text", "raw")),
            Case(f"hibrida_bersih_{seed}.pdf", pdfs[f"hibrida_bersih_{seed}.docx"], "pdf_carriers", [],
                 ("text", "raw"), ["Penyuluhan", "pengasuhan"])]


def blacked_out_by_hand(seed: int, workdir: Path) -> list[Case]:
    """Leak class 7: a report "redacted" by hand. A Word report exported by
    LibreOffice, then a black box drawn over a case detail in a PDF editor;
    and a Word report whose detail was blacked out in Word itself (black
    text on a black highlight), then exported. The detail is no personal
    data a detector knows: only the box says it is private, and under the
    box it is still copyable. With a clean report whose table header is
    white on dark shading, which must stay."""
    from docx.enum.text import WD_COLOR_INDEX
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import RGBColor
    import pymupdf

    rng = random.Random(seed + 7)
    detail = rng.choice(["mengalami kekerasan oleh ayah tirinya", "pernah dirawat karena percobaan bunuh diri",
                         "dikeluarkan dari sekolah setelah hamil"])
    boxed = _docx()
    boxed.add_paragraph("Laporan Pendampingan Bulanan")
    boxed.add_paragraph(f"Anak dampingan kami {detail} dan kini tinggal bersama neneknya. "
                        "Pendampingan berjalan sesuai rencana.")
    highlighted = _docx()
    paragraph = highlighted.add_paragraph("Anak dampingan kami ")
    run = paragraph.add_run(detail)
    run.font.highlight_color = WD_COLOR_INDEX.BLACK
    run.font.color.rgb = RGBColor(0, 0, 0)
    paragraph.add_run(" dan kini tinggal bersama neneknya. Pendampingan berjalan sesuai rencana.")
    clean = _docx()
    clean.add_paragraph("Rekap kegiatan bulan ini.")
    table = clean.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Kegiatan", "Peserta")):
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:fill"), "1F3864")
        cell._tc.get_or_add_tcPr().append(shading)
        cell.paragraphs[0].add_run(text).font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    table.rows[1].cells[0].text, table.rows[1].cells[1].text = "Penyuluhan", "30"
    pdfs = libreoffice_pdf({f"kotak_{seed}.docx": _save(boxed), f"stabilo_{seed}.docx": _save(highlighted),
                            f"tabel_gelap_{seed}.docx": _save(clean)}, workdir / "blacked")
    doc = pymupdf.open(stream=pdfs[f"kotak_{seed}.docx"])
    for rect in doc[0].search_for(detail):
        doc[0].draw_rect(rect + (-1, -1, 1, 1), color=None, fill=(0, 0, 0))  # the editor's rectangle tool
    planted = [w for w in detail.split() if len(w) > 5]
    return [Case(f"kotak_hitam_{seed}.pdf", doc.tobytes(), "blacked_out", planted, ("text",), ["Pendampingan"]),
            Case(f"stabilo_hitam_{seed}.pdf", pdfs[f"stabilo_{seed}.docx"], "blacked_out", planted, ("text",),
                 ["Pendampingan"]),
            Case(f"tabel_gelap_{seed}.pdf", pdfs[f"tabel_gelap_{seed}.docx"], "blacked_out", [], ("text",),
                 ["Kegiatan", "Peserta", "Penyuluhan"])]


def raw_views(data: bytes) -> list[str]:
    """The file's bytes and every Flate stream inflated, as Latin-1 and as
    UTF-16 text: what a byte search of the file finds."""
    import zlib

    blobs = [data]
    start = 0
    while (i := data.find(b"stream", start)) >= 0:
        try:
            blobs.append(zlib.decompressobj().decompress(data[i + 6:].lstrip(b"\r\n")))
        except zlib.error:
            pass
        start = i + 6
    blobs += [member for blob in list(blobs) for member in zip_members(blob)]
    views = []
    for blob in blobs:
        views.append(blob.decode("latin-1"))
        views += [blob.decode(enc, "ignore") for enc in ("utf-16-be", "utf-16-le")]
    return views


def zip_members(blob: bytes) -> list[bytes]:
    """The contents of every zip member whose local header lies in `blob`,
    carved as a file carver would: a zipped document (LibreOffice's hybrid
    PDF carries its .odt so) hides its text from a plain byte search."""
    import struct
    import zlib

    members, start = [], 0
    while (i := blob.find(b"PK\x03\x04", start)) >= 0 and i + 30 <= len(blob):
        start = i + 4
        (method,) = struct.unpack("<H", blob[i + 8:i + 10])
        (size,) = struct.unpack("<I", blob[i + 18:i + 22])  # compressed size; 0 when a descriptor follows
        name_length, extra_length = struct.unpack("<HH", blob[i + 26:i + 30])
        body = blob[i + 30 + name_length + extra_length:]
        if method == 0:
            members.append(body[:size] if size else body)
        elif method == 8:
            try:
                members.append(zlib.decompressobj(-15).decompress(body))
            except zlib.error:
                continue
    return members


def unreadable_text_pages(seed: int) -> list[Case]:
    """Leak class 2: text the extractor cannot read though the page shows
    it. An embedded font whose Unicode map (/ToUnicode) was stripped, as
    some PDF generators and "protection" tools do: extraction gives shifted
    codes. And the same font with its map, which must keep its text layer."""
    import pymupdf

    gen = Generator(seed + 4)
    cases = []
    for readable in (False, True):
        name, nik = gen.person(), gen.nik()
        doc = pymupdf.open()
        page = doc.new_page()
        page.insert_text((72, 72), "Laporan kunjungan rumah bulan Maret.", fontsize=12)
        page.insert_font(fontname="dv", fontfile=FONT)
        if readable:
            page.insert_text((72, 120), "Kegiatan pendampingan keluarga berjalan baik.", fontname="dv", fontsize=12)
        else:
            page.insert_text((72, 120), f"Klien bernama {name}, NIK {nik}.", fontname="dv", fontsize=12)
            for xref in range(1, doc.xref_length()):
                if doc.xref_get_key(xref, "ToUnicode")[0] != "null":
                    doc.xref_set_key(xref, "ToUnicode", "null")
        data = doc.tobytes(garbage=3, deflate=True)
        if readable:
            cases.append(Case(f"font_terbaca_{seed}.pdf", data, "unreadable_text", [], ("text",), ["pendampingan"]))
        else:
            cases.append(Case(f"font_tanpa_unicode_{seed}.pdf", data, "unreadable_text", [name, nik], ("text", "ocr")))
    return cases


def _matplotlib_page(lines: list[str], transparent: bool = False) -> bytes:
    """A page of text drawn by matplotlib, whose PDF backend embeds fonts as
    Type 3 (charts and figures in reports come this way). `transparent`:
    without the figure's white background, to be laid over another page."""
    import matplotlib

    matplotlib.use("pdf")
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(8.27, 11.69))
    for number, line in enumerate(lines):
        figure.text(0.1, 0.9 - number * 0.03, line, fontsize=12)
    out = io.BytesIO()
    figure.savefig(out, format="pdf", transparent=transparent)
    plt.close(figure)
    return out.getvalue()


_TJ_CHAR = re.compile(rb"\((\\[0-7]{1,3}|\\.|[^\\)])\)")
_PDF_ESCAPES = {b"n": 10, b"r": 13, b"t": 9, b"b": 8, b"f": 12}


def _char_code(token: bytes) -> int:
    if not token.startswith(b"\\"):
        return token[0]
    rest = token[1:]
    if rest[:1].isdigit():
        return int(rest, 8)
    return _PDF_ESCAPES.get(rest, rest[0])


def _obfuscate_type3(data: bytes) -> bytes:
    """What some print drivers and "protection" tools write: Type 3 glyphs
    named /g1, /g2... in order of use, codes renumbered the same way, no
    /ToUnicode. The page looks the same; extraction reads control codes."""
    import pymupdf

    doc = pymupdf.open(stream=data, filetype="pdf")
    page = doc[0]
    (font_xref, *_), = [f for f in page.get_fonts(full=True) if f[2] == "Type3"]
    names: dict[int, str] = {}
    code = None
    for item in re.findall(r"\d+|/[^\s/\[\]]+", doc.xref_get_key(font_xref, "Encoding/Differences")[1]):
        if item.isdigit():
            code = int(item)
        else:
            names[code], code = item[1:], code + 1
    widths = [float(w) for w in doc.xref_get_key(font_xref, "Widths")[1].strip("[]").split()] \
        if doc.xref_get_key(font_xref, "Widths")[0] == "array" else None
    first = int(doc.xref_get_key(font_xref, "FirstChar")[1])
    renumber: dict[int, int] = {}

    def recode(match: re.Match) -> bytes:
        old = _char_code(match.group(1))
        new = renumber.setdefault(old, len(renumber) + 1)
        return b"(\\%03o)" % new

    for xref in page.get_contents():
        doc.update_stream(xref, _TJ_CHAR.sub(recode, doc.xref_stream(xref)))
    procs = {name: doc.xref_get_key(font_xref, f"CharProcs/{name}")[1] for name in names.values()}
    order = sorted(renumber, key=renumber.get)
    doc.xref_set_key(font_xref, "CharProcs", "<<" + "".join(f"/g{renumber[c]} {procs[names[c]]}" for c in order) + ">>")
    doc.xref_set_key(font_xref, "Encoding", "<</Type/Encoding/Differences[1 " + " ".join(f"/g{renumber[c]}" for c in order) + "]>>")
    if widths is not None:
        doc.xref_set_key(font_xref, "Widths", "[" + " ".join(str(widths[c - first]) for c in order) + "]")
    doc.xref_set_key(font_xref, "FirstChar", "1")
    doc.xref_set_key(font_xref, "LastChar", str(len(order)))
    doc.xref_set_key(font_xref, "ToUnicode", "null")
    return doc.tobytes(garbage=3, deflate=True)


def _ghostscript_outlines(data: bytes, workdir: Path) -> bytes:
    """The PDF with every glyph turned into a vector path (Ghostscript's
    -dNoOutputFonts, what "convert text to outlines" in print tools does)."""
    workdir.mkdir(parents=True, exist_ok=True)
    source, target = workdir / "with_fonts.pdf", workdir / "outlines.pdf"
    source.write_bytes(data)
    subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNoOutputFonts", "-sDEVICE=pdfwrite",
                    f"-sOutputFile={target}", str(source)], check=True, capture_output=True, timeout=120)
    return target.read_bytes()


def type3_and_outline_pages(seed: int, workdir: Path) -> list[Case]:
    """Leak class 2, the other two kinds: a Type 3 font whose glyphs have no
    Unicode (renamed and renumbered), and a Word report exported by
    LibreOffice with its text turned to outlines. And a readable Type 3 page
    (matplotlib's own), whose text layer must be kept, not erased wholesale."""
    gen = Generator(seed + 6)
    cases = []
    name, nik = gen.person(), gen.nik()
    report = ["Laporan Pendampingan Keluarga", "", f"Klien bernama {name}, NIK {nik},",
              "mengikuti kegiatan pendampingan keluarga setiap minggu.", "Kegiatan pendampingan berjalan baik."]
    cases.append(Case(f"type3_tanpa_unicode_{seed}.pdf", _obfuscate_type3(_matplotlib_page(report)),
                      "unreadable_text", [name, nik], ("text", "ocr"), ["keluarga"]))
    name2 = gen.person()
    readable = ["Laporan Kegiatan Bulanan", "", f"Pendamping mengunjungi {name2} pada hari Senin.",
                "Kegiatan pendampingan keluarga berjalan baik."]
    cases.append(Case(f"type3_terbaca_{seed}.pdf", _matplotlib_page(readable), "unreadable_text", [name2],
                      ("text",), ["pendampingan"]))
    name3, phone = gen.person(), gen.phone()
    document = _docx()
    document.add_heading("Catatan Kunjungan Rumah", level=1)
    document.add_paragraph(f"Petugas bertemu dengan {name3} di rumahnya. Nomor telepon keluarga {phone}. "
                           "Keluarga menerima pendampingan dengan baik dan kegiatan berjalan lancar.")
    exported = libreoffice_pdf({f"kerangka_{seed}.docx": _save(document)}, workdir / "outlines")
    outlined = _ghostscript_outlines(exported[f"kerangka_{seed}.docx"], workdir / "outlines")
    cases.append(Case(f"teks_kerangka_{seed}.pdf", outlined, "unreadable_text", [name3, phone], ("ocr",), ["Keluarga"]))
    return cases


def words_among_text(seed: int, workdir: Path) -> list[Case]:
    """Leak class 2, a few words among ordinary text: a Word report exported
    by LibreOffice, with a title whose letters are outlines laid over it (a
    WordArt title, an outlined heading), and one with the client's name in a
    Type 3 font without a Unicode map laid over it (a signature font a print
    driver wrote so). The page has too much readable text to be taken for
    an unreadable page."""
    import pymupdf

    gen = Generator(seed + 7)
    body = ("Kegiatan pendampingan keluarga dilaksanakan setiap minggu di rumah klien. Petugas mencatat "
            "perkembangan anak dalam bidang pendidikan, kesehatan dan hubungan sosial dengan teman sebaya. "
            "Orang tua aktif mengikuti pertemuan kelompok dan menyampaikan bahwa kondisi keluarga membaik. ")
    document = _docx()
    for _ in range(4):
        document.add_paragraph(body)
    exported = libreoffice_pdf({f"laporan_teks_{seed}.docx": _save(document)}, workdir / "among_text")
    report = exported[f"laporan_teks_{seed}.docx"]
    cases = []
    name = gen.person()
    title = pymupdf.open()
    title.new_page(width=595, height=842).insert_text((72, 60), f"Pendampingan: {name}", fontsize=20, fontname="helv")
    outlined = pymupdf.open(stream=_ghostscript_outlines(title.tobytes(), workdir / "among_text"), filetype="pdf")
    doc = pymupdf.open(stream=report, filetype="pdf")
    doc[0].show_pdf_page(doc[0].rect, outlined, 0)
    cases.append(Case(f"judul_kerangka_{seed}.pdf", doc.tobytes(), "words_among_text", [name], ("text", "ocr"),
                      ["pendampingan keluarga"]))
    name2 = gen.person()
    type3 = pymupdf.open(stream=_obfuscate_type3(_matplotlib_page([f"Pendamping: {name2}"], transparent=True)),
                         filetype="pdf")
    doc = pymupdf.open(stream=report, filetype="pdf")
    doc[0].show_pdf_page(pymupdf.Rect(0, -60, 595, 782), type3, 0)
    cases.append(Case(f"nama_type3_{seed}.pdf", doc.tobytes(), "words_among_text", [name2], ("text", "ocr"),
                      ["pendampingan keluarga"]))
    return cases


def picture_strips(seed: int) -> list[Case]:
    """Leak class 4: a chat screenshot stored as thin strips, a name and a
    phone number cut across strip edges: OCR of each strip alone never
    reads them."""
    import pymupdf
    from PIL import Image, ImageDraw

    gen = Generator(seed + 5)
    name, phone = gen.person(), f"0857-{random.Random(seed).randint(1000, 9999)}-{random.Random(seed + 2).randint(1000, 9999)}"
    shot = Image.new("RGB", (900, 360), (236, 229, 221))
    draw = ImageDraw.Draw(shot)
    draw.rounded_rectangle((20, 40, 880, 170), 18, fill=(255, 255, 255))
    draw.text((40, 60), f"Ini nomor {name}", font=_font(36), fill=(20, 20, 20))
    draw.text((40, 110), f"ya: {phone}", font=_font(36), fill=(20, 20, 20))
    draw.text((40, 240), "Baik, terima kasih bu.", font=_font(36), fill=(20, 20, 20))
    doc = pymupdf.open()
    page = doc.new_page()
    strip_px, scale = 24, 0.5  # strips 24 px high: every line of text is cut
    for top in range(0, shot.height, strip_px):
        strip = shot.crop((0, top, shot.width, min(shot.height, top + strip_px)))
        rect = pymupdf.Rect(72, 100 + top * scale, 72 + shot.width * scale, 100 + (top + strip.height) * scale)
        page.insert_image(rect, stream=_png(strip))
    page.insert_text((72, 80), "Tangkapan layar percakapan:", fontsize=11)
    return [Case(f"strip_chat_{seed}.pdf", doc.tobytes(), "hidden_picture_text", [name, phone], ("text", "ocr"))]
