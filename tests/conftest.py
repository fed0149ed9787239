"""Shared fixtures. Prefect's home is a temp folder so tests never touch the
user's ~/.prefect, and Prefect's settings are fixed before it is imported."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

_PREFECT_HOME = tempfile.mkdtemp(prefix="tabir-test-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from tabir.flows import prefect_env  # noqa: E402

prefect_env.configure()

from scripts import make_sample_data as samples  # noqa: E402


@pytest.fixture(scope="session")
def prefect_api():
    """Prefect's test harness, once per session (10-15 s to start; never
    nest another harness inside it)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def secret_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("secret")


@pytest.fixture(scope="session")
def policy_file(secret_dir) -> Path:
    """The sample policy (Presidio's defaults plus the synthetic client's
    names and numbers as a deny-list), with the secret in a temp folder."""
    path = secret_dir / "policy.yaml"
    path.write_text(samples.sample_policy_yaml() + f"secret_file: {secret_dir / 'manifest.key'}\n")
    return path


@pytest.fixture(scope="session")
def config(policy_file):
    from tabir.redactors.config import load_config

    return load_config(policy_file)


@pytest.fixture(scope="session")
def box_config(secret_dir):
    """Same policy with plain black boxes (the default style)."""
    from tabir.redactors.config import load_config

    path = secret_dir / "policy-box.yaml"
    path.write_text(samples.sample_policy_yaml().replace("style: label", "style: box") + f"secret_file: {secret_dir / 'manifest.key'}\n")
    return load_config(path)


@pytest.fixture
def inbox(tmp_path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "laporan_kasus_anak.pdf").write_bytes(samples.case_report_pdf())
    (folder / "surat_rujukan_tersembunyi.pdf").write_bytes(samples.carriers_pdf())
    (folder / "english_memo.pdf").write_bytes(samples.english_memo_pdf())
    return folder


@pytest.fixture
def run_library(config):
    """Run the library pipeline (no Prefect) over an inbox; returns the
    manifest dict. The detector is loaded once per test session."""
    from tabir.redactors.inbox import discover
    from tabir.redactors.manifest import build_manifest, new_run_id, utc_now, write_manifest
    from tabir.redactors.pipeline import Pipeline

    def run(inbox_dir: Path, out: Path, cfg=None):
        cfg = cfg or config
        pipeline = Pipeline(cfg, out)
        started = utc_now()
        records = [pipeline.process(c) for c in discover(inbox_dir)]
        manifest = build_manifest(new_run_id(started), cfg, started, utc_now(), records)
        write_manifest(pipeline.layout, manifest)
        return manifest

    return run


PLANTED = sorted(set(samples.CLIENT.values()) | set(samples.ENGLISH.values()))
