"""The output folder and how files land in it.

OUT/redacted/  verified, publication-safe copies (what publication teams read)
OUT/review/    outputs that failed verification: for a person, never published
OUT/failed/    <name>.txt with the reason an input could not be processed
OUT/manifests/ one JSON manifest per run, and latest.json
OUT/.work/     temporary files, on the same file system so renames are atomic

A file appears in redacted/ by one rename of a complete, fsynced file: a reader
never sees a partial file, and a crash leaves at most a stray temp file in
.work/, which is cleared at the next run.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class OutputLayout:
    root: Path

    @property
    def redacted(self) -> Path:
        return self.root / "redacted"

    @property
    def review(self) -> Path:
        return self.root / "review"

    @property
    def failed(self) -> Path:
        return self.root / "failed"

    @property
    def manifests(self) -> Path:
        return self.root / "manifests"

    @property
    def work(self) -> Path:
        return self.root / ".work"

    def prepare(self) -> None:
        for folder in (self.redacted, self.review, self.failed, self.manifests):
            make_readable_dirs(folder)
        self.work.mkdir(parents=True, exist_ok=True)
        for stale in self.work.glob("*.part"):
            stale.unlink(missing_ok=True)

    def destinations(self, rel: PurePosixPath, published_as: PurePosixPath | None = None) -> dict[str, Path]:
        """Where each outcome for input `rel` is written; `published_as` is the
        output's name when it differs (an .odt published as .docx)."""
        output = published_as or rel
        return {
            "redacted": self.redacted / output,
            "review": self.review / output,
            "failed": self.failed / rel.with_name(rel.name + ".txt"),
        }


def atomic_write(dest: Path, data: bytes, work_dir: Path, mode: int = 0o644) -> None:
    """Write `data` to `dest` so that `dest` is either absent, the old file,
    or the complete new one: temp file in work_dir, fsync, rename, fsync dir."""
    make_readable_dirs(dest.parent)
    work_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=work_dir, prefix="tabir-", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, dest)
        fsync_dir(dest.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def make_readable_dirs(folder: Path) -> None:
    """Create `folder` and its missing parents readable by everyone (0755),
    whatever the service's umask: publication teams must be able to walk to
    the 0644 files (a service run with UMask=0027 would make them 0750)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        created.mkdir(exist_ok=True)
        os.chmod(created, 0o755)


def publish_outcome(layout: OutputLayout, rel: PurePosixPath, status: str, data: bytes,
                    published_as: PurePosixPath | None = None) -> Path:
    """Write the outcome of one input and remove what earlier runs left for the
    same input under another status (a file that failed yesterday and is
    redacted today must not stay in failed/, and a copy that now needs review
    must not stay published)."""
    dest = layout.destinations(rel, published_as)[status]
    atomic_write(dest, data, layout.work)
    remove_other_outcomes(layout, rel, status, published_as)
    return dest


def remove_other_outcomes(layout: OutputLayout, rel: PurePosixPath, status: str,
                          published_as: PurePosixPath | None = None) -> None:
    """Remove what earlier runs left for input `rel` under another status."""
    for other, path in layout.destinations(rel, published_as).items():
        if other != status and path.exists():
            path.unlink()
            fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
