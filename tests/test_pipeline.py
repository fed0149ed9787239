"""A run over an inbox: outcomes land in the right folders, bad inputs fail
with a reason while good ones are still redacted, nothing unverified is
published, the manifest validates and never holds a redacted value."""

from __future__ import annotations

import io
import json
import os

import pymupdf
import pytest

from tabir.redactors.manifest import validate_manifest
from tabir.redactors.secret import ValueHasher
from scripts import make_sample_data as samples

from .conftest import PLANTED
from .pdf_inspect import all_text, contains, raw_objects


def add_bad_inputs(inbox):
    (inbox / "rusak.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R" + os.urandom(300))
    (inbox / "kosong.pdf").write_bytes(b"")
    (inbox / "catatan.xyz").write_bytes(b"Siti Aminah 1671055203120002")
    locked = pymupdf.open()
    locked.new_page().insert_text((72, 72), "Siti Aminah", fontname="helv")
    (inbox / "terkunci.pdf").write_bytes(
        locked.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="rahasia", owner_pw="rahasia")
    )
    # A carrier no reader knows: a private key in the page tree's root that
    # repeats a value found on the page (a page's and the catalog's own
    # unknown keys are dropped by their allowlists; the redaction rewrites
    # fonts and content streams). Verification finds it in the object's
    # source: the file must go to review.
    unknown = pymupdf.open()
    page = unknown.new_page()
    page.insert_text((72, 100), "Contact john.doe@example.com", fontname="helv", fontsize=11)
    pages = int(unknown.xref_get_key(page.xref, "Parent")[1].split()[0])
    unknown.xref_set_key(pages, "TabirPrivateNote", "(john.doe@example.com)")
    (inbox / "kunci_tak_dikenal.pdf").write_bytes(unknown.tobytes())


def by_input(manifest):
    return {f["input"]: f for f in manifest["files"]}


def test_good_files_are_redacted_and_bad_ones_fail_with_a_reason(inbox, tmp_path, run_library):
    add_bad_inputs(inbox)
    out = tmp_path / "out"
    manifest = run_library(inbox, out)
    files = by_input(manifest)

    for name in ("laporan_kasus_anak.pdf", "surat_rujukan_tersembunyi.pdf", "english_memo.pdf"):
        assert files[name]["status"] == "redacted", files[name]["reason"]
        published = (out / "redacted" / name).read_bytes()
        for value in PLANTED:
            assert not contains(all_text(published), value)
            assert not contains(raw_objects(published), value)

    expected = {"rusak.pdf": "corrupt", "kosong.pdf": "empty", "catatan.xyz": "unsupported", "terkunci.pdf": "encrypted"}
    for name, code in expected.items():
        entry = files[name]
        assert entry["status"] == "failed" and entry["reason_code"] == code, entry
        reason_file = out / "failed" / f"{name}.txt"
        assert code in reason_file.read_text() and entry["reason"] in reason_file.read_text()
        assert not (out / "redacted" / name).exists()

    assert files["terkunci.pdf"]["reason"].startswith("the PDF is password-protected")
    assert manifest["counts"]["failed"] == 4


def test_an_output_that_fails_verification_goes_to_review_never_to_redacted(inbox, tmp_path, run_library):
    add_bad_inputs(inbox)
    out = tmp_path / "out"
    manifest = run_library(inbox, out)
    entry = by_input(manifest)["kunci_tak_dikenal.pdf"]
    assert entry["status"] == "review"
    assert entry["reason_code"] == "verification" and "still present" in entry["reason"]
    assert (out / "review" / "kunci_tak_dikenal.pdf").exists()
    assert not (out / "redacted" / "kunci_tak_dikenal.pdf").exists()
    assert entry["output"] == "review/kunci_tak_dikenal.pdf"


def test_nothing_but_verified_outputs_in_redacted(inbox, tmp_path, run_library):
    add_bad_inputs(inbox)
    out = tmp_path / "out"
    manifest = run_library(inbox, out)
    published = sorted(p.relative_to(out / "redacted").as_posix() for p in (out / "redacted").rglob("*") if p.is_file())
    redacted = sorted(f["input"] for f in manifest["files"] if f["status"] == "redacted")
    assert published == redacted
    assert not list((out / ".work").iterdir())


