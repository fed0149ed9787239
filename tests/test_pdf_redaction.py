"""PDF redaction is real: planted values are gone from the text, from every
object and stream, from metadata; hidden carriers are gone; images under a
redaction are changed; the rest of the page is left where it was."""

from __future__ import annotations

import io

import pymupdf
import pytest

from tabir.redactors.formats import RedactionContext
from tabir.redactors.formats.pdf import PdfHandler
from tabir.redactors.model import TextSpan
from tabir.redactors.detect.factory import detector_for
from scripts import make_sample_data as samples

from .checks import verified
from .conftest import PLANTED
from .pdf_inspect import all_text, contains, inflated_file, metadata, raw_objects


def redact(data: bytes, config, detector=None):
    handler = PdfHandler()
    result = handler.redact(data, RedactionContext(detector or detector_for(config), config))
    return handler, result


class FixedDetector:
    """Flags exactly the given values: isolates the redaction mechanism from
    what the statistical model happens to find."""

    def __init__(self, *values: str):
        self.values = values

    def detect(self, text):
        spans = []
        for value in self.values:
            start = text.find(value)
            while start >= 0:
                spans.append(TextSpan(start, start + len(value), "PERSON", 1.0, "Fixed"))
                start = text.find(value, start + 1)
        return spans


@pytest.mark.parametrize("make", [samples.case_report_pdf, samples.carriers_pdf, samples.english_memo_pdf])
def test_every_planted_value_is_gone_everywhere(make, config):
    source = make()
    present = [v for v in PLANTED if contains(all_text(source) + metadata(source)["xmp"], v) or contains(raw_objects(source), v)]
    assert present, "the sample must contain planted values for this test to mean anything"

    handler, result = redact(source, config)
    text, raw, inflated = all_text(result.output), raw_objects(result.output), inflated_file(result.output)
    meta = metadata(result.output)
    for value in present:
        assert not contains(text, value), f"{value!r} still in the page text"
        assert not contains(raw, value), f"{value!r} still in a PDF object or stream"
        assert not contains(inflated, value), f"{value!r} still in the file bytes"
    assert meta == {"info": {}, "xmp": ""}
    assert verified(handler, result, config) == []


def test_hidden_carriers_are_removed(config):
    source = samples.carriers_pdf()
    with pymupdf.open(stream=source) as doc:  # the sample really has them
        assert doc.embfile_count() == 1 and doc[0].first_annot and doc[0].first_widget and doc.get_toc()
    _, result = redact(source, config)
    with pymupdf.open(stream=result.output) as doc:
        assert doc.embfile_count() == 0
        assert doc[0].first_annot is None
        assert doc[0].first_widget is None
        assert doc.get_toc() == []
        assert doc.xref_get_key(doc.pdf_catalog(), "AcroForm")[0] == "null"
        assert doc.xref_get_key(doc.pdf_catalog(), "Names")[0] == "null"
    locations = {f.location for f in result.findings}
    assert {"metadata", "annotation", "attachment", "form_field", "outline"} <= locations


def test_value_found_only_in_a_hidden_carrier_is_removed_from_the_page_too(config):
    # The author field names the client; the visible text names her once in a
    # way the detector alone would not flag (no context). Consistency must
    # remove it from the page as well.
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "ref: siti aminah / 2024", fontname="helv", fontsize=11)
    doc.set_metadata({"author": "Siti Aminah"})
    _, result = redact(doc.tobytes(), config)
    assert not contains(all_text(result.output), "siti aminah")
    assert "2024" in all_text(result.output)


