"""The drain flow on Prefect (the session's test harness): the redaction
task is cached on content + policy, so the same content is not redacted
twice and a changed policy redacts again."""

from __future__ import annotations

import pytest

from tabir.flows import drain as drain_flow
from tabir.redactors.service.drain import Drainer

from .service_helpers import CLIENT_NAME, drop, pdf_text, unique_pdf, write_policy

pytestmark = pytest.mark.slow


def test_same_content_is_redacted_once_and_a_new_policy_redacts_again(
        prefect_api, tmp_path, secret_dir, monkeypatch):
    policy = write_policy(tmp_path, secret_file=secret_dir / "manifest.key")
    redactions: list[str] = []
    real = Drainer.redact_direct

    def counting(self, claimed):
        redactions.append(str(claimed.rel))
        return real(self, claimed)

    monkeypatch.setattr(Drainer, "redact_direct", counting)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    report = unique_pdf(7)

    drop(inbox, "report.pdf", report, age=5)
    first = drain_flow.drain_inbox(str(policy))
    assert [f["status"] for f in first["files"]] == ["redacted"]
    published = out / "redacted" / "report.pdf"
    assert CLIENT_NAME not in pdf_text(published)

    # The same content again, under the same name and under a new one.
    drop(inbox, "report.pdf", report, age=5)
    drop(inbox, "copy of report.pdf", report, age=5)
    second = drain_flow.drain_inbox(str(policy))
    statuses = {f["input"]: f["status"] for f in second["files"]}
    assert statuses == {"report.pdf": "skipped", "copy of report.pdf": "redacted"}
    assert redactions == ["report.pdf"]  # the cache answered both
    assert (out / "redacted" / "copy of report.pdf").read_bytes() == published.read_bytes()

    # A changed policy (labels instead of boxes) is a new cache key.
    policy.write_text(policy.read_text().replace("style: label", "style: box"))
    drop(inbox, "report.pdf", report, age=5)
    third = drain_flow.drain_inbox(str(policy))
    assert [f["status"] for f in third["files"]] == ["redacted"]
    assert redactions == ["report.pdf", "report.pdf"]
    assert CLIENT_NAME not in pdf_text(published)


def test_a_failure_is_not_cached(prefect_api, tmp_path, secret_dir, monkeypatch):
    """LibreOffice installed after a .rtf failed: the same file dropped again
    is converted and redacted, not failed again from the cache."""
    import shutil

    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice is needed for this test: run `make test` (it installs libreoffice-writer-nogui)")
    policy = write_policy(tmp_path, secret_file=secret_dir / "manifest.key")
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    rtf = b"{\\rtf1\\ansi Klien bernama " + CLIENT_NAME.encode() + b" tinggal di Palembang.\\par}"

    monkeypatch.setattr("tabir.redactors.formats.convert.find_soffice", lambda: None)
    drop(inbox, "catatan.rtf", rtf, age=5)
    first = drain_flow.drain_inbox(str(policy))
    assert [(f["status"], "LibreOffice" in f["reason"]) for f in first["files"]] == [("failed", True)]

    monkeypatch.undo()
    drop(inbox, "catatan.rtf", rtf, age=5)
    second = drain_flow.drain_inbox(str(policy))
    assert [f["status"] for f in second["files"]] == ["redacted"], second["files"]
    assert (out / "redacted" / "catatan.rtf.docx").exists() and not (out / "failed" / "catatan.rtf.txt").exists()


def test_an_edited_configuration_takes_effect_without_a_restart(tmp_path, secret_dir):
    policy = write_policy(tmp_path, secret_file=secret_dir / "manifest.key", quiet_seconds=2)
    key, first = drain_flow.prepare(str(policy), None, None, None)
    assert first.settings.quiet_seconds == 2
    write_policy(tmp_path, secret_file=secret_dir / "manifest.key", quiet_seconds=7)
    key2, second = drain_flow.prepare(str(policy), None, None, None)
    assert second.settings.quiet_seconds == 7 and key2 != key
    assert key not in drain_flow._DRAINERS  # the old one (and its detector) is let go
    assert drain_flow.prepare(str(policy), None, None, None)[1] is second


def test_the_drain_redacts_in_worker_processes_and_publishes_in_claim_order(
        prefect_api, tmp_path, secret_dir):
    """Two workers: every claimed file redacted, published, journaled and
    archived as with one process, in the order claimed; the same content
    dropped again comes from the cache and is named by this process."""
    policy = write_policy(tmp_path, secret_file=secret_dir / "manifest.key", workers=2)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    names = [f"kunjungan_{i}.pdf" for i in range(5)]
    for age, name in zip(range(50, 0, -10), names):  # claimed oldest first
        drop(inbox, name, unique_pdf(100 + len(name) + age), age=age)
    key, drainer = drain_flow.prepare(str(policy), None, None, None)
    assert drainer.workers is not None and drainer.in_flight() == 4
    try:
        first = drain_flow.drain_inbox(str(policy))
        assert [(f["input"], f["status"]) for f in first["files"]] == [(n, "redacted") for n in names]
        for name in names:
            assert CLIENT_NAME not in pdf_text(out / "redacted" / name)
        assert sorted(p.name for p in (tmp_path / "archive").rglob("*.pdf")) == names
        assert drainer.workers.restarts == 0

        drop(inbox, "salinan.pdf", (tmp_path / "archive").rglob(names[0]).__next__().read_bytes(), age=5)
        second = drain_flow.drain_inbox(str(policy))
        assert [(f["input"], f["status"]) for f in second["files"]] == [("salinan.pdf", "redacted")]
        assert (out / "redacted" / "salinan.pdf").read_bytes() == (out / "redacted" / names[0]).read_bytes()
    finally:
        drainer.workers.close()
        drain_flow._DRAINERS.pop(key, None)
