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

    @property
    def clean(self) -> bool:
        return not self.planted


def libreoffice_pdf(docx_files: dict[str, bytes], workdir: Path) -> dict[str, bytes]:
    """Word files exported to PDF by LibreOffice, as users export reports:
    subset fonts, justified lines, tables with borders."""
    workdir.mkdir(parents=True, exist_ok=True)
    for name, data in docx_files.items():
        (workdir / name).write_bytes(data)
    profile = workdir / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
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
    return all(shutil.which(tool) for tool in ("soffice", "pdftotext", "pdftoppm", "tesseract"))
