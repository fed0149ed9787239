"""Which files in an inbox are inputs.

The inbox is a shared folder that many people write to, and Tabir publishes
what it reads: only regular files that really lie inside the inbox are taken.
A symlink (to a file or a folder), a fifo or a device is refused, never
followed; hidden names and the temp names of programs still writing are
skipped silently.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

TEMP_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".swp", "~")
TEMP_PREFIXES = (".", "~$", ".~lock")


@dataclass(frozen=True)
class Candidate:
    path: Path
    rel: PurePosixPath
    refused: str | None = None  # why it is not taken, for the manifest


def is_temporary_name(name: str) -> bool:
    lower = name.lower()
    return lower.startswith(TEMP_PREFIXES) or lower.endswith(TEMP_SUFFIXES)


def discover(inbox: Path) -> list[Candidate]:
    """Every input under `inbox`, recursively, sorted by relative path."""
    inbox = inbox.resolve()
    found: list[Candidate] = []
    for folder, dirnames, filenames in os.walk(inbox, followlinks=False):
        base = Path(folder)
        keep = []
        for name in sorted(dirnames):
            if is_temporary_name(name):
                continue
            if (base / name).is_symlink():
                found.append(_refused(inbox, base / name, "a symbolic link to a folder; links are never followed"))
                continue
            keep.append(name)
        dirnames[:] = keep
        for name in sorted(filenames):
            if is_temporary_name(name):
                continue
            path = base / name
            found.append(_check(inbox, path))
    return sorted(found, key=lambda c: str(c.rel))


def _check(inbox: Path, path: Path) -> Candidate:
    try:
        info = os.lstat(path)
    except OSError as exc:
        return _refused(inbox, path, f"cannot be read: {exc.strerror}")
    if stat.S_ISLNK(info.st_mode):
        return _refused(inbox, path, "a symbolic link; links are never followed")
    if not stat.S_ISREG(info.st_mode):
        return _refused(inbox, path, "not a regular file (a fifo, socket or device)")
    if inbox not in path.resolve().parents:
        return _refused(inbox, path, "resolves to a place outside the inbox")
    return Candidate(path, _rel(inbox, path))


def _refused(inbox: Path, path: Path, reason: str) -> Candidate:
    return Candidate(path, _rel(inbox, path), refused=reason)


def _rel(inbox: Path, path: Path) -> PurePosixPath:
    return PurePosixPath(path.relative_to(inbox).as_posix())


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """Read a file that must still be a regular file, without following a
    link that was swapped in after discovery. Reads at most max_bytes + 1."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("not a regular file")
        chunks = []
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
