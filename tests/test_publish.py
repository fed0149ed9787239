"""Publishing is atomic: the destination is absent, old, or complete."""

from __future__ import annotations

import os
import stat
from pathlib import PurePosixPath

import pytest

from tabir.redactors import publish
from tabir.redactors.publish import OutputLayout, atomic_write, publish_outcome


def test_atomic_write_replaces_whole_file(tmp_path):
    dest = tmp_path / "a" / "b.pdf"
    atomic_write(dest, b"old", tmp_path / ".work")
    atomic_write(dest, b"new content", tmp_path / ".work")
    assert dest.read_bytes() == b"new content"
    assert list((tmp_path / ".work").iterdir()) == []


def test_a_crash_during_write_leaves_the_old_file_and_no_partial(tmp_path, monkeypatch):
    dest = tmp_path / "out.pdf"
    atomic_write(dest, b"published before", tmp_path / ".work")

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(publish.os, "replace", crash)
    with pytest.raises(OSError):
        atomic_write(dest, b"half", tmp_path / ".work")
    assert dest.read_bytes() == b"published before"
    assert list((tmp_path / ".work").iterdir()) == []


def test_outcome_moves_between_folders(tmp_path):
    layout = OutputLayout(tmp_path)
    layout.prepare()
    rel = PurePosixPath("sub/x.pdf")
    publish_outcome(layout, rel, "redacted", b"ok")
    publish_outcome(layout, rel, "review", b"needs a look")
    assert not (layout.redacted / rel).exists()
    assert (layout.review / rel).read_bytes() == b"needs a look"
    publish_outcome(layout, rel, "failed", b"reason")
    assert (layout.failed / "sub" / "x.pdf.txt").exists() and not (layout.review / rel).exists()


def test_stale_temp_files_are_cleared(tmp_path):
    layout = OutputLayout(tmp_path)
    layout.work.mkdir(parents=True)
    (layout.work / "tabir-123.part").write_bytes(b"left by a crash")
    layout.prepare()
    assert list(layout.work.iterdir()) == []


def test_published_files_and_folders_are_readable_whatever_the_umask(tmp_path):
    old = os.umask(0o077)  # a strict service account
    try:
        layout = OutputLayout(tmp_path / "out")
        layout.prepare()
        dest = publish_outcome(layout, PurePosixPath("kasus/2026/laporan.pdf"), "redacted", b"%PDF-1.7")
    finally:
        os.umask(old)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o644
    for folder in (layout.redacted, layout.redacted / "kasus", layout.redacted / "kasus" / "2026"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o755
