"""The `tabir` command as a user runs it: a real subprocess, the embedded
Prefect API, exit codes, the summary line."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tabir.flows import prefect_env
from tabir.flows.cli import EXIT_FAILED, EXIT_OK, EXIT_REVIEW, EXIT_REVIEW_AND_FAILED, EXIT_USAGE, exit_code_for

from .test_pipeline import add_bad_inputs

TABIR = [sys.executable, "-m", "tabir.flows.cli"]


def run_tabir(args, tmp_path, timeout=300):
    env = dict(os.environ)
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    return subprocess.run(
        TABIR + [str(a) for a in args], capture_output=True, text=True, env=env,
        timeout=timeout, cwd=Path(__file__).resolve().parent.parent,
    )


@pytest.mark.parametrize(
    "review, failed, code",
    [(0, 0, EXIT_OK), (1, 0, EXIT_REVIEW), (0, 2, EXIT_FAILED), (3, 1, EXIT_REVIEW_AND_FAILED)],
)
def test_exit_codes_are_distinct(review, failed, code):
    assert exit_code_for({"review": review, "failed": failed}) == code
    assert len({EXIT_OK, EXIT_REVIEW, EXIT_FAILED, EXIT_REVIEW_AND_FAILED, EXIT_USAGE}) == 5


def test_bad_config_is_a_usage_error_naming_file_and_key(tmp_path, inbox):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nredaction:\n  style: smudge\n")
    result = run_tabir(["run", inbox, "--out", tmp_path / "out", "--config", bad], tmp_path)
    assert result.returncode == EXIT_USAGE
    assert str(bad) in result.stderr and "redaction.style" in result.stderr
    assert not (tmp_path / "out").exists()


def test_output_inside_inbox_is_refused(tmp_path, inbox):
    result = run_tabir(["run", inbox, "--out", inbox / "out"], tmp_path)
    assert result.returncode == EXIT_USAGE
    assert "must not lie inside the inbox" in result.stderr


@pytest.mark.slow
def test_run_end_to_end(tmp_path, inbox, policy_file):
    add_bad_inputs(inbox)
    out = tmp_path / "out"
    result = run_tabir(["run", inbox, "--out", out, "--config", policy_file], tmp_path)
    assert result.returncode == EXIT_REVIEW_AND_FAILED, result.stderr[-3000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("tabir: 8 files (3 redacted, 1 review, 4 failed, 0 unchanged)")
    assert "PERSON" in summary and "manifests/" in summary
    assert "failed: kosong.pdf: the file is empty" in result.stderr
    latest = json.loads((out / "manifests" / "latest.json").read_text())
    assert latest["counts"]["files"] == 8
    assert sorted(p.name for p in (out / "redacted").iterdir()) == [
        "english_memo.pdf", "laporan_kasus_anak.pdf", "surat_rujukan_tersembunyi.pdf",
    ]


def test_a_missing_dependency_has_its_own_exit_code_and_the_install_command(tmp_path, monkeypatch, capsys):
    import tabir.flows.run
    from tabir.flows.cli import EXIT_MISSING_DEPENDENCY, main
    from tabir.redactors.pixels.ocr import TesseractMissing

    def no_tesseract(*args, **kwargs):
        raise TesseractMissing("Tesseract is not installed: sudo apt-get install tesseract-ocr tesseract-ocr-ind")

    monkeypatch.setattr(tabir.flows.run, "redact_inbox", no_tesseract)
    (tmp_path / "inbox").mkdir()
    assert main(["run", str(tmp_path / "inbox"), "--out", str(tmp_path / "out")]) == EXIT_MISSING_DEPENDENCY
    assert "sudo apt-get install tesseract-ocr" in capsys.readouterr().err


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _embedded_api_of(pid: int) -> int | None:
    for child in _children(pid):
        try:
            command = (Path("/proc") / str(child) / "cmdline").read_bytes()
        except OSError:
            continue
        if b"prefect.server.api.server:create_app" in command:
            return child
    return None


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while True:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


@pytest.mark.slow
def test_prefects_client_analytics_are_off_once_tabir_configures_prefect(monkeypatch):
    from prefect._internal.analytics.enabled import is_telemetry_enabled

    monkeypatch.delenv("DO_NOT_TRACK", raising=False)
    monkeypatch.delenv("CI", raising=False)
    prefect_env.configure()
    assert not is_telemetry_enabled()


def test_every_prefect_server_tabir_starts_has_analytics_off_whatever_the_shell_says(tmp_path, monkeypatch):
    from tabir.flows.server import EmbeddedApi, LocalPrefectServer

    for key in ("PREFECT_SERVER_ANALYTICS_ENABLED", "DO_NOT_TRACK"):
        monkeypatch.delenv(key, raising=False)
    servers = (EmbeddedApi(), LocalPrefectServer(tmp_path / "home", 0, False, tmp_path / "server.log"))
    for server in servers:
        environment = server.environment()
        assert environment["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false" and environment["DO_NOT_TRACK"] == "1"


def test_the_embedded_api_starts_at_once_and_ends_with_the_run_even_after_kill_9(tmp_path, inbox):
    """`tabir run` starts Prefect's embedded API itself, first thing, so it
    boots while the models load; it stops with a clean exit, and a kill -9 of
    the run takes it down too (no server left holding a port)."""
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect-home"))
    env.pop("PREFECT_API_URL", None)
    for key in prefect_env.DEFAULTS:  # as in a user's shell (conftest.py sets them for the tests)
        env.pop(key, None)
    out = tmp_path / "out"
    for ending in ("clean exit", "kill -9"):
        shutil.rmtree(out, ignore_errors=True)
        # Files, not pipes: a server left behind would hold a pipe open.
        stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
        with open(stdout, "w") as o, open(stderr, "w") as e:
            run = subprocess.Popen(TABIR + ["run", str(inbox), "--out", str(out), "--workers", "1"], env=env,
                                   stdout=o, stderr=e, cwd=Path(__file__).resolve().parent.parent)
        deadline, api = time.monotonic() + 30, None
        while api is None and time.monotonic() < deadline and run.poll() is None:
            api = _embedded_api_of(run.pid)
            time.sleep(0.05)
        assert api is not None, "the embedded API was not started by the run itself"
        environment = Path(f"/proc/{api}/environ").read_bytes().split(b"\0")
        assert b"PREFECT_SERVER_ANALYTICS_ENABLED=false" in environment, "the embedded API may send telemetry"
        assert b"DO_NOT_TRACK=1" in environment, "Prefect's client analytics are on"
        if ending == "kill -9":
            os.kill(run.pid, signal.SIGKILL)
            run.wait()
        else:
            run.wait(timeout=300)
            assert run.returncode == EXIT_OK, stderr.read_text()[-3000:]
            assert stdout.read_text().strip().splitlines()[-1].startswith("tabir: 3 files (3 redacted")
            # Offline, an attempt shows as "Failed to send telemetry" (it did once).
            assert "telemetry" not in stderr.read_text().lower()
        try:
            assert _gone(api, within=15), f"the embedded API outlived the run ({ending})"
        finally:
            if not _gone(api, within=0):
                os.kill(api, signal.SIGKILL)
