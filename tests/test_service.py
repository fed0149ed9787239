"""The service's library half on real files: claims, quiet period, archive,
journal, crash recovery, folder safety. No Prefect except where marked."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import threading
import time
from datetime import date
from pathlib import Path, PurePosixPath
from types import SimpleNamespace

import pytest

from tabir.redactors.config import load_config
from tabir.redactors.errors import ConfigError
from tabir.redactors.inbox import Candidate, discover
from tabir.redactors.detect.factory import detector_for
from tabir.redactors.pipeline import Pipeline
from tabir.redactors.service import archive as archive_mod
from tabir.redactors.service.archive import archive_original, prune_archive
from tabir.redactors.service.claims import CLAIMS_DIRNAME, OWNER_FILE, ClaimArea, process_start_time
from tabir.redactors.service.drain import Drainer
from tabir.redactors.service.safety import folder_problems
from tabir.redactors.service.settings import service_settings

from .service_helpers import CLIENT_NAME, CLIENT_NIK, drop, files_under, pdf_text, unique_pdf, write_policy


@pytest.fixture
def service(tmp_path, config, secret_dir):
    policy = write_policy(tmp_path, secret_file=secret_dir / "manifest.key")
    cfg = load_config(policy)
    settings = service_settings(cfg)
    drainer = Drainer(cfg, settings, Pipeline(cfg, settings.out, detector=detector_for(config)))
    return SimpleNamespace(root=tmp_path, policy=policy, config=cfg, settings=settings, drainer=drainer,
                           inbox=settings.inbox, out=settings.out, archive=settings.archive)


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def abandon(owner_dir: Path, pid: int | None = None, host: str | None = None, age: float = 0.0) -> None:
    """Make a claim folder look like its owner died (or lives elsewhere)."""
    owner_file = owner_dir / OWNER_FILE
    record = json.loads(owner_file.read_text())
    if pid is not None:
        record["pid"] = pid
        record["pid_start"] = process_start_time(pid)
    if host is not None:
        record["host"] = host
    owner_file.write_text(json.dumps(record))
    if age:
        past = time.time() - age
        os.utime(owner_file, (past, past))


NAMES = [
    "laporan kasus.pdf",
    "-laporan-berawalan-tanda-minus.pdf",
    "catatan_kunjungan_é_ünïcödé_😀.pdf",
    "sub folder/" + ("panjang_" * 24) + ".pdf",
]


def test_drain_publishes_verified_copies_and_archives_originals_privately(service):
    for i, name in enumerate(NAMES):
        drop(service.inbox, name, unique_pdf(i), age=5)
    summary = service.drainer.drain()

    assert sorted(r.input for r in summary.records) == sorted(NAMES)
    assert {r.status for r in summary.records} == {"redacted"}
    for name in NAMES:
        published = service.out / "redacted" / name
        text = pdf_text(published)
        assert CLIENT_NAME not in text and CLIENT_NIK not in text
        assert "Laporan kunjungan" in text  # the rest of the page is still there
        assert stat.S_IMODE(published.stat().st_mode) == 0o644
    # The inbox is empty (the claim folder is hidden and empty).
    assert files_under(service.inbox) == []
    day = service.archive / date.today().isoformat()
    assert sorted(files_under(day)) == sorted(NAMES)
    assert stat.S_IMODE(day.stat().st_mode) == 0o700
    assert stat.S_IMODE(service.archive.stat().st_mode) == 0o700
    for name in NAMES:
        assert stat.S_IMODE((day / name).stat().st_mode) == 0o600
    manifest = json.loads((service.out / "manifests" / f"{summary.run_id}.json").read_text())
    assert manifest["kind"] == "drain" and manifest["counts"]["redacted"] == len(NAMES)
    assert not list((service.out / "manifests").glob("*.jsonl"))


def test_a_client_name_in_a_file_name_is_not_published_and_the_original_is_archived_as_it_was(service):
    drop(service.inbox, "Kasus Siti Aminah/laporan_Siti_Aminah.pdf", unique_pdf(7), age=5)
    summary = service.drainer.drain()
    (record,) = summary.records
    assert record.status == "redacted"
    assert "Siti" not in record.input and "Aminah" not in record.input and "[NAMA]" in record.input
    published = [p.relative_to(service.out).as_posix() for p in (service.out / "redacted").rglob("*.pdf")]
    assert published == [record.output] and "Siti" not in record.output
    manifest = (service.out / "manifests" / f"{summary.run_id}.json").read_text()
    assert "Siti" not in manifest and "Aminah" not in manifest
    day = service.archive / date.today().isoformat()
    assert files_under(day) == ["Kasus Siti Aminah/laporan_Siti_Aminah.pdf"]


def test_links_fifos_and_escapes_are_refused_never_published(service, tmp_path_factory):
    secret_place = tmp_path_factory.mktemp("elsewhere")
    target = secret_place / "private.pdf"
    original = unique_pdf(99)
    target.write_bytes(original)
    os.symlink(target, service.inbox / "link.pdf")
    os.symlink(secret_place, service.inbox / "linked_folder")
    os.mkfifo(service.inbox / "pipe.pdf")
    summary = service.drainer.drain()

    statuses = {r.input: (r.status, r.reason_code) for r in summary.records}
    assert statuses == {
        "link.pdf": ("failed", "refused"),
        "linked_folder": ("failed", "refused"),
        "pipe.pdf": ("failed", "refused"),
    }
    assert files_under(service.out / "redacted") == []
    reason = (service.out / "failed" / "link.pdf.txt").read_text()
    assert "symbolic link" in reason
    assert target.read_bytes() == original  # never moved, never read into the output
    assert files_under(service.inbox) == []  # taken out so they are not reported again and again


def test_a_file_is_taken_only_after_its_quiet_period(service):
    drop(service.inbox, "fresh.pdf", unique_pdf(1))
    first = service.drainer.drain()
    assert first.records == [] and first.waiting == 1
    assert 0 < first.next_check_in <= service.settings.quiet_seconds
    assert (service.inbox / "fresh.pdf").exists()
    time.sleep(first.next_check_in + 0.05)
    second = service.drainer.drain()
    assert [r.status for r in second.records] == ["redacted"]


def test_a_file_with_a_future_mtime_waits_for_a_quiet_period_seen_here(service):
    """A share whose clock is ahead: the file's age is negative; it is
    taken once this process has seen it unchanged for the quiet period."""
    path = drop(service.inbox, "from_the_future.pdf", unique_pdf(2))
    future = time.time() + 3600
    os.utime(path, (future, future))
    assert service.drainer.drain().waiting == 1
    time.sleep(service.settings.quiet_seconds + 0.1)
    assert [r.input for r in service.drainer.drain().records] == ["from_the_future.pdf"]


def test_a_file_still_written_after_its_claim_goes_back_unpublished(service):
    drop(service.inbox, "growing.pdf", unique_pdf(3), age=5)
    drainer = service.drainer

    def redact_while_writer_appends(claimed, key):
        outcome, _ = drainer.redact_direct(claimed)
        with open(claimed.claim.path, "ab") as writer:  # the producer's open handle keeps writing
            writer.write(b"% more bytes\n")
        return outcome

    summary = drainer.drain(redact_while_writer_appends)
    assert summary.records == [] and summary.released == ["growing.pdf"]
    assert (service.inbox / "growing.pdf").read_bytes().endswith(b"% more bytes\n")
    assert files_under(service.out / "redacted") == [] and files_under(service.out / "failed") == []
    assert files_under(service.archive) == []


def test_concurrent_claims_take_each_file_exactly_once(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(300):
        (inbox / f"f{i:03}.pdf").write_bytes(b"x")
    candidates = discover(inbox)
    areas = [ClaimArea(inbox, 60, f"run{i}") for i in range(3)]
    taken: list[list[str]] = [[] for _ in areas]
    lost = [0 for _ in areas]
    start = threading.Barrier(len(areas))

    def claim_all(index):
        # Each starts at another place in the list, so they meet and race
        # over the same files wherever the scheduler lets them run.
        order = candidates[index * 100:] + candidates[:index * 100]
        start.wait()
        for candidate in order:
            claim = areas[index].claim(candidate)
            if claim is None:
                lost[index] += 1
            else:
                taken[index].append(str(claim.rel))

    threads = [threading.Thread(target=claim_all, args=(i,)) for i in range(len(areas))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    all_taken = [name for names in taken for name in names]
    assert sorted(all_taken) == sorted(str(c.rel) for c in candidates)  # none lost, none twice
    assert sum(lost) == 2 * len(candidates)  # every other attempt found the file already gone


def test_start_up_returns_abandoned_claims_and_leaves_live_ones(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("dead.pdf", "remote_stale.pdf", "remote_fresh.pdf", "live.pdf", "sub/dup.pdf"):
        drop(inbox, name, b"data " + name.encode())
    owners = {}
    for name in ("dead.pdf", "remote_stale.pdf", "remote_fresh.pdf", "live.pdf", "sub/dup.pdf"):
        area = ClaimArea(inbox, 60, f"run-{name}")
        assert area.claim(Candidate(inbox / name, PurePosixPath(name))) is not None
        owners[name] = area
    abandon(owners["dead.pdf"].owner_dir, pid=dead_pid())
    abandon(owners["sub/dup.pdf"].owner_dir, pid=dead_pid())
    abandon(owners["remote_stale.pdf"].owner_dir, host="other-machine", age=600)
    abandon(owners["remote_fresh.pdf"].owner_dir, host="other-machine", age=5)
    live = subprocess.Popen(["sleep", "60"])
    abandon(owners["live.pdf"].owner_dir, pid=live.pid)
    drop(inbox, "sub/dup.pdf", b"a newer file under the same name")

    try:
        recovered = ClaimArea(inbox, 60, "restart").recover()
    finally:
        live.kill()
        live.wait()

    returned = sorted(name for r in recovered for name in r.returned)
    assert returned == ["dead.pdf", "remote_stale.pdf", "sub/dup (returned 1).pdf"]
    assert (inbox / "sub/dup.pdf").read_bytes() == b"a newer file under the same name"  # nothing overwritten
    assert (inbox / "sub/dup (returned 1).pdf").read_bytes() == b"data sub/dup.pdf"
    assert owners["live.pdf"].owner_dir.exists() and owners["remote_fresh.pdf"].owner_dir.exists()
    assert not owners["dead.pdf"].owner_dir.exists()
    assert {r.owner["run_id"] for r in recovered} == {"run-dead.pdf", "run-remote_stale.pdf", "run-sub/dup.pdf"}


def test_claims_left_by_a_failed_drain_of_this_process_are_returned(service, monkeypatch):
    """The watcher lives for months: a drain that failed half-way (a full
    disk) must not strand its claim until the next restart."""
    drop(service.inbox, "report.pdf", unique_pdf(8), age=5)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("tabir.redactors.service.drain.archive_original", disk_full)
    with pytest.raises(OSError):
        service.drainer.drain()
    monkeypatch.undo()
    assert files_under(service.inbox) != []  # still claimed
    summary = service.drainer.drain()
    assert summary.recovered == ["report.pdf"]
    # Published before the failure: the redo finds the identical copy only
    # when the redaction is cached (the flow); here it is redone and replaced.
    assert [r.status for r in summary.records] in (["skipped"], ["redacted"])
    assert files_under(service.inbox) == [] and files_under(service.archive) != []


def test_a_claim_folder_replaced_by_a_link_is_refused(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", inbox / CLAIMS_DIRNAME)
    with pytest.raises(RuntimeError, match="not a plain folder"):
        ClaimArea(inbox, 60, "run")


def test_crash_between_publish_and_archive_publishes_once(service, monkeypatch):
    """Killed after publishing and journaling, before archiving: the restart
    returns the claim, finds the identical output in place, publishes
    nothing again and archives the original."""
    drop(service.inbox, "report.pdf", unique_pdf(5), age=5)
    outcomes = {}

    def cached(claimed, key):  # what the Prefect cache does in the flow
        if key not in outcomes:
            outcomes[key], _ = service.drainer.redact_direct(claimed)
        return outcomes[key]

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr("tabir.redactors.service.drain.archive_original", crash)
    monkeypatch.setattr("tabir.redactors.service.drain.DrainRun.end", lambda self: None)  # kill -9: no clean-up
    with pytest.raises(KeyboardInterrupt):
        service.drainer.drain(cached)
    monkeypatch.undo()
    published = service.out / "redacted" / "report.pdf"
    first_write = published.stat().st_mtime_ns
    claims = [p for p in (service.inbox / CLAIMS_DIRNAME).iterdir()]
    assert len(claims) == 1
    abandon(claims[0], pid=dead_pid())  # as if that process had died
    # ... and as if it died before removing a copy an earlier run had left
    # under another status: the redo finishes that clean-up.
    stale = service.out / "review" / "report.pdf"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"an older outcome")

    summary = service.drainer.drain(cached)
    assert not stale.exists()

    assert summary.recovered == ["report.pdf"]
    assert [(r.input, r.status, r.reason_code) for r in summary.records] == [("report.pdf", "skipped", "unchanged")]
    assert published.stat().st_mtime_ns == first_write  # not written again
    assert files_under(service.archive / date.today().isoformat()) == ["report.pdf"]
    # The killed run's journal became a manifest marked interrupted.
    manifests = [json.loads(p.read_text()) for p in (service.out / "manifests").glob("2*.json")]
    interrupted = [m for m in manifests if m.get("interrupted")]
    assert len(interrupted) == 1 and interrupted[0]["files"][0]["status"] == "redacted"
    published_twice = [f["input"] for m in manifests for f in m["files"] if f["status"] == "redacted"]
    assert published_twice == ["report.pdf"]


def test_archive_move_across_file_systems_keeps_a_complete_copy(tmp_path, monkeypatch):
    src = tmp_path / "claimed.pdf"
    src.write_bytes(b"original bytes")
    real_rename = os.rename
    calls = []

    def rename(a, b):
        calls.append((a, b))
        if len(calls) == 1:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_rename(a, b)

    monkeypatch.setattr(archive_mod.os, "rename", rename)
    dest = archive_original(tmp_path / "archive", src, PurePosixPath("claimed.pdf"), None, date(2026, 11, 22))
    assert dest.read_bytes() == b"original bytes" and not src.exists()
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600


def test_same_name_archived_twice_keeps_both(tmp_path):
    import hashlib

    root = tmp_path / "archive"
    for content in (b"first version", b"second version", b"second version"):
        src = tmp_path / "report.pdf"
        src.write_bytes(content)
        archive_original(root, src, PurePosixPath("report.pdf"), hashlib.sha256(content).hexdigest(),
                         date(2026, 11, 22))
    kept = sorted((root / "2026-11-22").iterdir())
    assert [p.read_bytes() for p in kept] == [b"first version", b"second version"]


def test_archive_retention_prunes_old_days_only(tmp_path):
    root = tmp_path / "archive"
    for day in ("2026-10-01", "2026-10-23", "2026-11-22", "not-a-date"):
        (root / day).mkdir(parents=True)
        (root / day / "f.pdf").write_bytes(b"x")
    removed = prune_archive(root, 30, today=date(2026, 11, 22))
    assert removed == ["2026-10-01"]
    assert sorted(p.name for p in root.iterdir()) == ["2026-10-23", "2026-11-22", "not-a-date"]


def test_unsafe_folders_and_config_refuse_to_start(tmp_path, config):
    policy = write_policy(tmp_path)
    cfg = load_config(policy)
    inbox = tmp_path / "inbox"
    cases = {
        "inside the inbox": service_settings(cfg, out=inbox / "out"),
        "archive": service_settings(cfg, archive=inbox / "archive"),
        "overlap the output folder": service_settings(cfg, archive=tmp_path / "out" / "archive"),
        "installation": service_settings(cfg, out=Path(__file__).resolve().parent / "out"),
    }
    for expected, settings in cases.items():
        problems = folder_problems(settings, policy)
        assert any(expected in p for p in problems), (expected, problems)
    assert folder_problems(service_settings(cfg), policy) == []

    policy.chmod(0o664)
    problems = folder_problems(service_settings(cfg), policy)
    assert any("writable by group or others" in p and str(policy) in p for p in problems)
    policy.chmod(0o600)
    inside = tmp_path / "data" / "policy.yaml"
    inside.parent.mkdir()
    inside.write_text(policy.read_text())
    inside.chmod(0o600)
    assert any("must not lie in the data folder" in p for p in folder_problems(service_settings(cfg), inside))


def test_service_settings_errors_name_the_key(tmp_path):
    bad_tz = tmp_path / "bad_tz.yaml"
    bad_tz.write_text("version: 1\nservice:\n  schedule: {cron: '0 2 * * *', timezone: Asia/Jakarte}\n")
    with pytest.raises(ConfigError, match=r"service\.schedule\.timezone.*Asia/Jakarte"):
        service_settings(load_config(bad_tz))
    bad_cron = tmp_path / "bad_cron.yaml"
    bad_cron.write_text("version: 1\nservice:\n  schedule: {cron: 'every night'}\n")
    with pytest.raises(ConfigError, match=r"service\.schedule\.cron"):
        load_config(bad_cron)


def test_service_section_does_not_change_the_policy_hash(tmp_path, config, secret_dir):
    a = load_config(write_policy(tmp_path, secret_file=secret_dir / "manifest.key", quiet_seconds=9))
    assert a.hash == config.hash


@pytest.mark.parametrize("command", ["serve", "watch"])
def test_service_commands_refuse_unsafe_set_ups_with_exit_code_2(tmp_path, command):
    import sys

    policy = write_policy(tmp_path, archive=str(tmp_path / "inbox" / "archive"))
    policy.chmod(0o666)
    done = subprocess.run([sys.executable, "-m", "tabir.flows.cli", command, "--config", str(policy)],
                          capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent,
                          env=dict(os.environ, PREFECT_HOME=str(tmp_path / "ph")))
    assert done.returncode == 2, done.stderr
    assert "refusing to start" in done.stderr
    assert "writable by group or others" in done.stderr and "must not lie inside the inbox" in done.stderr
    assert not (tmp_path / "out").exists()  # nothing was started or created


def test_cache_files_older_than_the_retention_are_deleted(tmp_path):
    from tabir.redactors.service.archive import prune_old_files

    old, new = tmp_path / "old", tmp_path / "new"
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    past = time.time() - 31 * 86400
    os.utime(old, (past, past))
    assert prune_old_files(tmp_path, 30) == 1
    assert not old.exists() and new.exists()


def test_a_file_dropped_into_the_claim_folder_goes_back_to_the_inbox(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / CLAIMS_DIRNAME).mkdir(parents=True)
    (inbox / CLAIMS_DIRNAME / "stray.pdf").write_bytes(b"%PDF")
    recovered = ClaimArea(inbox, 60, "run").recover()
    assert [r.returned for r in recovered] == [["stray.pdf"]]
    assert (inbox / "stray.pdf").read_bytes() == b"%PDF"
