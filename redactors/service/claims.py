"""Claiming inbox files by atomic rename, and returning abandoned claims.

A drain takes a file by renaming it from the inbox into its own claim folder,
INBOX/.tabir-claims/<host>~<pid>~<token>/<relative path>. rename() is atomic
on one file system, so when the watcher's drain and the nightly drain (or two
machines) reach for the same file, exactly one gets it; the other sees it gone
and moves on. The claim folder lies inside the inbox so that the rename never
crosses file systems, and its hidden name keeps discovery out of it.

A claim folder carries owner.json (host, pid, the process's start time, run
id), renewed while the drain runs. At start-up a drain returns every claim
whose owner is gone (same host: that process no longer exists; another host:
the lease was not renewed for claim_lease_seconds) to the inbox, so a crash at
any moment leaves each input either claimed by a live drain or back in the
inbox, never lost.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import stat
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..inbox import Candidate

CLAIMS_DIRNAME = ".tabir-claims"
OWNER_FILE = "owner.json"

# Owners (claim folders) of drains running in this process. A folder of this
# process that is not among them was left by an earlier drain that failed
# half-way (a full disk, say): it is returned like a dead process's.
_ACTIVE_OWNERS: set[str] = set()


@dataclass(frozen=True)
class Claim:
    rel: PurePosixPath
    path: Path  # where the claimed file lies now
    size: int
    mtime_ns: int

    def changed(self) -> bool:
        """True when the file was still being written after it was claimed
        (a writer keeps its open handle across our rename)."""
        try:
            info = os.lstat(self.path)
        except OSError:
            return True
        return info.st_size != self.size or info.st_mtime_ns != self.mtime_ns


@dataclass(frozen=True)
class ReturnedClaims:
    owner: dict
    returned: list[str]  # inbox-relative names put back


def process_start_time(pid: int) -> str | None:
    """The kernel's start time of process `pid` (guards against pid reuse)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()[19]


