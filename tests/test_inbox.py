"""Which files are taken from an inbox, and which are refused."""

from __future__ import annotations

import os
from pathlib import Path

from tabir.redactors.inbox import discover, read_regular_file


def names(candidates):
    return {str(c.rel): c.refused for c in candidates}


def test_hidden_and_temporary_names_are_skipped(tmp_path):
    for name in ("a.pdf", ".hidden.pdf", "b.pdf.part", "~$c.docx", ".~lock.d.odt#", "e.tmp", "f.pdf~"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.pdf").write_bytes(b"x")
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "deeper" / "g.pdf").write_bytes(b"x")
    assert names(discover(tmp_path)) == {"a.pdf": None, "sub/deeper/g.pdf": None}


def test_links_fifos_and_escapes_are_refused(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    secret = tmp_path / "elsewhere" / "secret.pdf"
    secret.parent.mkdir()
    secret.write_bytes(b"%PDF-1.7 private")
    os.symlink(secret, inbox / "link.pdf")
    os.symlink(secret.parent, inbox / "linked_folder")
    os.mkfifo(inbox / "pipe.pdf")
    (inbox / "ok.pdf").write_bytes(b"x")
    found = names(discover(inbox))
    assert found["ok.pdf"] is None
    assert "symbolic link" in found["link.pdf"]
    assert "symbolic link" in found["linked_folder"]
    assert "not a regular file" in found["pipe.pdf"]
    assert not any("secret.pdf" in k for k in found)


def test_unicode_spaces_and_dash_names_work(tmp_path):
    for name in ("laporan klien – Ibu.pdf", "-rf.pdf", "日本.pdf", "x" * 200 + ".pdf"):
        (tmp_path / name).write_bytes(b"x")
    assert all(refused is None for refused in names(discover(tmp_path)).values())
    assert len(discover(tmp_path)) == 4


def test_read_refuses_a_link_swapped_in_after_discovery(tmp_path):
    target = tmp_path / "t.pdf"
    target.write_bytes(b"data")
    link = tmp_path / "l.pdf"
    os.symlink(target, link)
    try:
        read_regular_file(link, 100)
    except OSError:
        pass
    else:
        raise AssertionError("a symlink was read")
    assert read_regular_file(Path(target), 100) == b"data"