def test_neighbouring_text_survives_in_place(box_config):
    """Guards the PyMuPDF 2.0 regression: text after a redaction moved left."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "To: Dr. Margaret Collins, Clinical Supervisor", fontname="helv", fontsize=10.5)
    page.insert_text((72, 113), "Second line stays readable and whole.", fontname="helv", fontsize=10.5)
    source = doc.tobytes()
    with pymupdf.open(stream=source) as before:
        x_before = {w[4]: w[0] for w in before[0].get_text("words")}
    _, result = redact(source, box_config, FixedDetector("Margaret Collins"))
    with pymupdf.open(stream=result.output) as after:
        words = {w[4]: w[0] for w in after[0].get_text("words")}
    assert "Margaret" not in words and "Collins," not in words
    assert words["Clinical"] == pytest.approx(x_before["Clinical"], abs=0.5)
    assert words["Supervisor"] == pytest.approx(x_before["Supervisor"], abs=0.5)
    assert "Second line stays readable and whole." in all_text(result.output)


def test_image_pixels_under_a_redaction_are_blanked(box_config):
    # A scanned-looking page: an image, and a text layer on top of it.
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 400, 100), False)
    pix.set_rect(pix.irect, (200, 30, 30))
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_image(pymupdf.Rect(50, 50, 450, 150), pixmap=pix)
    page.insert_text((60, 100), "email budi.santoso@gmail.com", fontname="helv", fontsize=12)
    _, result = redact(doc.tobytes(), box_config)
    with pymupdf.open(stream=result.output) as out:
        page = out[0]
        images = page.get_images(full=True)
        assert len(images) == 1
        data = pymupdf.Pixmap(out, images[0][0])
        # the e-mail sat at x 60-250, y 90-103 on the page: inside the image
        # that is image pixels x ~10-200, y ~40-53
        changed = [data.pixel(x, 47) for x in range(60, 180, 10)]
        untouched = data.pixel(390, 90)
    assert untouched == (200, 30, 30)
    assert all(p != (200, 30, 30) for p in changed), changed


def test_label_style_writes_the_label_not_the_value(config):
    _, result = redact(samples.english_memo_pdf(), config)
    text = all_text(result.output)
    assert "[EMAIL]" in text and "[NAMA]" in text
    assert not contains(text, samples.ENGLISH["email"])


def test_invisible_text_is_removed(box_config):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Visible heading", fontname="helv", fontsize=11)
    page.insert_text((72, 200), "hidden layer: mary.jones@example.com", fontname="helv", fontsize=11, render_mode=3)
    _, result = redact(doc.tobytes(), box_config)
    assert not contains(raw_objects(result.output), "mary.jones@example.com")
    assert "Visible heading" in all_text(result.output)


def test_text_outside_the_page_is_removed(box_config):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Contact john.doe@example.com", fontname="helv", fontsize=11)
    page.insert_text((72, -40), "off the page: bob.smith@example.com", fontname="helv", fontsize=11)
    page.insert_text((72, 130), "Kegiatan berjalan sesuai rencana.", fontname="helv", fontsize=11)
    handler, result = redact(doc.tobytes(), box_config)
    assert verified(handler, result, box_config) == []
    assert not contains(raw_objects(result.output), "bob.smith@example.com")
    # Nobody sees what lies off the page: all of it goes (covers.py,
    # beyond_the_page), not only the values found there; the page stays.
    assert "off the page" not in raw_objects(result.output).decode("latin-1")
    assert "Kegiatan berjalan sesuai rencana." in all_text(result.output)


def test_verification_reasons_never_quote_the_value(box_config):
    from tabir.redactors.verify import leaks_in_text

    problems = leaks_in_text({"john.doe@example.com"}, [("page 1", "mail john.doe@example.com")])
    assert problems and "still present" in problems[0]
    assert "john.doe" not in " ".join(problems)


def test_incremental_update_history_is_not_kept(tmp_path, box_config):
    # Save a document, then append an incremental update that "removes" the
    # name: the old revision still sits in the file. Our output must not.
    path = tmp_path / "incremental.pdf"
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 100), "Client Daniel Okafor", fontname="helv", fontsize=11)
    doc.save(path)
    doc.close()
    doc = pymupdf.open(path)
    doc.set_metadata({"author": "Daniel Okafor"})
    doc.saveIncr()
    doc.close()
    source = path.read_bytes()
    assert source.count(b"%%EOF") == 2
    _, result = redact(source, box_config)
    assert result.output.count(b"%%EOF") == 1
    assert not contains(inflated_file(result.output), "Okafor")


def test_a_value_inside_a_longer_finding_of_another_type_is_still_hunted_down(box_config):
    # Found as part of a longer PERSON span ("Contact john.doe@..."), the
    # e-mail must still be searched for on its own (here: off the page).
    class Nested:
        def detect(self, text):
            spans = []
            start = text.find("Contact john.doe@example.com")
            if start >= 0:
                spans.append(TextSpan(start, start + 28, "PERSON", 0.85, "Model"))
                spans.append(TextSpan(start + 8, start + 28, "EMAIL_ADDRESS", 1.0, "Email"))
            return spans

    from tabir.redactors.detect.presidio_text import drop_contained

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Contact john.doe@example.com", fontname="helv", fontsize=11)
    page.insert_text((72, -40), "john.doe@example.com", fontname="helv", fontsize=11)

    class Dropping(Nested):
        def detect(self, text):
            return drop_contained(super().detect(text))

    handler, result = redact(doc.tobytes(), box_config, Dropping())
    assert "john.doe@example.com" in result.sensitive_values()
    # The second mention, above the page, was found by its value and removed.
    assert verified(handler, result, box_config) == []
    assert not contains(raw_objects(result.output), "john.doe@example.com")


def test_a_libreoffice_pdf_with_subset_fonts(tmp_path, config):
    """A real producer's PDF: embedded subset TrueType fonts, headers,
    footers, tables, a footnote (the Word sample exported by LibreOffice)."""
    import shutil
    import subprocess

    from scripts import make_docx_sample

    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (libreoffice-writer-nogui) is needed; `make test` installs it"
    (tmp_path / "in.docx").write_bytes(make_docx_sample.build())
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'p'}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "in.docx")], check=True, capture_output=True, timeout=180)
    source = (tmp_path / "in.pdf").read_bytes()
    assert "Siti Aminah" in all_text(source)
    handler, result = redact(source, config)
    text = all_text(result.output)
    for value in ("Siti Aminah", "Aminah", "1671055203120002"):
        assert value not in text
        assert not contains(raw_objects(result.output), value)
    assert "Rencana intervensi disusun bersama tim sekolah." in text
    assert verified(handler, result, config) == []


def test_a_rotated_page_is_redacted_where_the_text_is(box_config):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Klien: Daniel Okafor datang", fontname="helv", fontsize=12)
    page.insert_text((72, 300), "Paragraf lain tetap terbaca.", fontname="helv", fontsize=12)
    page.set_rotation(90)
    _, result = redact(doc.tobytes(), box_config, FixedDetector("Daniel Okafor"))
    text = all_text(result.output)
    assert "Okafor" not in text and "Daniel" not in text
    assert "Klien:" in text and "datang" in text and "Paragraf lain tetap terbaca." in text


def test_exif_inside_pictures_embedded_in_a_pdf_is_removed(box_config):
    import io

    import numpy as np
    from PIL import Image


    from .test_images import gps_exif

    def jpeg(size):
        out = io.BytesIO()
        Image.fromarray(np.full((size, size, 3), 128, np.uint8)).save(out, "JPEG", exif=gps_exif())
        return out.getvalue()

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Foto kegiatan", fontname="helv")
    page.insert_image(pymupdf.Rect(72, 100, 300, 328), stream=jpeg(300))  # a photo
    page.insert_image(pymupdf.Rect(400, 40, 440, 80), stream=jpeg(40))  # a logo-sized one
    source = doc.tobytes()
    assert source.count(b"CAM-SERIAL-0042") == 2
    unredacted = " ".join(PdfHandler().verify(source, set(), set(), RedactionContext(FixedDetector(), box_config)))
    assert "metadata" in unredacted

    handler, result = redact(source, box_config, FixedDetector())
    assert b"CAM-SERIAL" not in inflated_file(result.output) and b"Exif" not in result.output
    assert verified(handler, result, box_config) == []
    with pymupdf.open(stream=result.output) as out:
        assert len(out[0].get_images()) == 2
        assert all("DCTDecode" in out.xref_get_key(x[0], "Filter")[1] for x in out[0].get_images())


def test_marked_text_is_stripped_with_nested_strings_and_only_from_content_streams():
    from tabir.redactors.formats.pdf.carriers import _content_streams, strip_marked_text

    stream = b"/Span <</ActualText (Siti (Ibu) \\) Aminah) /Lang (id)>> BDC (S.) Tj EMC /P <</Alt <FEFF0041>>> BDC EMC"
    cleaned, count = strip_marked_text(stream)
    assert count == 2 and b"Siti" not in cleaned and b"FEFF0041" not in cleaned
    assert cleaned.count(b"BDC") == 2 and b"/Lang (id)" in cleaned
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_font(fontname="dv", fontfile="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    page.insert_text((72, 72), "Teks", fontname="dv")
    fonts = {xref for xref in range(1, doc.xref_length()) if "FontFile" in doc.xref_object(xref) or "Length1" in doc.xref_object(xref)}
    assert fonts and not fonts & _content_streams(doc)


def test_a_value_found_on_one_scanned_page_is_covered_on_every_page(config):
    """Consistency is document-wide for scans as for text: "Singaraja" read as
    a place of birth on page 2 is covered in "RSUD Singaraja" on page 1 too
    (verification would otherwise find it and send the file to review)."""
    import io
    import subprocess

    from PIL import Image, ImageDraw, ImageFont

    from tabir.redactors.formats import RedactionContext
    from tabir.redactors.detect.factory import detector_for

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 30)
    doc = pymupdf.open()
    # Page 1 alone: the detector does not take "Singaraja" after a line break.
    for line in ("Kontrol rutin di RSUD\nSingaraja.",
                 "Klien lahir di Singaraja, 12 Maret 2012, dan tinggal bersama neneknya."):
        picture = Image.new("RGB", (1240, 300), "white")
        ImageDraw.Draw(picture).text((40, 80), line, font=font, fill="black")
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        page = doc.new_page(width=595, height=144)
        page.insert_image(page.rect, stream=buffer.getvalue())
    handler = PdfHandler()
    ctx = RedactionContext(detector_for(config), config)
    result = handler.redact(doc.tobytes(), ctx)
    assert handler.verify(result.output, result.sensitive_values(), result.inserted, ctx) == []
    with pymupdf.open(stream=result.output) as out:
        first = out[0].get_pixmap(dpi=200).tobytes("png")
    text = subprocess.run(["tesseract", "stdin", "stdout", "--psm", "6"], input=first, capture_output=True).stdout.decode()
    assert "Kontrol rutin" in text and "Singaraja" not in text


def test_a_picture_over_the_pixel_limit_is_left_to_the_policy_never_decoded(tmp_path, run_library, secret_dir,
                                                                            monkeypatch):
    import io

    from PIL import Image

    from tabir.redactors.config import load_config
    from tabir.redactors.formats.pdf import pictures

    decoded = []
    original = pictures.to_bgr
    monkeypatch.setattr(pictures, "to_bgr", lambda pix: decoded.append((pix.width, pix.height)) or original(pix))

    policy = tmp_path / "small.yaml"
    policy.write_text(f"version: 1\nsecret_file: {secret_dir / 'manifest.key'}\nlimits:\n  max_picture_megapixels: 1\n")
    big = io.BytesIO()
    Image.new("RGB", (1600, 1000), (120, 120, 120)).save(big, "PNG")  # 1.6 MP
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Laporan dengan foto besar.", fontsize=11)
    page.insert_image(pymupdf.Rect(72, 100, 300, 250), stream=big.getvalue())
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "foto_besar.pdf").write_bytes(doc.tobytes())
    entry = run_library(inbox, tmp_path / "out", load_config(policy))["files"][0]
    # The picture was neither checked nor decoded: a person must look (policy: review).
    assert entry["status"] == "review" and entry["reason_code"] == "unchecked_pictures", entry["reason"]
    assert (1600, 1000) not in decoded  # neither by redaction nor by verification


def test_text_in_pdf_colour_profiles_is_blanked(config):
    """A PDF/A-style output intent and a picture's ICCBased colour space,
    each a profile whose description names a person; the profiles stay,
    their text goes (found by a byte search of every decoded stream)."""
    import numpy as np
    from PIL import Image, ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    named = profile.replace("sRGB built-in".encode("utf-16-be"), "Budi Santoso ".encode("utf-16-be"))
    assert named != profile
    picture = io.BytesIO()
    Image.fromarray(np.full((200, 300, 3), 180, np.uint8)).save(picture, "JPEG", icc_profile=named)
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Laporan kegiatan bulanan.", fontsize=11)
    page.insert_image(pymupdf.Rect(72, 100, 372, 300), stream=picture.getvalue())
    intent = doc.get_new_xref()
    doc.update_object(intent, "<< /N 3 >>")
    doc.update_stream(intent, named)
    doc.xref_set_key(doc.pdf_catalog(), "OutputIntents",
                     f"[<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB) /DestOutputProfile {intent} 0 R >>]")
    source = doc.tobytes()
    needle = "Budi Santoso".encode("utf-16-be")

    def streams(data):
        with pymupdf.open(stream=data, filetype="pdf") as d:
            return [d.xref_stream(x) or b"" for x in range(1, d.xref_length()) if d.xref_is_stream(x)]

    assert any(needle in s for s in streams(source))
    handler, result = redact(source, config)
    assert not any(needle in s for s in streams(result.output))
    assert any(s[36:40] == b"acsp" for s in streams(result.output))  # the profile itself is kept
    assert verified(handler, result, config) == []


def test_a_page_with_few_words_left_after_redaction_is_not_taken_for_outlined_text(box_config, monkeypatch):
    """Once the boxes are drawn, a page with dozens of them and few words
    left looks like letters drawn as outlines. It is judged as it came in:
    no OCR, no page turned into a picture, published, the values gone."""
    from tabir.redactors.formats.pdf import unreadable

    ocr_calls = []
    real = unreadable.rendered_words
    monkeypatch.setattr(unreadable, "rendered_words", lambda page: ocr_calls.append(page.number) or real(page))
    doc = pymupdf.open()
    page = doc.new_page()
    lines = [f"Klien {i}: Rahmat Hidayat" for i in range(24)]
    page.insert_textbox(pymupdf.Rect(50, 50, 545, 800), "\n".join(lines), fontsize=10, fontname="helv")
    handler, result = redact(doc.tobytes(), box_config, FixedDetector("Rahmat Hidayat"))
    assert ocr_calls == []
    assert verified(handler, result, box_config) == []
    with pymupdf.open(stream=result.output) as out:
        assert "Rahmat" not in out[0].get_text() and "Klien 23:" in out[0].get_text()
        assert out[0].get_images() == []  # still a text page, not a picture


def test_the_redactions_own_boxes_are_not_taken_for_a_table_but_a_ruled_table_still_is(box_config, monkeypatch):
    """A redacted page whose only drawings are the redaction's boxes is read
    as its input was, without a table search (30-80 ms a page, paid twice on
    every page of a long report); a table ruled with thin black rectangles,
    the way Word exports borders, is still searched and read cell by cell."""
    from tabir.redactors.formats.pdf import layout

    searched = []
    real = pymupdf.Page.find_tables
    monkeypatch.setattr(pymupdf.Page, "find_tables", lambda page, *a, **k: searched.append(page.number) or real(page, *a, **k))
    doc = pymupdf.open()
    plain = doc.new_page()
    plain.insert_textbox(pymupdf.Rect(50, 50, 545, 400),
                         "\n".join(f"Klien {i}: Rahmat Hidayat dari Cianjur" for i in range(8)), fontsize=10, fontname="helv")
    ruled = doc.new_page()
    for x in (50, 250, 450):  # borders drawn as thin filled rectangles, in the redaction's colour
        ruled.draw_rect(pymupdf.Rect(x, 50, x + 0.5, 130), color=None, fill=(0, 0, 0))
    for y in (50, 90, 130):
        ruled.draw_rect(pymupdf.Rect(50, y, 450.5, y + 0.5), color=None, fill=(0, 0, 0))
    for row, (label, value) in enumerate((("Nama klien", "Rahmat Hidayat"), ("Alamat", "Cianjur"))):
        ruled.insert_text((55, 75 + 40 * row), label, fontsize=10, fontname="helv")
        ruled.insert_text((255, 75 + 40 * row), value, fontsize=10, fontname="helv")
    handler, result = redact(doc.tobytes(), box_config, FixedDetector("Rahmat Hidayat"))
    assert verified(handler, result, box_config) == []
    own = tuple(box_config.redaction.fill_color)
    with pymupdf.open(stream=result.output) as out:
        assert len(out[0].get_cdrawings()) >= 2  # the boxes are there
        searched.clear()
        text = layout.page_text(out[0], own).text
        assert searched == [] and "Klien 7:" in text and "Rahmat" not in text
        assert layout._table_cells(out[1], own), "the ruled table was not found on the redacted page"
        assert searched == [1]