def test_manifest_validates_and_holds_no_planted_value(inbox, tmp_path, run_library, config):
    add_bad_inputs(inbox)
    out = tmp_path / "out"
    manifest = run_library(inbox, out)
    on_disk = (out / "manifests" / f"{manifest['run_id']}.json").read_text()
    validate_manifest(json.loads(on_disk))
    assert json.loads((out / "manifests" / "latest.json").read_text()) == json.loads(on_disk)
    for value in PLANTED:
        assert value.casefold() not in on_disk.casefold(), value

    # The keyed hash lets an auditor with the key confirm a value was removed.
    hasher = ValueHasher(config.secret_file.read_bytes())
    report = by_input(manifest)["laporan_kasus_anak.pdf"]
    hashes = {f["value_hmac"] for f in report["findings"]}
    assert hasher(samples.CLIENT["nik"]) in hashes
    assert hasher(samples.CLIENT["name"]) in hashes
    finding = next(f for f in report["findings"] if f["value_hmac"] == hasher(samples.CLIENT["nik"]))
    assert finding["page"] == 1 and len(finding["bbox"]) == 4 and finding["recognizer"]
    assert report["input_sha256"] != report["output_sha256"]
    assert manifest["counts"]["findings_by_type"]["PERSON"] >= 1


def test_broken_manifest_is_rejected_by_the_schema(inbox, tmp_path, run_library):
    manifest = run_library(inbox, tmp_path / "out")
    import jsonschema

    manifest["files"][0]["findings"].append({"entity_type": "PERSON", "value": "Siti Aminah"})
    with pytest.raises(jsonschema.ValidationError, match="value"):
        validate_manifest(manifest)


def test_rerun_skips_unchanged_files_and_redoes_changed_ones(inbox, tmp_path, run_library):
    out = tmp_path / "out"
    first = run_library(inbox, out)
    assert first["counts"]["redacted"] == 3
    (inbox / "english_memo.pdf").write_bytes(samples.english_memo_pdf().replace(b"weekly", b"monthly"))
    second = by_input(run_library(inbox, out))
    assert second["english_memo.pdf"]["status"] == "redacted"
    assert second["laporan_kasus_anak.pdf"]["status"] == "skipped"
    assert second["laporan_kasus_anak.pdf"]["output_sha256"] == by_input(first)["laporan_kasus_anak.pdf"]["output_sha256"]


def test_a_file_fixed_since_the_last_run_leaves_failed(inbox, tmp_path, run_library):
    out = tmp_path / "out"
    (inbox / "kosong.pdf").write_bytes(b"")
    run_library(inbox, out)
    assert (out / "failed" / "kosong.pdf.txt").exists()
    (inbox / "kosong.pdf").write_bytes(samples.english_memo_pdf())
    manifest = run_library(inbox, out)
    assert by_input(manifest)["kosong.pdf"]["status"] == "redacted"
    assert not (out / "failed" / "kosong.pdf.txt").exists()


def test_too_large_input_fails(inbox, tmp_path, run_library, secret_dir):
    from tabir.redactors.config import load_config

    policy = tmp_path / "small.yaml"
    policy.write_text(f"version: 1\nlimits:\n  max_file_mb: 0.002\nsecret_file: {secret_dir / 'manifest.key'}\n")
    manifest = run_library(inbox, tmp_path / "out", load_config(policy))
    big = by_input(manifest)["laporan_kasus_anak.pdf"]
    assert big["status"] == "failed" and big["reason_code"] == "too_large"


def test_the_inbox_is_never_modified(inbox, tmp_path, run_library):
    add_bad_inputs(inbox)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in inbox.rglob("*")}
    run_library(inbox, tmp_path / "out")
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in inbox.rglob("*")}
    assert before == after


def test_a_symlink_to_a_file_elsewhere_is_never_published(inbox, tmp_path, run_library):
    elsewhere = tmp_path / "private.pdf"
    elsewhere.write_bytes(samples.english_memo_pdf())
    os.symlink(elsewhere, inbox / "tautan.pdf")
    out = tmp_path / "out"
    entry = by_input(run_library(inbox, out))["tautan.pdf"]
    assert entry["status"] == "failed" and entry["reason_code"] == "refused"
    assert not (out / "redacted" / "tautan.pdf").exists()


def pdf_with_picture(rgb, text: str | None = "Foto kegiatan pendampingan.", full_page: bool = False) -> bytes:
    import cv2

    doc = pymupdf.open()
    page = doc.new_page()
    if text:
        page.insert_text((72, 72), text, fontname="helv")
    png = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))[1].tobytes()
    page.insert_image(page.rect if full_page else pymupdf.Rect(72, 100, 328, 356), stream=png)
    return doc.tobytes()


