"""Beyond one machine, with Prefect's own machinery: a Prefect server on
PostgreSQL, the drain deployed on a process work pool (`tabir deploy`), two
`prefect worker start` processes, one shared inbox and output folder. 50
files are split between the two workers and none is processed twice; then
`tabir watch --deployment` turns drops into pool runs.

PostgreSQL comes from Debian's postgresql package (`make test` installs it);
the cluster is private to the test (initdb in a temp folder, loopback port)."""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tabir.flows.server import LocalPrefectServer, free_port

from .service_helpers import CLIENT_NAME, drop, files_under, kill_tree, pdf_text, unique_pdf, wait_until, write_policy

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: drop to the postgres account."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="module")
def postgres_url():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL is not installed: run `make test` (it installs Debian's postgresql package)")
    bindir = Path(found[-1]).parent
    top = Path(tempfile.mkdtemp(prefix="tabir-pg-"))
    top.chmod(0o755)
    data = top / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    port = free_port()
    subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]),
                   check=True, capture_output=True)
    server = subprocess.Popen(
        _as_postgres([str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(data),
                      "-c", "listen_addresses=127.0.0.1"]),
        stdout=subprocess.DEVNULL, stderr=open(top / "postgres.log", "wb"),
    )
    try:
        ready = lambda: subprocess.run(  # noqa: E731
            [str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True
        ).returncode == 0
        assert wait_until(ready, 60), (top / "postgres.log").read_text()
        subprocess.run([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "prefect"],
                       check=True, capture_output=True)
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/prefect"
    finally:
        # runuser does not pass signals on: ask PostgreSQL itself to stop.
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "stop", "-D", str(data), "-m", "fast"]),
                       capture_output=True, timeout=60)
        server.wait(timeout=60)
        shutil.rmtree(top, ignore_errors=True)


# Run by the test in a subprocess against the test's Prefect server: waits
# until the named workers of the pool are online, starts the runs, waits for
# them to end and prints each run's final state.
_COORDINATOR = """
import asyncio, sys, time
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment

pool, workers, deployment, count = sys.argv[1], set(sys.argv[2].split(",")), sys.argv[3], int(sys.argv[4])

async def online():
    async with get_client() as client:
        return {w.name for w in await client.read_workers_for_work_pool(pool) if w.status == "ONLINE"}

async def states(ids):
    async with get_client() as client:
        return [(await client.read_flow_run(i)).state for i in ids]

deadline = time.monotonic() + 300
while not workers <= asyncio.run(online()):
    if time.monotonic() > deadline:
        sys.exit(f"workers not online: {sorted(workers - asyncio.run(online()))}")
    time.sleep(1)
ids = [run_deployment(deployment, timeout=0).id for _ in range(count)]
deadline = time.monotonic() + 480
while not all(s and s.is_final() for s in asyncio.run(states(ids))):
    if time.monotonic() > deadline:
        break
    time.sleep(1)
print(" ".join(s.type.value if s else "NONE" for s in asyncio.run(states(ids))))
"""


def test_two_process_workers_split_the_inbox_and_none_is_processed_twice(tmp_path, secret_dir, postgres_url):
    policy = write_policy(tmp_path, secret_file=secret_dir / "manifest.key", schedule=None)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    server = LocalPrefectServer(tmp_path / "prefect-server", 0, False, tmp_path / "server.log",
                                extra_env={"PREFECT_SERVER_DATABASE_CONNECTION_URL": postgres_url})
    server.start(timeout=180)
    env = dict(os.environ, PREFECT_API_URL=server.api_url, PREFECT_HOME=str(tmp_path / "client-home"),
               PREFECT_WORKER_QUERY_SECONDS="1", PREFECT_LOGGING_LEVEL="WARNING")
    workers = []
    try:
        deployed = subprocess.run(
            [sys.executable, "-m", "tabir.flows.cli", "deploy", "--pool", "tabir-test", "--config", str(policy)],
            env=env, cwd=REPO, capture_output=True, text=True, timeout=300,
        )
        assert deployed.returncode == 0, deployed.stderr + deployed.stdout
        names = [f"kunjungan_{i:02}.pdf" for i in range(50)]
        for i, name in enumerate(names):
            drop(inbox, name, unique_pdf(100 + i), age=5)
        for node in ("worker-a", "worker-b"):
            log = open(tmp_path / f"{node}.log", "wb")
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "prefect", "worker", "start", "--pool", "tabir-test", "--name", node,
                 "--limit", "1"],
                env=dict(env, TABIR_NODE=node), cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            ))
        # Both workers must be polling before the runs exist. The test once
        # timed out on a busy machine: one worker was still starting, the
        # other took both runs one after the other (limit 1), its first run
        # drained all 50 files and its second found nothing, and a drain that
        # finds nothing writes no manifest, so "two manifests" never came.
        # Then two runs at once: each worker takes one, both drain the same
        # inbox; the test waits for the runs themselves to finish.
        coordinator = subprocess.run([sys.executable, "-c", _COORDINATOR, "tabir-test", "worker-a,worker-b",
                                      "tabir-drain/shared", "2"], env=env, cwd=REPO, capture_output=True,
                                     text=True, timeout=900)
        assert coordinator.returncode == 0 and coordinator.stdout.split() == ["COMPLETED", "COMPLETED"], (
            coordinator.stdout + coordinator.stderr[-3000:]
            + (tmp_path / "worker-a.log").read_text(errors="replace")[-3000:]
            + (tmp_path / "worker-b.log").read_text(errors="replace")[-3000:])
        assert files_under(inbox) == [] and len(files_under(out / "redacted")) == len(names)
        time.sleep(1)
        before_watch = {p.name for p in (out / "manifests").glob("2*.json")}

        # The watcher in pool mode: a drop starts a deployment run, a worker does it.
        watch_log = open(tmp_path / "watch.log", "wb")
        watcher = subprocess.Popen(
            [sys.executable, "-m", "tabir.flows.cli", "watch", "--config", str(policy), "--deployment",
             "tabir-drain/shared"], env=env, cwd=REPO, stdout=watch_log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        workers.append(watcher)
        late = ["late_1.pdf", "late_2.pdf"]
        for i, name in enumerate(late):
            drop(inbox, name, unique_pdf(900 + i))
        assert wait_until(lambda: all((out / "redacted" / n).exists() for n in late), 240, interval=1), (
            (tmp_path / "watch.log").read_text(errors="replace")[-3000:])
        assert "started a run of tabir-drain/shared" in (tmp_path / "watch.log").read_text()
        assert wait_until(lambda: len({p.name for p in (out / "manifests").glob("2*.json")} - before_watch) >= 1, 30)
        time.sleep(1)
    finally:
        for worker in workers:
            kill_tree(worker, signal.SIGTERM)
        server.stop()

    by_node: dict[str, list[str]] = {}
    for path in (out / "manifests").glob("2*.json"):
        manifest = json.loads(path.read_text())
        by_node.setdefault(manifest["node"], []).extend(f["input"] for f in manifest["files"])
    processed = [name for inputs in by_node.values() for name in inputs]
    assert sorted(processed) == sorted(names + late)  # each file exactly once
    assert set(by_node) == {"worker-a", "worker-b"} and all(by_node.values()), {
        k: len(v) for k, v in by_node.items()}
    assert sorted(files_under(out / "redacted")) == sorted(names + late)
    assert CLIENT_NAME not in pdf_text(out / "redacted" / names[0])
