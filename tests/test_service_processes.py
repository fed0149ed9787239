"""The watcher as a real process with real signals: a file written slowly
is not taken before it is complete, and kill -9 at random moments neither
loses an input nor publishes a partial or a second copy. The long version
(50 files, 10 kills) is `bench/service.py --crash`."""

from __future__ import annotations

import random
import signal
import time

import pytest

from .service_helpers import (
    CLIENT_NAME,
    CLIENT_NIK,
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