def process_alive(pid: int, start_time: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    current = process_start_time(pid)
    return current is None or start_time is None or current == start_time


class ClaimArea:
    def __init__(self, inbox: Path, lease_seconds: float, run_id: str):
        self.inbox = inbox.resolve()
        self.root = self.inbox / CLAIMS_DIRNAME
        self.lease_seconds = lease_seconds
        self.run_id = run_id
        self.host = socket.gethostname()
        self.owner_name = f"{self.host}~{os.getpid()}~{secrets.token_hex(4)}"
        self.owner_dir = self.root / self.owner_name
        self._ensure_root()
        _ACTIVE_OWNERS.add(self.owner_name)

    def _ensure_root(self) -> None:
        try:
            info = os.lstat(self.root)
        except FileNotFoundError:
            os.mkdir(self.root, 0o700)
            return
        if not stat.S_ISDIR(info.st_mode):
            # Someone put a link or a file there: claims would be moved to a
            # place of their choosing. Refuse rather than follow it.
            raise RuntimeError(f"{self.root}: the claim folder is not a plain folder (a link?); remove it")

    def _write_owner(self) -> None:
        record = {
            "host": self.host,
            "pid": os.getpid(),
            "pid_start": process_start_time(os.getpid()),
            "run_id": self.run_id,
            "claimed_since": time.time(),
        }
        tmp = self.owner_dir / (OWNER_FILE + ".tmp")
        tmp.write_text(json.dumps(record))
        os.replace(tmp, self.owner_dir / OWNER_FILE)

    def claim(self, candidate: Candidate) -> Claim | None:
        """Take `candidate` from the inbox; None when another drain took it
        first (or it disappeared)."""
        if not self.owner_dir.exists():
            os.mkdir(self.owner_dir, 0o700)
            self._write_owner()
        dest = self.owner_dir / Path(*candidate.rel.parts)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(candidate.path, dest)
        except FileNotFoundError:
            return None
        info = os.lstat(dest)
        return Claim(candidate.rel, dest, info.st_size, info.st_mtime_ns)

    def release(self, claim: Claim) -> str:
        """Put a claimed file back into the inbox (it was still changing)."""
        name = _return_to_inbox(self.inbox, claim.path, claim.rel)
        self._prune(claim.path.parent)
        return name

    def finished(self, claim: Claim) -> None:
        """The claimed file has been moved to the archive: tidy its folders."""
        self._prune(claim.path.parent)

    def renew(self) -> None:
        """Show other machines that this owner is alive."""
        if self.owner_dir.exists():
            os.utime(self.owner_dir / OWNER_FILE)

    def close(self) -> None:
        """Remove this owner's folder when nothing is left in it."""
        _ACTIVE_OWNERS.discard(self.owner_name)
        if not self.owner_dir.exists():
            return
        leftovers = [p for p in self.owner_dir.rglob("*") if not p.is_dir() and p.name != OWNER_FILE]
        if leftovers:
            return  # still holds claims: the next start-up returns them
        (self.owner_dir / OWNER_FILE).unlink(missing_ok=True)
        self._prune_dirs(self.owner_dir)

    def recover(self) -> list[ReturnedClaims]:
        """Return to the inbox the claims of every owner that is gone."""
        recovered = []
        for owner_dir in sorted(self.root.iterdir()):
            if owner_dir.name == self.owner_name:
                continue
            if not _plain_dir(owner_dir):
                # Not a claim: something put here by hand. Back to the inbox,
                # where it is taken (or refused) like any other drop.
                name = _return_to_inbox(self.inbox, owner_dir, PurePosixPath(owner_dir.name))
                recovered.append(ReturnedClaims({}, [name]))
                continue
            owner = _read_owner(owner_dir)
            if not self._abandoned(owner_dir, owner):
                continue
            returned = []
            for path in sorted(_files_under(owner_dir)):
                if path.parent == owner_dir and path.name.startswith(OWNER_FILE):
                    continue
                rel = PurePosixPath(path.relative_to(owner_dir).as_posix())
                returned.append(_return_to_inbox(self.inbox, path, rel))
            for stray in (OWNER_FILE, OWNER_FILE + ".tmp"):
                (owner_dir / stray).unlink(missing_ok=True)
            self._prune_dirs(owner_dir)
            recovered.append(ReturnedClaims(owner, returned))
        return recovered

    def _abandoned(self, owner_dir: Path, owner: dict) -> bool:
        if owner.get("host") == self.host and owner.get("pid") == os.getpid():
            return owner_dir.name not in _ACTIVE_OWNERS
        if owner.get("host") == self.host and isinstance(owner.get("pid"), int):
            return not process_alive(owner["pid"], owner.get("pid_start"))
        try:
            renewed = os.lstat(owner_dir / OWNER_FILE).st_mtime
        except OSError:
            renewed = os.lstat(owner_dir).st_mtime
        return time.time() - renewed > self.lease_seconds

    def _prune(self, folder: Path) -> None:
        """Remove empty folders from `folder` up to (not including) the owner folder."""
        while folder != self.owner_dir and self.owner_dir in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    @staticmethod
    def _prune_dirs(top: Path) -> None:
        for folder in sorted((p for p in top.rglob("*") if _plain_dir(p)), key=lambda p: -len(p.parts)):
            try:
                folder.rmdir()
            except OSError:
                pass
        try:
            top.rmdir()
        except OSError:
            pass


def _plain_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _files_under(top: Path) -> list[Path]:
    found = []
    for folder, dirnames, filenames in os.walk(top, followlinks=False):
        base = Path(folder)
        found.extend(base / name for name in filenames)
        # A link to a folder is listed as a dir by walk but not entered: move it back as it is.
        found.extend(base / name for name in dirnames if (base / name).is_symlink())
    return found


def _read_owner(owner_dir: Path) -> dict:
    try:
        data = json.loads((owner_dir / OWNER_FILE).read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _return_to_inbox(inbox: Path, path: Path, rel: PurePosixPath) -> str:
    """Move `path` back to INBOX/rel; if a new file took that name meanwhile,
    keep both: the returned one gets " (returned N)" before its suffix."""
    dest = inbox / Path(*rel.parts)
    dest.parent.mkdir(parents=True, exist_ok=True)
    n = 1
    while not _move_no_replace(path, dest):
        dest = dest.with_name(f"{Path(rel.name).stem} (returned {n}){Path(rel.name).suffix}")
        n += 1
    return dest.relative_to(inbox).as_posix()


def _move_no_replace(src: Path, dest: Path) -> bool:
    """Rename without overwriting a file someone just dropped: link() fails
    if `dest` exists, where rename() would replace it. False if taken."""
    try:
        os.link(src, dest, follow_symlinks=False)
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links (some shares)
        if os.path.lexists(dest):
            return False
        os.rename(src, dest)
        return True
    os.unlink(src)
    return True
