"""The second look reads an output afresh with the full detector: what the
first pass missed is redacted in another round, what survives the rounds
sends the file to review (with a reason that quotes no value), and the
name-model artefacts of removed context do not."""

from __future__ import annotations

from pathlib import PurePosixPath

import pymupdf

from tabir.redactors.config import load_config
from tabir.redactors.formats.base import FormatHandler
from tabir.redactors.model import TextSpan
from tabir.redactors.pipeline import Pipeline
from tabir.redactors.second_look import WithExtraValues, fresh_findings

PHONE = "0812-3456-7890"


class MissesTheFirstTime:
    """Finds the phone number only once it has seen it: a stand-in for a
    first pass whose view of the text hid a value that the output shows."""

    def __init__(self):
        self.calls = 0

    def detect(self, text):
        self.calls += 1
        start = text.find(PHONE)
        if start < 0 or self.calls <= 1:
            return []
        return [TextSpan(start, start + len(PHONE), "PHONE_NUMBER", 0.9, "Phone")]


def _pdf(text: str) -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), text, fontsize=11)
    return doc.tobytes()


def _pipeline(tmp_path, detector, extra_yaml: str = ""):
    tmp_path.mkdir(parents=True, exist_ok=True)
    policy = tmp_path / "policy.yaml"
    policy.write_text(f"version: 1\nsecret_file: {tmp_path / 'key'}\nimages:\n  ocr: false\n{extra_yaml}")
    return Pipeline(load_config(policy), tmp_path / "out", detector)


def test_a_value_the_first_pass_missed_is_redacted_in_another_round(tmp_path):
    pipeline = _pipeline(tmp_path, MissesTheFirstTime())
    outcome = pipeline.redact_bytes(PurePosixPath("a.pdf"), _pdf(f"Hubungi wali di {PHONE} segera."))
    assert outcome.record.status == "redacted", outcome.record.reason
    with pymupdf.open(stream=outcome.data) as doc:
        text = doc[0].get_text()
    assert PHONE not in text and "segera" in text
    assert any("second look" in note for note in outcome.record.notes)


class AlwaysSeesIt:
    def detect(self, text):
        start = text.find("Rahasia")
        return [TextSpan(start, start + 7, "ID_NIK", 1.0, "Stub")] if start >= 0 else []


class HandlerThatCannotRemove(FormatHandler):
    """A format whose output keeps the value whatever the rounds do."""

    name = "stub"
    extensions = (".txt",)

    def redact(self, data, ctx):
        from tabir.redactors.model import RedactionResult

        return RedactionResult(output=data, findings=[], pages=1)

    def verify(self, output, values, inserted=frozenset(), ctx=None):
        return []

    def output_texts(self, output, ctx):
        return [("page 1", output.decode())]


def test_what_survives_every_round_goes_to_review_without_quoting_it(tmp_path, monkeypatch):
    from tabir.redactors import pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "handler_for", lambda rel: HandlerThatCannotRemove())
    outcome = _pipeline(tmp_path, AlwaysSeesIt()).redact_bytes(PurePosixPath("a.txt"), b"isi Rahasia isi")
    assert outcome.record.status == "review"
    assert "second look" in outcome.record.reason and "ID_NIK" in outcome.record.reason
    assert "Rahasia" not in outcome.record.reason
    off = _pipeline(tmp_path / "off", AlwaysSeesIt(), "verification:\n  second_look: false\n")
    assert off.redact_bytes(PurePosixPath("a.txt"), b"isi Rahasia isi").record.status == "redacted"


def test_name_artefacts_of_removed_context_do_not_count(config):
    from tabir.redactors.detect.factory import detector_for

    detector = detector_for(config)
    # "berinisial RA" lost "RA": the name model now takes the next word.
    text = "Anak berinisial tinggal bersama neneknya. Telepon wali 0813-2222-3333."
    found = fresh_findings(detector, [("page 1", text)], [])
    assert [(f.entity_type, f.value) for f in found] == [("PHONE_NUMBER", "0813-2222-3333")]
    assert {f.entity_type for f in fresh_findings(detector, [("ocr", text)], [], all_types=True)} >= {"PHONE_NUMBER"}


def test_extra_values_are_found_whole_and_never_over_a_span_already_found():
    class One:
        def detect(self, text):
            return [TextSpan(0, 4, "PERSON", 0.9, "M")]

    spans = WithExtraValues(One(), {"Siti": "PERSON", "0812 111": "PHONE_NUMBER"}).detect("Siti dan siti, tel 0812\n111 x")
    assert [(s.start, s.end, s.recognizer) for s in spans] == [(0, 4, "M"), (9, 13, "SecondLook"), (19, 27, "SecondLook")]


def _picture_of(text: str):
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (900, 120), (255, 255, 255))
    ImageDraw.Draw(image).text((20, 30), text, font=ImageFont.truetype("DejaVuSans.ttf", 40), fill=(10, 10, 10))
    return np.asarray(image)


