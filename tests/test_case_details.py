"""Case details (UU PDP specific data about a person) are flagged for the
reviewer, and with `review.case_details: redact` removed from a real PDF."""

from __future__ import annotations

import subprocess
from pathlib import PurePosixPath

import pymupdf

from tabir.redactors.config import load_config
from tabir.redactors.model import TextSpan
from tabir.redactors.pipeline import Pipeline
from tabir.redactors.review.case_details import WithCaseDetails, case_detail_spans
from scripts import make_sample_data as samples


def test_a_sentence_is_flagged_when_it_has_a_case_detail_about_a_person():
    text = ("Korban NH (15 tahun) mengalami pencabulan oleh tetangganya. Program rehabilitasi narkoba dibuka "
            "untuk umum. Sdri. Maria mengidap skizofrenia.\nKegiatan berjalan lancar.")
    found = case_detail_spans(text)
    assert [d.text for d in found] == ["Korban NH (15 tahun) mengalami pencabulan oleh tetangganya.",
                                       "Sdri. Maria mengidap skizofrenia."]
    assert found[0].categories == ("sexual_violence",) and found[1].categories == ("health",)
    assert case_detail_spans("Budi divonis dua tahun penjara.", names=["Budi"])
    assert not case_detail_spans("Budi divonis dua tahun penjara.")  # nobody known in it


class Names:
    def detect(self, text):
        at = text.find("Rina")
        return [TextSpan(at, at + 4, "PERSON", 0.9, "test")] if at >= 0 else []


def test_redact_keeps_the_name_as_a_name_and_covers_the_rest_of_the_sentence():
    text = "Rina didiagnosis HIV sejak 2019. Ia suka menggambar."
    spans = WithCaseDetails(Names()).detect(text)
    assert [(text[s.start:s.end], s.entity_type) for s in spans] == [
        ("Rina", "PERSON"), ("didiagnosis HIV sejak 2019.", "CASE_DETAIL")]


def test_the_redact_option_removes_case_details_from_a_pdf(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(f"version: 1\nsecret_file: {tmp_path / 'key'}\nreview:\n  case_details: redact\n  policy_lists: null\n")
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((56, 80), "Klien didiagnosis HIV sejak tahun 2019.", fontname="helv", fontsize=11)
    page.insert_text((56, 104), "Kegiatan kelompok berjalan lancar.", fontname="helv", fontsize=11)
    outcome = Pipeline(load_config(policy), tmp_path / "out").redact_bytes(PurePosixPath("a.pdf"), doc.tobytes())
    assert outcome.record.status == "redacted"
    (tmp_path / "a.pdf").write_bytes(outcome.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "a.pdf"), "-"], capture_output=True, text=True).stdout
    assert "HIV" not in text and "didiagnosis" not in text and "Kegiatan kelompok" in text
    assert "CASE_DETAIL" in {f["entity_type"] for f in outcome.record.findings}