def test_faces_in_pdf_pictures_are_covered(tmp_path, run_library):
    import numpy as np
    import skimage.data

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "foto.pdf").write_bytes(pdf_with_picture(skimage.data.astronaut()))
    out = tmp_path / "out"
    entry = by_input(run_library(inbox, out))["foto.pdf"]
    assert entry["status"] == "redacted", entry["reason"]
    faces = [f for f in entry["findings"] if f["entity_type"] == "FACE"]
    assert len(faces) == 1 and faces[0]["page"] == 1
    with pymupdf.open(out / "redacted" / "foto.pdf") as doc:
        xref = doc[0].get_images()[0][0]
        pix = pymupdf.Pixmap(doc, xref)
        pixels = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)
    x0, y0, x1, y1 = (int(v) for v in faces[0]["bbox"])
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    assert pixels[cy - 10:cy + 10, cx - 10:cx + 10, :3].max() < 40
    assert "Foto kegiatan pendampingan." in all_text((out / "redacted" / "foto.pdf").read_bytes())


def test_a_face_thumbnail_under_120_px_is_covered_too(tmp_path, run_library):
    """A client's photo as a 96 px thumbnail in a case form: small, not an
    icon (pictures under 120 px used to be skipped and published as they
    were). Checked where the face is in the thumbnail, not where our
    detector says."""
    import cv2
    import numpy as np
    import skimage.data

    thumbnail = cv2.resize(skimage.data.astronaut(), (96, 96), interpolation=cv2.INTER_AREA)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "formulir.pdf").write_bytes(pdf_with_picture(thumbnail))
    out = tmp_path / "out"
    entry = by_input(run_library(inbox, out))["formulir.pdf"]
    assert entry["status"] == "redacted", entry["reason"]
    assert "FACE" in [f["entity_type"] for f in entry["findings"]]
    with pymupdf.open(out / "redacted" / "formulir.pdf") as doc:
        xref = doc[0].get_images()[0][0]
        pix = pymupdf.Pixmap(doc, xref)
        pixels = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)
    assert (pix.width, pix.height) == (96, 96)
    # The astronaut's face: x 182-270, y 58-178 of 512 px, so 34-50, 11-33 here.
    assert pixels[14:30, 36:48, :3].max() < 40


@pytest.mark.parametrize("colours", ["grey", "cmyk"])
def test_grey_and_cmyk_pictures_are_checked_and_published(tmp_path, run_library, colours):
    """A black-and-white photo (a grey JPEG, as LibreOffice writes one) or a
    print-ready CMYK picture: its face is covered and the file published
    (they could not be converted to be checked, and went to review)."""
    import numpy as np
    import skimage.data
    from PIL import Image

    photo = Image.fromarray(skimage.data.astronaut()).convert("L" if colours == "grey" else "CMYK")
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=92)
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Foto kegiatan pendampingan.", fontname="helv")
    page.insert_image(pymupdf.Rect(72, 100, 328, 356), stream=buffer.getvalue())
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "foto.pdf").write_bytes(doc.tobytes())
    out = tmp_path / "out"
    entry = by_input(run_library(inbox, out))["foto.pdf"]
    assert entry["status"] == "redacted", entry["reason"]
    assert "FACE" in [f["entity_type"] for f in entry["findings"]]
    with pymupdf.open(out / "redacted" / "foto.pdf") as doc:
        pix = pymupdf.Pixmap(doc, doc[0].get_images()[0][0])
        rgb = pymupdf.Pixmap(pymupdf.csRGB, pix) if pix.colorspace.n != 3 else pix
        pixels = np.frombuffer(rgb.samples, np.uint8).reshape(rgb.height, rgb.width, rgb.n)
    assert pixels[80:160, 200:250, :3].max() < 60  # where the face is (x 182-270, y 58-178)


def test_a_scanned_page_is_redacted_as_pixels_with_no_text_layer(tmp_path, run_library):
    import cv2
    import numpy as np
    from tabir.redactors.pixels.ocr import read_words

    card = np.full((1100, 850, 3), 245, np.uint8)
    for i, line in enumerate(["SURAT KETERANGAN", "NIK : 3174055203900002", "Nama : SITI AMINAH", "Keperluan: beasiswa"]):
        cv2.putText(card, line, (40, 120 + i * 90), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (15, 15, 15), 3)
    source = pdf_with_picture(card, text=None, full_page=True)
    # the scan also carries an invisible OCR layer with the same words
    with pymupdf.open(stream=source) as doc:
        doc[0].insert_text((40, 80), "NIK 3174055203900002 SITI AMINAH", fontname="helv", render_mode=3)
        source = doc.tobytes()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "scan.pdf").write_bytes(source)
    out = tmp_path / "out"
    entry = by_input(run_library(inbox, out))["scan.pdf"]
    assert entry["status"] == "redacted", entry["reason"]
    published = (out / "redacted" / "scan.pdf").read_bytes()
    assert "3174055203900002" not in all_text(published) and "AMINAH" not in all_text(published).upper()
    assert not contains(raw_objects(published), "3174055203900002")
    with pymupdf.open(stream=published) as doc:
        pix = doc[0].get_pixmap(dpi=150)
        bgr = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, 2::-1].copy()
    seen = read_words(bgr).text
    assert "3174055203900002" not in seen.replace(" ", "") and "AMINAH" not in seen.upper()
    assert "KETERANGAN" in seen.upper()