def test_the_second_look_reads_the_text_in_pictures_of_every_format(tmp_path, config):
    """With `read_pictures` (the default), the text of a PDF page's picture
    (OCR of the rendered page), of a photo and of a picture in a Word file
    is read again for the detector; without it only text layers are."""
    import io

    import docx
    from PIL import Image

    from tabir.redactors.formats import RedactionContext
    from tabir.redactors.formats.docx import DocxHandler
    from tabir.redactors.formats.photo import PhotoHandler
    from tabir.redactors.formats.pdf import PdfHandler

    pixels = _picture_of("Jadwal posyandu Sabtu")
    png = io.BytesIO()
    Image.fromarray(pixels).save(png, "PNG")
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Foto kegiatan.", fontsize=11)
    page.insert_image(pymupdf.Rect(72, 100, 522, 160), stream=png.getvalue())
    document = docx.Document()
    document.add_paragraph("Foto kegiatan.")
    document.add_picture(io.BytesIO(png.getvalue()))
    word = io.BytesIO()
    document.save(word)
    outputs = [(PdfHandler(), doc.tobytes()), (PhotoHandler(), png.getvalue()), (DocxHandler(), word.getvalue())]
    import dataclasses

    for read_pictures in (True, False):
        settings = dataclasses.replace(
            config, verification=dataclasses.replace(config.verification, read_pictures=read_pictures))
        ctx = RedactionContext(detector=None, config=settings)
        for handler, output in outputs:
            texts = handler.output_texts(output, ctx)
            read = " ".join(text for where, text in texts if "read from" in where)
            assert ("posyandu" in read) == read_pictures, (handler.name, texts)


def test_the_redactions_own_boxes_are_not_taken_for_letters_drawn_as_outlines():
    """A redacted page with few words left and dozens of black boxes is not
    OCRed for nothing; shapes with curves (letters as outlines) still are,
    and so are boxes of another colour."""
    from tabir.redactors.formats.pdf.unreadable import suspect

    def page_with(draw) -> pymupdf.Page:
        doc = pymupdf.open()
        page = doc.new_page()
        page.insert_text((72, 72), "Catatan kunjungan singkat.", fontsize=11)
        for i in range(30):
            draw(page, pymupdf.Rect(72 + (i % 10) * 40, 100 + (i // 10) * 20, 100 + (i % 10) * 40, 112 + (i // 10) * 20))
        return page

    black_boxes = page_with(lambda page, r: page.draw_rect(r, color=(0, 0, 0), fill=(0, 0, 0)))
    assert suspect(black_boxes, black_boxes.get_text()) is True  # as an input page: checked
    assert suspect(black_boxes, black_boxes.get_text(), own_boxes=(0, 0, 0)) is False
    red_boxes = page_with(lambda page, r: page.draw_rect(r, color=(1, 0, 0), fill=(1, 0, 0)))
    assert suspect(red_boxes, red_boxes.get_text(), own_boxes=(0, 0, 0)) is True
    outlines = page_with(lambda page, r: page.draw_oval(r, color=(0, 0, 0), fill=(0, 0, 0)))
    assert suspect(outlines, outlines.get_text(), own_boxes=(0, 0, 0)) is True


def test_the_second_look_does_not_run_the_name_models_whose_findings_it_drops(config, monkeypatch):
    """In a text layer the second look counts only types found by patterns
    (the module's docstring): the e5 head and the spaCy names are not run
    for it, nor the spaCy pipeline's NER (only its tokens and lemmas, which
    the patterns' context words read), and what it finds is exactly the
    full detector's finds of the other types. When every type counts (text
    read by OCR), they run."""
    from tabir.redactors.detect.factory import detector_for
    from tabir.redactors.detect.presidio_text import E5NameRecognizer
    from tabir.redactors.second_look import CONTEXT_TYPES

    detector = detector_for(config)
    assert config.detection.profile == "accurate"
    text = ("Klien Siti Aminah (NIK 3203121708900002) tinggal di Desa Sukamaju, Cianjur. "
            f"Hubungi ibunya di {PHONE} atau siti.aminah@example.com.")
    full = {(s.entity_type, text[s.start:s.end]) for s in detector.detect(text)}
    assert {"PERSON", "LOCATION"} <= {t for t, _ in full}
    calls = []
    real = E5NameRecognizer.analyze
    monkeypatch.setattr(E5NameRecognizer, "analyze", lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
    nlp_engine = detector.engine.nlp_engine
    with_ner = []
    real_process = nlp_engine.process_text
    monkeypatch.setattr(nlp_engine, "process_text", lambda *a, **k: with_ner.append(1) or real_process(*a, **k))
    fresh = fresh_findings(detector, [("page 1", text)], [])
    assert calls == [] and with_ner == []
    assert {(f.entity_type, f.value) for f in fresh} == {(t, v) for t, v in full if t not in CONTEXT_TYPES}
    assert {"ID_NIK", "PHONE_NUMBER", "EMAIL_ADDRESS"} <= {f.entity_type for f in fresh}
    everything = fresh_findings(detector, [("page 1 as rendered", text)], [], all_types=True)
    assert calls and with_ner and {(f.entity_type, f.value) for f in everything} == full


def test_the_tokens_without_the_ner_are_the_tokens_with_it(config):
    """What the second look's pattern recognizers read (tokens, lemmas) is
    the same with the NER left out, for the Indonesian and the English
    pipeline (whose NER has its own tok2vec, so the shared one must run
    for the tagger the lemmas need)."""
    from tabir.redactors.detect.factory import detector_for

    nlp_engine = detector_for(config).engine.nlp_engine
    texts = {"id": "Klien Siti Aminah tinggal di Desa Sukamaju; hubungi ibunya di 0812-3456-7890.",
             "en": "The victim, Sandra Rodriguez, was seen running to the shelters at Jl. Merdeka 5."}
    for language, text in texts.items():
        full = nlp_engine.process_text(text, language)
        tokens = nlp_engine.tokens_only(text, language)
        assert full.entities and not tokens.entities
        assert [t.text for t in tokens.tokens] == [t.text for t in full.tokens]
        assert tokens.lemmas == full.lemmas
        assert tokens.lemmas != [t.text for t in tokens.tokens]  # lemmas were made: "running" -> "run"
