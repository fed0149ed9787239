"""File and folder names are text: a client's name in them is not published
and not written into the manifest; two inputs never share one output."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import PurePosixPath

import pymupdf
import pytest

from tabir.redactors.config import load_config
from tabir.redactors.filenames import _words, redact_path
from tabir.redactors.model import TextSpan
from tabir.redactors.secret import ValueHasher

HASHER = ValueHasher(b"0123456789abcdef0123")


class NamesOf:
    """A detector that knows a few names (capitalised or not)."""

    def __init__(self, *names):
        self.names = names

    def detect(self, text):
        spans = []
        for name in self.names:
            start = text.lower().find(name.lower())
            if start >= 0:
                spans.append(TextSpan(start, start + len(name), "PERSON", 0.85, "Test"))
        return spans


def style():
    return load_config().redaction


def test_words_split_at_separators_and_camel_case():
    name = "laporan_SitiRahmawati-2024.final"
    assert [name[a:b] for a, b in _words(name)] == ["laporan", "Siti", "Rahmawati", "2024", "final"]


def test_detected_words_become_labels_with_a_keyed_tag():
    public, found = redact_path(PurePosixPath("Kasus Budi Santoso/Siti_Rahmawati_laporan.pdf"),
                                NamesOf("Siti Rahmawati", "Budi Santoso"), {}, HASHER, HASHER.exact, style())
    assert public.parent.as_posix() == "Kasus [NAMA]"
    assert public.name.startswith("[NAMA]_laporan~") and public.suffix == ".pdf"
    assert [f.component for f in found] == [0, 1] and {f.entity_type for f in found} == {"PERSON"}


def test_values_found_inside_the_file_are_matched_by_their_keyed_hash():
    known = {HASHER("Ratna Wulandari"): "PERSON", HASHER("3174055203900002"): "ID_NIK"}
    public, found = redact_path(PurePosixPath("ratna_wulandari-3174055203900002.docx"), NamesOf(), known,
                                HASHER, HASHER.exact, style())
    assert public.name.startswith("[NAMA]-[NIK]~") and public.suffix == ".docx"
    assert {f.recognizer for f in found} == {"ValueFoundInFile"}


def test_a_lone_lower_case_word_the_model_calls_a_name_is_kept():
    public, found = redact_path(PurePosixPath("terkunci.docx"), NamesOf("terkunci"), {}, HASHER, HASHER.exact, style())
    assert public == PurePosixPath("terkunci.docx") and found == []


def test_names_that_redact_alike_stay_apart_and_keep_their_name_across_runs():
    detector = NamesOf("Siti", "Budi")
    a, _ = redact_path(PurePosixPath("Siti_laporan.pdf"), detector, {}, HASHER, HASHER.exact, style())
    b, _ = redact_path(PurePosixPath("Budi_laporan.pdf"), detector, {}, HASHER, HASHER.exact, style())
    again, _ = redact_path(PurePosixPath("Siti_laporan.pdf"), detector, {}, HASHER, HASHER.exact, style())
    assert a != b and a == again


def _report(name: str) -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), f"Laporan kunjungan untuk klien {name}, Jakarta.", fontsize=11)
    return doc.tobytes()


def test_published_name_and_manifest_hold_no_client_name(tmp_path, run_library):
    inbox = tmp_path / "inbox"
    (inbox / "Kasus Dewi Kartika").mkdir(parents=True)
    (inbox / "Kasus Dewi Kartika" / "dewi_kartika_laporan.pdf").write_bytes(_report("Dewi Kartika"))
    (inbox / "rekap_kegiatan.pdf").write_bytes(_report("Budi Santoso"))
    out = tmp_path / "out"
    manifest = run_library(inbox, out)
    published = sorted(p.relative_to(out / "redacted").as_posix() for p in (out / "redacted").rglob("*.pdf"))
    assert "rekap_kegiatan.pdf" in published  # a name without personal data is kept as it is
    assert len(published) == 2 and not any("dewi" in p.lower() or "kartika" in p.lower() for p in published)
    text = (out / "manifests" / "latest.json").read_text()
    assert "Dewi" not in text and "Kartika" not in text
    entry = next(f for f in manifest["files"] if f["input"] != "rekap_kegiatan.pdf")
    assert entry["input"].startswith("Kasus [NAMA]/") and entry["input_hmac"]
    assert any(f["location"] == "file_name" for f in entry["findings"])
    # Unchanged on the next run: recognised by the keyed hash of the original path.
    again = run_library(inbox, out)
    assert {f["status"] for f in again["files"]} == {"skipped"}


def test_names_kept_when_the_policy_says_so(tmp_path, run_library, secret_dir):
    policy = tmp_path / "keep.yaml"
    policy.write_text(f"version: 1\nsecret_file: {secret_dir / 'manifest.key'}\nredaction:\n  file_names: keep\n")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "dewi_kartika_laporan.pdf").write_bytes(_report("Dewi Kartika"))
    run_library(inbox, tmp_path / "out", load_config(policy))
    assert (tmp_path / "out" / "redacted" / "dewi_kartika_laporan.pdf").exists()


def test_never_two_inputs_to_one_output(tmp_path, run_library):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("needs LibreOffice")
    from scripts import make_docx_sample

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "X.docx").write_bytes(make_docx_sample.build())
    for target in ("odt", "rtf"):
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'p'}", "--headless", "--convert-to",
                        target, "--outdir", str(inbox), str(inbox / "X.docx")], check=True, capture_output=True,
                       timeout=180)
    (inbox / "Siti_laporan.pdf").write_bytes(_report("Siti Aminah"))
    (inbox / "Budi_laporan.pdf").write_bytes(_report("Budi Santoso"))
    out = tmp_path / "out"
    manifest = run_library(inbox, out)
    outputs = [f["output"] for f in manifest["files"]]
    assert len(manifest["files"]) == 5 and None not in outputs
    assert len(set(outputs)) == 5, outputs
    assert len(list((out / "redacted").rglob("*.*"))) + len(list((out / "review").rglob("*.*"))) == 5
    assert json.loads((out / "manifests" / "latest.json").read_text())["counts"]["files"] == 5
