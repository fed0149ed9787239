"""Make the synthetic documents in sample_data/ (and the ones tests use).

Every person, number and address here is invented. Run:
    python scripts/make_sample_data.py [OUTPUT_DIR]     (default: sample_data/)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pymupdf

# The synthetic client and the values planted in the documents. Tests import
# these to prove each one is gone from the outputs.
CLIENT = {
    "name": "Siti Aminah",
    "nik": "1671055203120002",
    "kk": "1671050101090123",
    "address": "Jln. Merdeka Gg. Mawar No. 5 RT 003/RW 007",
    "kelurahan": "Kel. Sukajadi",
    "case_number": "12/Pid.Sus-Anak/2023/PN Plg",
    "father": "Budi Santoso",
    "mother": "Rahayu Lestari",
    "phone": "+62 812-3456-7890",
    "email": "budi.santoso@gmail.com",
    "referrer": "Andi Wijaya",
}

ENGLISH = {
    "supervisor": "Margaret Collins",
    "author": "James Harrington",
    "client": "Daniel Okafor",
    "phone": "+62 811-2233-4455",
    "email": "daniel.okafor@example.org",
}

# A policy for tests and the sample run: names and numbers that Presidio's
# built-in English recognizers cannot know (Indonesian detection is its own
# piece of work), listed the way an organisation lists its clients' code names.
SAMPLE_DENY_LIST = {
    "PERSON": [CLIENT["name"], CLIENT["father"], CLIENT["mother"], CLIENT["referrer"]],
    "ID_NUMBER": [CLIENT["nik"], CLIENT["kk"], CLIENT["case_number"]],
    "LOCATION": [CLIENT["address"], CLIENT["kelurahan"]],
}

CASE_REPORT_PAGES = [
    f"""LAPORAN STUDI KASUS - PEKERJAAN SOSIAL
Nomor perkara: {CLIENT['case_number']}
Tanggal laporan: 14 Maret 2024

IDENTITAS KLIEN
Nama: {CLIENT['name']} (berinisial SA, 12 tahun)
NIK: {CLIENT['nik']}   No. KK: {CLIENT['kk']}
Tempat/tanggal lahir: Palembang, 12 Maret 2012
Alamat: {CLIENT['address']},
{CLIENT['kelurahan']}, Kec. Sukarami, Kota Palembang 30151
Orang tua: Bapak {CLIENT['father']} (ayah), Ibu {CLIENT['mother']} (ibu)
Telepon wali: {CLIENT['phone']}
Email wali: {CLIENT['email']}

RINGKASAN KASUS
Klien dirujuk oleh Sdr. {CLIENT['referrer']} dari Dinas Sosial Kota Palembang
setelah laporan sekolah. {CLIENT['name']} tinggal bersama ibunya. Pekerja sosial
melakukan kunjungan rumah dua kali dan asesmen awal.
""",
    f"""RENCANA INTERVENSI
1. Pendampingan psikososial mingguan untuk {CLIENT['name']}.
2. Konseling keluarga bersama Ibu {CLIENT['mother']}.
3. Koordinasi dengan sekolah dan puskesmas setempat.

Catatan: informasi ini rahasia. Hubungi kantor layanan 14090 untuk
pertanyaan umum (nomor resmi lembaga, boleh dipublikasikan).

Pekerja sosial penanggung jawab,
(tanda tangan)
""",
]

ENGLISH_MEMO = f"""MEMO - Case conference
To: Dr. {ENGLISH['supervisor']}, Clinical Supervisor
From: {ENGLISH['author']}
Date: 3 April 2024

