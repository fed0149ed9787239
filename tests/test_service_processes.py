"""The watcher as a real process with real signals: a file written slowly
is not taken before it is complete, and kill -9 at random moments neither
loses an input nor publishes a partial or a second copy. The long version
(50 files, 10 kills) is `bench/service.py --crash`."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .service_helpers import (
    CLIENT_NAME,
    CLIENT_NIK,
    descendants,
    drop,
    files_under,
    kill_tree,
    pdf_text,
    published_counts,
    tabir_process,
    unique_pdf,
    wait_until,
    write_policy,
)

pytestmark = pytest.mark.slow


def log_text(root, name="tabir.log") -> str:
    path = root / name
    return path.read_text(errors="replace") if path.exists() else ""


def test_a_file_written_in_chunks_is_taken_only_when_complete(tmp_path, secret_dir):
    policy = write_policy(tmp_path, secret_file=secret_dir / "manifest.key", quiet_seconds=1.5, rescan_seconds=1)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    watcher = tabir_process(["watch", "--config", policy], tmp_path)
    try:
        assert wait_until(lambda: "watching" in log_text(tmp_path), 180), log_text(tmp_path)
        data = unique_pdf(11)
        chunks = [data[i:i + len(data) // 6 + 1] for i in range(0, len(data), len(data) // 6 + 1)]
        with open(inbox / "slow.pdf", "wb") as writer:
            for chunk in chunks:  # 0.6 s apart: each pause shorter than the quiet period
                writer.write(chunk)
                writer.flush()
                time.sleep(0.6)
                assert files_under(out / "redacted") == [] and files_under(out / "failed") == []
        assert wait_until(lambda: (out / "redacted" / "slow.pdf").exists(), 60), log_text(tmp_path)
        text = pdf_text(out / "redacted" / "slow.pdf")
        assert "Catatan 11" in text  # the last line: the complete file was taken
        assert CLIENT_NAME not in text and CLIENT_NIK not in text
        assert files_under(out / "failed") == []
    finally:
        kill_tree(watcher, signal.SIGTERM)


def test_kill_9_at_random_moments_loses_nothing_and_publishes_once(tmp_path, secret_dir):
    rng = random.Random(20261122)
    files = 20
    policy = write_policy(tmp_path, secret_file=secret_dir / "manifest.key", quiet_seconds=0.2, rescan_seconds=2)
    inbox, out, archive = tmp_path / "inbox", tmp_path / "out", tmp_path / "archive"
    names = [f"laporan_{i:02}.pdf" for i in range(files)]
    for i, name in enumerate(names):
        drop(inbox, name, unique_pdf(i), age=5)

    def archived() -> int:
        return len(files_under(archive))

    progress: list[int] = []
    for round_no in range(3):
        before = archived()
        watcher = tabir_process(["watch", "--config", policy], tmp_path, f"round{round_no}.log")
        # Kill while files are being processed: after the first new archive, a random moment later.
        wait_until(lambda: archived() > before or archived() == files, 180, interval=0.02)
        time.sleep(rng.uniform(0, 0.4))
        kill_tree(watcher, signal.SIGKILL)
        progress.append(archived())
        # Never a partial or unredacted file in redacted/ (what publication teams read).
        for name in files_under(out / "redacted"):
            text = pdf_text(out / "redacted" / name)
            assert CLIENT_NAME not in text and "Laporan kunjungan" in text
        assert not any(n.endswith(".part") for n in files_under(out / "redacted"))

    final = tabir_process(["watch", "--once", "--config", policy], tmp_path, "final.log")
    assert final.wait(timeout=300) == 0, log_text(tmp_path, "final.log")

    assert sorted(files_under(out / "redacted")) == names  # every input published
    assert files_under(out / "failed") == [] and files_under(out / "review") == []
    assert files_under(inbox) == []  # nothing left waiting or claimed
    # Each original archived exactly once (ARCHIVE/<day>/<name>).
    assert sorted(path.split("/", 1)[1] for path in files_under(archive)) == names
    assert any(0 < done < files for done in progress), progress  # some kill really hit mid-run
    counts = published_counts(out)
    assert set(counts) <= set(names) and all(c == 1 for c in counts.values()), counts


def test_serve_runs_server_schedule_and_watcher_and_stops_cleanly(tmp_path, secret_dir):
    """`tabir serve`: a local Prefect server child on 127.0.0.1, the nightly
    cron in Asia/Jakarta (02:00 there is 19:00 UTC), a drop published within
    seconds, and SIGTERM stops everything, the server child included."""
    policy = write_policy(tmp_path, secret_file=secret_dir / "manifest.key", quiet_seconds=0.5)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    service = tabir_process(["serve", "--config", policy], tmp_path)
    try:
        assert wait_until(lambda: "serving:" in log_text(tmp_path), 240), log_text(tmp_path)
        children = descendants(service.pid)
        server_cmd = [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ") for pid in children
                      if Path(f"/proc/{pid}/cmdline").exists()]
        assert any(b"prefect server start --host 127.0.0.1" in cmd for cmd in server_cmd), server_cmd
        url = re.search(r"(http://127\.0\.0\.1:\d+/api)", log_text(tmp_path)).group(1)

        dropped = time.monotonic()
        drop(inbox, "kunjungan.pdf", unique_pdf(21))
        assert wait_until(lambda: (out / "redacted" / "kunjungan.pdf").exists(), 60), log_text(tmp_path)
        assert time.monotonic() - dropped < 20
        assert CLIENT_NAME not in pdf_text(out / "redacted" / "kunjungan.pdf")

        # The server's scheduler picks up a new deployment within seconds
        # (Prefect's embedded API would never create these runs).
        scheduled: list[str] = []
        assert wait_until(lambda: bool(scheduled.extend(scheduled_runs(url)) or scheduled), 90, interval=3)
        assert all(t.endswith("19:00:00+00:00") for t in scheduled), scheduled
    finally:
        service.send_signal(signal.SIGTERM)
        code = service.wait(timeout=120)
    assert code == 0, log_text(tmp_path)
    assert "stopped" in log_text(tmp_path)
    assert all(not Path(f"/proc/{pid}").exists() for pid in children)  # the server child is gone


def run_deployment_now(api_url: str, name: str) -> str:
    script = (
        "from prefect.deployments import run_deployment\n"
        f"print(run_deployment({name!r}, timeout=240).state.type.value)\n"
    )
    env = dict(os.environ, PREFECT_API_URL=api_url)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()[-1]


def scheduled_runs(api_url: str) -> list[str]:
    """Expected start times of the nightly deployment's scheduled runs."""
    script = (
        "from prefect.client.orchestration import get_client\n"
        "with get_client(sync_client=True) as c:\n"
        "    for r in c.read_flow_runs():\n"
        "        if r.deployment_id and r.state_name == 'Scheduled':\n"
        "            print(r.expected_start_time.isoformat())\n"
    )
    env = dict(os.environ, PREFECT_API_URL=api_url)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()
