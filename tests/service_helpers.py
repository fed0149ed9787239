"""Shared by the service tests: a policy with a service section in a temp
folder, unique small PDFs, and checks on the folders."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pymupdf

from scripts import make_sample_data as samples

CLIENT_NAME = samples.CLIENT["name"]
CLIENT_NIK = samples.CLIENT["nik"]


def write_policy(root: Path, secret_file: Path | None = None, workers: int = 1, **service) -> Path:
    """A policy (the sample deny-list) with every service folder under `root`.
    Tests that share the session's secret file share its loaded detector (the
    policy hash leaves the service section out). `workers`: the drain's
    worker processes (1: it redacts in the test's process, with the shared
    detector; tests/test_service_flow.py tests more)."""
    settings = {
        "inbox": str(root / "inbox"), "out": str(root / "out"), "archive": str(root / "archive"),
        "data_dir": str(root / "data"), "quiet_seconds": 0.3, "rescan_seconds": 5,
        "server": {"port": 0},
    }
    settings.update(service)
    lines = ["service:"]
    for key, value in settings.items():
        text = "null" if value is None else repr(value) if isinstance(value, str) else value
        lines.append(f"  {key}: {text}")
    policy = root / "policy.yaml"
    lines += ["processes:", f"  workers: {workers}"]
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


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (Prefect's hidden API server among them)."""
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        try:
            out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(parent)], capture_output=True, text=True).stdout
        except OSError:
            return found
        children = [int(x) for x in out.split()]
        found.extend(children)
        queue.extend(children)
    return found


def kill_tree(proc: subprocess.Popen, sig: int) -> None:
    """Stop a service and everything it started. SIGTERM goes to the main
    process alone, as systemd's KillMode=mixed or a user's Ctrl-C does (if
    Prefect's API child died first, a drain in progress would wait on it);
    whatever is left a minute later, and everything for SIGKILL (kill -9 of
    a whole service), is killed."""
    victims = descendants(proc.pid)
    if sig == signal.SIGTERM:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
        sig = signal.SIGKILL
    for target in [proc.pid, *victims]:
        try:
            os.kill(target, sig)
        except ProcessLookupError:
            pass
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)


def wait_until(predicate, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def tabir_process(args: list[str], root: Path, log_name: str = "tabir.log") -> subprocess.Popen:
    """`tabir ARGS` as a user starts it, in its own process group, output to a log."""
    env = dict(os.environ)
    env["PREFECT_HOME"] = str(root / "prefect-home")
    env.pop("PREFECT_API_URL", None)
    log = open(root / log_name, "ab")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "tabir.flows.cli", *[str(a) for a in args]],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
            cwd=Path(__file__).resolve().parent.parent, start_new_session=True,
        )
    finally:
        log.close()


def published_counts(out: Path) -> dict[str, int]:
    """How often each input was published (status redacted) across every
    manifest, those of interrupted runs included."""
    counts: dict[str, int] = {}
    for path in (out / "manifests").glob("2*.json"):
        for entry in json.loads(path.read_text())["files"]:
            if entry["status"] == "redacted":
                counts[entry["input"]] = counts.get(entry["input"], 0) + 1
    return counts
