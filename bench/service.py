"""The watched-folder service, measured with the real command and real files.

    .venv/bin/python bench/service.py                 # latency + 1,000-file drop
    .venv/bin/python bench/service.py --latency 20    # only the drop -> output latency
    .venv/bin/python bench/service.py --burst 1000    # only the 1,000-file drop
    .venv/bin/python bench/service.py --crash 10 --crash-files 50   # kill -9 soak of `tabir serve`

latency: `tabir serve` (local Prefect server, default quiet period unless
--quiet) runs; 1-page PDFs are dropped one at a time (temp name + rename, as
a careful producer does); time from the rename to the verified copy in
redacted/. Median and 95th percentile, next to the redaction time itself
(manifest "seconds") as the baseline: the difference is the service's
overhead (quiet period, event, claim, archive).

burst: N small PDFs dropped at once into a running `tabir watch`; files per
minute until the inbox is empty and all are published, peak RSS of the
service (bounded memory: it must not grow with N), next to `tabir run` over
the same files in the same script (batch baseline, ratio).

crash: the tests' kill -9 check, long: N rounds, each a random kill while
files are processed; then checks nothing was lost, published twice or
published partial.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.service_helpers import (  # noqa: E402
    CLIENT_NAME,
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


def rss_mb(pid: int) -> float:
    total = 0
    for p in [pid, *descendants(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def log_text(root: Path, name: str = "tabir.log") -> str:
    path = root / name
    return path.read_text(errors="replace") if path.exists() else ""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def bench_latency(root: Path, drops: int, quiet: float | None) -> None:
    from tabir.redactors.config import load_config

    default_quiet = load_config().raw["service"]["quiet_seconds"]
    quiet_used = default_quiet if quiet is None else quiet
    policy = write_policy(root, secret_file=root / "secret.key", quiet_seconds=quiet_used)
    inbox, out = root / "inbox", root / "out"
    service = tabir_process(["serve", "--config", policy], root)
    try:
        if not wait_until(lambda: "serving:" in log_text(root), 300):
            raise SystemExit("tabir serve did not start:\n" + log_text(root))
        latencies = []
        for i in range(drops):
            name = f"latency_{i:03}.pdf"
            data = unique_pdf(1000 + i)
            started = time.monotonic()
            drop(inbox, name, data)
            if not wait_until(lambda: (out / "redacted" / name).exists(), 120, interval=0.02):
                raise SystemExit(f"{name} was not published:\n" + log_text(root))
            latencies.append(time.monotonic() - started)
            time.sleep(0.5)
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=120)
    seconds = [f["seconds"] for m in (out / "manifests").glob("2*.json")
               for f in json.loads(m.read_text())["files"]]
    median, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    redaction = statistics.median(seconds)
    print(f"latency (tabir serve, quiet period {quiet_used:g} s, {drops} one-page PDFs dropped one at a time)")
    print(f"  drop -> verified output: median {median:.2f} s, p95 {p95:.2f} s, max {max(latencies):.2f} s")
    print(f"  baseline, redaction + verification alone: median {redaction:.2f} s "
          f"(service overhead {median - redaction:.2f} s, of which the quiet period {quiet_used:g} s)")


def bench_burst(root: Path, files: int) -> None:
    policy = write_policy(root, secret_file=root / "secret.key", quiet_seconds=1, rescan_seconds=5)
    inbox, out = root / "inbox", root / "out"
    pdfs = [unique_pdf(i) for i in range(files)]
    names = [f"bulk_{i:04}.pdf" for i in range(files)]

    # Baseline: `tabir run` over the same files (batch, nothing moved).
    batch_in, batch_out = root / "batch_in", root / "batch_out"
    batch_in.mkdir()
    for name, data in zip(names, pdfs):
        (batch_in / name).write_bytes(data)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "tabir.flows.cli", "run", str(batch_in), "--out", str(batch_out),
                    "--config", str(policy)], check=True, cwd=REPO, capture_output=True,
                   env=_env(root))
    batch_seconds = time.monotonic() - started

    service = tabir_process(["watch", "--config", policy], root)
    peak = 0.0
    try:
        if not wait_until(lambda: "watching" in log_text(root), 300):
            raise SystemExit("tabir watch did not start:\n" + log_text(root))
        time.sleep(2)
        warm_rss = rss_mb(service.pid)
        started = time.monotonic()
        for name, data in zip(names, pdfs):
            drop(inbox, name, data)
        dropped = time.monotonic() - started

        def done() -> bool:
            nonlocal peak
            peak = max(peak, rss_mb(service.pid))
            return len(files_under(out / "redacted")) == files and files_under(inbox) == []

        if not wait_until(done, 3600, interval=0.5):
            raise SystemExit("not all files were published:\n" + log_text(root)[-3000:])
        service_seconds = time.monotonic() - started
        idle_rss = rss_mb(service.pid)
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=120)
    counts = published_counts(out)
    lost = set(names) - set(files_under(out / "redacted"))
    twice = {k: v for k, v in counts.items() if v > 1}
    print(f"burst ({files} one-page PDFs dropped at once in {dropped:.1f} s into `tabir watch`)")
    print(f"  service: {service_seconds:.1f} s to publish all ({files / service_seconds * 60:.0f} files/min); "
          f"lost {len(lost)}, published twice {len(twice)}")
    print(f"  baseline `tabir run` over the same files (cold process): {batch_seconds:.1f} s "
          f"({files / batch_seconds * 60:.0f} files/min); service/batch time ratio "
          f"{service_seconds / batch_seconds:.2f}x")
    print(f"  memory (service and its children): {warm_rss:.0f} MB warm before the burst, peak {peak:.0f} MB, "
          f"{idle_rss:.0f} MB after it")


def bench_crash(root: Path, rounds: int, files: int, seed: int, command: str) -> None:
    rng = random.Random(seed)
    policy = write_policy(root, secret_file=root / "secret.key", quiet_seconds=0.2, rescan_seconds=2)
    inbox, out, archive = root / "inbox", root / "out", root / "archive"
    names: list[str] = []
    hits = 0
    for round_no in range(rounds):
        if len(files_under(archive)) == len(names):  # all done: a new batch of files
            batch = [f"crash_{round_no:02}_{i:03}.pdf" for i in range(files)]
            for i, name in enumerate(batch):
                drop(inbox, name, unique_pdf(10000 * (round_no + 1) + i), age=5)
            names += batch
        before = len(files_under(archive))
        service = tabir_process([command, "--config", policy], root, f"crash{round_no}.log")
        wait_until(lambda: len(files_under(archive)) > before, 300, interval=0.02)
        time.sleep(rng.uniform(0, 0.5))
        kill_tree(service, signal.SIGKILL)
        after = len(files_under(archive))
        hits += after < len(names)
        for name in files_under(out / "redacted"):
            assert CLIENT_NAME not in pdf_text(out / "redacted" / name), f"unredacted copy published: {name}"
        print(f"  round {round_no + 1}: killed with {after}/{len(names)} archived")
    final = tabir_process(["watch", "--once", "--config", policy], root, "final.log")
    final.wait(timeout=600)
    names.sort()
    published = sorted(files_under(out / "redacted"))
    counts = published_counts(out)
    archived = sorted(p.split("/", 1)[1] for p in files_under(archive))
    print(f"crash (`tabir {command}` killed with -9 {rounds} times, batches of {files} files, {len(names)} files, "
          f"{hits} kills while files were still waiting)")
    print(f"  published {len(published)}/{len(names)}, archived once each: {archived == names}, "
          f"left in inbox {len(files_under(inbox))}, failed {len(files_under(out / 'failed'))}, "
          f"review {len(files_under(out / 'review'))}, published twice {sum(1 for c in counts.values() if c > 1)}")
    if published != names or archived != names or any(c > 1 for c in counts.values()):
        raise SystemExit("crash check FAILED")


def _env(root: Path) -> dict:
    env = dict(os.environ)
    env["PREFECT_HOME"] = str(root / "prefect-home")
    env.pop("PREFECT_API_URL", None)
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=int, default=None, help="number of single drops (default 20)")
    parser.add_argument("--quiet", type=float, default=None,
                        help="quiet period for the latency run (default: the shipped default)")
    parser.add_argument("--burst", type=int, default=None, help="files in the burst (default 1000)")
    parser.add_argument("--crash", type=int, default=None, help="kill -9 rounds")
    parser.add_argument("--crash-files", type=int, default=50)
    parser.add_argument("--crash-with", choices=["serve", "watch"], default="serve",
                        help="the command killed: the whole service (server child included) or the watcher")
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    if args.latency is None and args.burst is None and args.crash is None:
        args.latency, args.burst = 20, 1000
    for kind, value in (("latency", args.latency), ("burst", args.burst), ("crash", args.crash)):
        if value is None:
            continue
        root = Path(tempfile.mkdtemp(prefix=f"tabir-bench-{kind}-"))
        try:
            if kind == "latency":
                bench_latency(root, value, args.quiet)
            elif kind == "burst":
                bench_burst(root, value)
            else:
                bench_crash(root, value, args.crash_files, args.seed, args.crash_with)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
