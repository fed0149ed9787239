"""The archive of originals: moved there only after their outcome is
durably written, private to the service account, pruned after retention.

ARCHIVE/<YYYY-MM-DD>/<relative path>; a second original under the same name
on the same day gets "~<first 8 hex of its sha256>" before its suffix."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import time
from datetime import date, timedelta
from pathlib import Path, PurePosixPath

from ..publish import fsync_dir
from .safety import private_folder


def archive_original(archive_root: Path, path: Path, rel: PurePosixPath, sha256: str | None,
                     today: date | None = None) -> Path | None:
    """Move the original at `path` into the archive; returns where it went
    (None when an identical copy was already archived today)."""
    today = today or date.today()
    private_folder(archive_root)
    day = private_folder(archive_root / today.isoformat())
    dest = day / Path(*rel.parts)
    if os.path.lexists(dest):
        if sha256 is not None and _same_file_hash(dest, sha256):
            path.unlink()
            return None
        tag = (sha256 or f"{time.time_ns():x}")[:8]
        dest = dest.with_name(f"{dest.stem}~{tag}{dest.suffix}")
    private_folder(dest.parent)
    durable_move(path, dest)
    if not os.path.islink(dest):
        os.chmod(dest, 0o600)
    return dest


def durable_move(src: Path, dest: Path) -> None:
    """Move `src` to `dest` so that at every moment at least one complete copy
    exists on disk: rename when both are on one file system, else copy to a
    temp name, fsync, rename, and only then delete the source."""
    try:
        os.rename(src, dest)
    except OSError as exc:
        if exc.errno != errno.EXDEV:  # not another file system
            raise
        tmp = dest.with_name(dest.name + ".part")
        with open(src, "rb") as reader, open(tmp, "wb") as writer:
            shutil.copyfileobj(reader, writer, 1 << 20)
            writer.flush()
            os.fsync(writer.fileno())
        os.rename(tmp, dest)
        fsync_dir(dest.parent)
        os.unlink(src)
        fsync_dir(src.parent)
        return
    fsync_dir(dest.parent)
    fsync_dir(src.parent)


def prune_archive(archive_root: Path, retention_days: float, today: date | None = None) -> list[str]:
    """Delete day folders older than the retention; returns their names."""
    if not archive_root.is_dir():
        return []
    today = today or date.today()
    oldest_kept = today - timedelta(days=retention_days)
    removed = []
    for day in sorted(archive_root.iterdir()):
        try:
            day_date = date.fromisoformat(day.name)
        except ValueError:
            continue  # not ours: leave it
        if day_date < oldest_kept and day.is_dir() and not day.is_symlink():
            shutil.rmtree(day)
            removed.append(day.name)
    return removed


def prune_old_files(folder: Path, retention_days: float) -> int:
    """Delete plain files in `folder` not modified within the retention (the
    redaction cache: it holds review outputs too, which must not pile up)."""
    if not folder.is_dir():
        return 0
    cutoff = time.time() - retention_days * 86400
    removed = 0
    for entry in os.scandir(folder):
        if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
            os.unlink(entry.path)
            removed += 1
    return removed


def _same_file_hash(path: Path, sha256: str) -> bool:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == sha256