The client, Mr. {ENGLISH['client']}, was referred to our counselling service
after a workplace incident. Mr. {ENGLISH['client']} agreed to weekly sessions.
He can be reached at {ENGLISH['phone']} or by e-mail at {ENGLISH['email']}.
Please keep this memo within the case team.
"""


def _page(doc: pymupdf.Document, text: str) -> pymupdf.Page:
    page = doc.new_page(width=595, height=842)  # A4
    page.insert_textbox(pymupdf.Rect(56, 56, 540, 800), text, fontsize=10.5, fontname="helv")
    return page


def case_report_pdf() -> bytes:
    """An Indonesian social-work case report, two pages, synthetic people."""
    doc = pymupdf.open()
    for text in CASE_REPORT_PAGES:
        _page(doc, text)
    doc.set_metadata({"title": "Laporan studi kasus", "producer": "Tabir sample generator"})
    return doc.tobytes(garbage=3, deflate=True)


def carriers_pdf() -> bytes:
    """A referral letter whose hidden parts name the client: document author,
    XMP, a comment annotation, an attached file, a form field, a bookmark."""
    doc = pymupdf.open()
    page = _page(doc, "SURAT RUJUKAN\n\nDengan hormat, bersama ini kami rujuk klien kami\nuntuk layanan konseling lanjutan.\n")
    doc.set_metadata({
        "author": CLIENT["name"],
        "title": f"Rujukan {CLIENT['name']}",
        "subject": f"NIK {CLIENT['nik']}",
        "keywords": CLIENT["email"],
        "creator": "Tabir sample generator",
        "producer": "Tabir sample generator",
    })
    doc.set_xml_metadata(
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:creator><rdf:Seq><rdf:li>{CLIENT["name"]}</rdf:li></rdf:Seq></dc:creator>'
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )
    annot = page.add_text_annot((60, 200), f"Klien: {CLIENT['name']}, NIK {CLIENT['nik']}")
    annot.set_info(title=CLIENT["referrer"])
    annot.update()
    doc.embfile_add(
        "catatan_konseling.txt",
        f"Catatan konseling untuk {CLIENT['name']}, NIK {CLIENT['nik']}, telepon {CLIENT['phone']}.".encode(),
        filename="catatan_konseling.txt",
        desc=f"Catatan {CLIENT['name']}",
    )
    widget = pymupdf.Widget()
    widget.field_type = pymupdf.PDF_WIDGET_TYPE_TEXT
    widget.field_name = "nama_klien"
    widget.field_value = CLIENT["name"]
    widget.rect = pymupdf.Rect(60, 260, 300, 280)
    page.add_widget(widget)
    doc.set_toc([[1, f"Rujukan untuk {CLIENT['name']}", 1]])
    return doc.tobytes(garbage=3, deflate=True)


def english_memo_pdf() -> bytes:
    doc = pymupdf.open()
    _page(doc, ENGLISH_MEMO)
    return doc.tobytes(garbage=3, deflate=True)


_FIRST = ["Siti", "Budi", "Dewi", "Agus", "Rina", "Hendra", "Nur", "Wayan", "Putu", "Rahmat", "Yohana", "Liem", "Fauzi", "Ratna", "Made"]
_LAST = ["Aminah", "Santoso", "Lestari", "Hutapea", "Siregar", "Wijaya", "Saputra", "Nasution", "Kusuma", "Hidayat", "Tanoto", "Pratama"]
_CITIES = ["Palembang", "Bandung", "Medan", "Makassar", "Denpasar", "Surabaya", "Padang", "Kupang"]
_PARAGRAPH = (
    "Pada tanggal {day} {month} 2024 pekerja sosial melakukan kunjungan rumah ke kediaman klien "
    "{name} di {street} No. {no} RT 00{rt}/RW 00{rw}, Kota {city}. Klien didampingi oleh Ibu {mother} "
    "dan menyampaikan bahwa kondisi keluarga membaik setelah intervensi. Kontak wali: {phone}, "
    "surel {email}. Rencana tindak lanjut dibahas bersama Bapak {officer} dari Dinas Sosial.\n\n"
)


def long_report_pdf(pages: int, seed: int) -> bytes:
    """A multi-page Indonesian case file with a different synthetic person in
    every paragraph, for benchmarks."""
    import random

    rng = random.Random(seed)
    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus"]
    doc = pymupdf.open()
    for _ in range(pages):
        text = ""
        for _ in range(5):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            text += _PARAGRAPH.format(
                day=rng.randint(1, 28), month=rng.choice(months), name=f"{first} {last}",
                street=f"Jl. {rng.choice(_LAST)}", no=rng.randint(1, 200), rt=rng.randint(1, 9),
                rw=rng.randint(1, 9), city=rng.choice(_CITIES),
                mother=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
                phone=f"+62 81{rng.randint(1, 9)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                email=f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@gmail.com",
                officer=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
            )
        _page(doc, text)
    return doc.tobytes(garbage=3, deflate=True)


def sample_policy_yaml() -> str:
    lines = ["# Policy for sample_data/: Presidio's defaults plus the synthetic", "# client's names and numbers as a deny-list.", "version: 1", "detection:", "  deny_list:"]
    for entity, values in SAMPLE_DENY_LIST.items():
        lines.append(f"    {entity}:")
        lines += [f'      - "{v}"' for v in values]
    lines += ["  allow_list:", '    - "14090"', "redaction:", "  style: label"]
    return "\n".join(lines) + "\n"


def photo_jpeg() -> bytes:
    """scikit-image's astronaut (a NASA photo, public domain) with the GPS
    position, time, camera serial and owner in its EXIF."""
    import io

    import skimage.data
    from PIL import Image

    exif = Image.Exif()
    exif[0x0132] = "2024:03:14 10:00:00"
    exif[0xA431] = "CAM-SERIAL-0042"
    exif[0x013B] = CLIENT["name"]
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (2.0, 59.0, 30.0), "E", (104.0, 45.0, 10.0)
    out = io.BytesIO()
    Image.fromarray(skimage.data.astronaut()).save(out, "JPEG", quality=88, exif=exif.tobytes())
    return out.getvalue()


def id_card_png() -> bytes:
    """An ID-card-like picture with the synthetic client's name and NIK."""
    import cv2
    import numpy as np

    card = np.full((420, 900, 3), 235, np.uint8)
    lines = ["KARTU TANDA PENDUDUK", f"NIK : {CLIENT['nik']}", f"Nama : {CLIENT['name'].upper()}", "Kota : PALEMBANG"]
    for i, line in enumerate(lines):
        cv2.putText(card, line, (30, 80 + i * 90), cv2.FONT_HERSHEY_SIMPLEX, 1.3, (20, 20, 20), 3)
    return cv2.imencode(".png", card)[1].tobytes()


def main(argv: list[str]) -> int:
    from scripts import make_docx_sample

    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "sample_data"
    out.mkdir(parents=True, exist_ok=True)
    (out / "laporan_kasus_anak.pdf").write_bytes(case_report_pdf())
    (out / "surat_rujukan_tersembunyi.pdf").write_bytes(carriers_pdf())
    (out / "english_memo.pdf").write_bytes(english_memo_pdf())
    (out / "catatan_kasus.docx").write_bytes(make_docx_sample.build())
    (out / "foto_kegiatan.jpg").write_bytes(photo_jpeg())
    (out / "ktp_contoh.png").write_bytes(id_card_png())
    print(f"wrote sample documents to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
