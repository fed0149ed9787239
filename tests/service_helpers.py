"""Shared by the service tests: a policy with a service section in a temp
folder, unique small PDFs, and checks on the folders."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pymupdf

from scripts import make_sample_data as samples

CLIENT_NAME = samples.CLIENT["name"]
CLIENT_NIK = samples.CLIENT["nik"]


def write_policy(root: Path, secret_file: Path | None = None, **service) -> Path:
    """A policy (the sample deny-list) with every service folder under `root`.
    Tests that share the session's secret file share its loaded detector (the
    policy hash leaves the service section out)."""
    settings = {
        "inbox": str(root / "inbox"), "out": str(root / "out"), "archive": str(root / "archive"),
        "data_dir": str(root / "data"), "quiet_seconds": 0.3, "rescan_seconds": 5,
        "server": {"port": 0},
    }
    settings.update(service)
    lines = ["service:"]
    for key, value in settings.items():
        lines.append(f"  {key}: {value if not isinstance(value, str) else repr(value)}")
    policy = root / "policy.yaml"
    policy.write_text(samples.sample_policy_yaml() + f"secret_file: '{secret_file or root / 'secret.key'}'\n" + "\n".join(lines) + "\n")
    policy.chmod(0o600)
    (root / "inbox").mkdir(exist_ok=True)
    return policy


def unique_pdf(index: int) -> bytes:
    """A one-page report naming the client, different for every index (so
    the redaction cache does not merge them)."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 90), f"Laporan kunjungan nomor {index}", fontsize=11)
    page.insert_text((72, 110), f"Klien bernama {CLIENT_NAME}, NIK {CLIENT_NIK}.", fontsize=11)
    page.insert_text((72, 130), f"Catatan {index}: kondisi rumah baik.", fontsize=11)
    data = doc.tobytes()
    doc.close()
    return data


def drop(inbox: Path, name: str, data: bytes, age: float = 0.0) -> Path:
    """Write a file the way a careful producer does (temp name, rename);
    `age` back-dates it (a file left from before)."""
    path = inbox / name
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("." + path.name + ".part")
    tmp.write_bytes(data)
    if age:
        past = time.time() - age
        os.utime(tmp, (past, past))
    os.replace(tmp, path)
    return path


def pdf_text(path: Path) -> str:
    with pymupdf.open(path) as doc:
        return "".join(page.get_text() for page in doc)


def files_under(folder: Path) -> list[str]:
    if not folder.exists():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink())