def test_a_multi_page_tiff_with_faces_gets_a_valid_manifest(tmp_path, run_library):
    """Each frame's findings carry the frame as their page and the location
    "image": a free string ("frame 2") once broke the whole run's manifest."""
    import io

    from PIL import Image

    from tabir.redactors.manifest import validate_manifest
    from scripts import make_sample_data as samples

    photo = Image.open(io.BytesIO(samples.photo_jpeg())).convert("RGB")
    scan = io.BytesIO()
    photo.save(scan, "TIFF", save_all=True, append_images=[photo.copy()])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "two-pages.tiff").write_bytes(scan.getvalue())
    manifest = run_library(inbox, tmp_path / "out")
    validate_manifest(manifest)
    entry = manifest["files"][0]
    assert entry["status"] == "redacted", entry["reason"]
    faces = [f for f in entry["findings"] if f["entity_type"] == "FACE"]
    assert {f["page"] for f in faces} == {1, 2} and {f["location"] for f in faces} == {"image"}


def test_finding_locations_are_the_schemas():
    import json

    from tabir.redactors.config import CONFIG_DIR
    from tabir.redactors.model import Finding, Location

    schema = json.loads((CONFIG_DIR / "manifest.schema.json").read_text())
    listed = schema["$defs"]["finding"]["properties"]["location"]["enum"] if "$defs" in schema else None
    assert listed is not None and sorted(listed) == sorted(v.value for v in Location)
    with pytest.raises(ValueError):
        Finding("FACE", "", 1.0, "x", "frame 2")


def test_an_identical_output_is_skipped_only_when_it_is_verified(tmp_path, config):
    """Published again with the same bytes: a verified copy in redacted/ is
    nothing to do; an output that needs review stays reported as review."""
    import dataclasses
    import hashlib
    from pathlib import PurePosixPath

    from tabir.redactors.manifest import FileRecord
    from tabir.redactors.pipeline import Outcome, Pipeline

    pipeline = Pipeline(config, tmp_path / "out")
    pipeline.config = dataclasses.replace(config, redaction=dataclasses.replace(config.redaction, file_names="keep"))
    data = b"%PDF-1.7 stand-in output"

    def outcome(status: str) -> Outcome:
        return Outcome(FileRecord(input="x", status=status, output_sha256=hashlib.sha256(data).hexdigest()), data)

    for status, again in (("redacted", "skipped"), ("review", "review")):
        rel = PurePosixPath(f"{status}.pdf")
        assert pipeline.publish(rel, outcome(status)).status == status
        second = pipeline.publish(rel, outcome(status))
        assert (second.status, second.output) == (again, f"{status}/{status}.pdf")
        assert (tmp_path / "out" / status / f"{status}.pdf").read_bytes() == data


@pytest.mark.slow
def test_the_shipped_sample_data_is_published_whole_under_its_own_names_with_the_default_policy(tmp_path, run_library):
    """`make run` as a new user sees it: every sample file redacted, none to
    review or failed, and no file name changed (none holds a name). A
    title "Rujukan Siti Aminah" once made "rujukan" a name part, and the
    published file became surat_[NAMA]_tersembunyi~....pdf."""
    import dataclasses
    from pathlib import Path

    from tabir.redactors.config import load_config

    sample_data = Path(__file__).resolve().parent.parent / "sample_data"
    config = load_config()
    config = dataclasses.replace(config, secret_file=tmp_path / "secret.key")
    manifest = run_library(sample_data, tmp_path / "out", config)
    # The manifest names an input by its redacted name too: compare with the folder.
    assert {f["status"] for f in manifest["files"]} == {"redacted"}, manifest["files"]
    published = sorted(p.name for p in (tmp_path / "out" / "redacted").iterdir())
    assert published == sorted(p.name for p in sample_data.iterdir() if p.is_file())
