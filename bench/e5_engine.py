"""The e5 engine's speed with the layers' weights expanded once per model
(Tabir's default) against the wheel engine's expansion on every call, on the
same casework sentences in one process; and whether the states agree.

    .venv/bin/python bench/e5_engine.py [--sentences 200]
    .venv/bin/python bench/e5_engine.py --threads-by-load [--sentences 200]

Prints sentences/s one sentence per call (as Presidio asks) and all in one
batched call, for each, and the ratio. With --threads-by-load: sentences/s
one per call with a short run always on one thread (the baseline) and with
the way measured faster (SmallRunThreads, shipped), on a quiet machine and
beside a process that keeps one core busy; each in a process of its own,
twice, interleaved."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tabir.redactors.detect.e5_engine import E5Engine  # noqa: E402
from scripts.casework_synth import generate  # noqa: E402


def speed(engine: E5Engine, sentences: list[list[str]]) -> tuple[float, float]:
    engine.word_states(sentences[:3])  # warm-up
    start = time.perf_counter()
    for words in sentences:
        engine.word_states([words])
    one = len(sentences) / (time.perf_counter() - start)
    start = time.perf_counter()
    engine.word_states(sentences)
    return one, len(sentences) / (time.perf_counter() - start)


# One measurement in a process of its own: OpenMP reads its settings when
# the engine's library loads.
ONE_PER_CALL = """
import sys, time
sys.path.insert(0, {repo!r})
from tabir.redactors.detect.e5_engine import E5Engine
from scripts.casework_synth import generate
engine = E5Engine()
if sys.argv[1] == "one thread":
    engine.small_runs = None  # the C side's default: one thread under 64 tokens
sentences = [ex.text.split() for ex in generate(int(sys.argv[2]), 20261122)]
for words in sentences[:10]:
    engine.word_states([words])
start = time.perf_counter()
for words in sentences:
    engine.word_states([words])
print(len(sentences) / (time.perf_counter() - start))
"""
BUSY = "import time\nend = time.time() + 600\nwhile time.time() < end: pass"


def threads_by_load(count: int) -> None:
    print(f"{count} casework sentences one per call, e5 engine alone, sentences/s:")
    for load in ("quiet", "beside a busy process"):
        figures = {"one thread": [], "measured (shipped)": []}
        for _ in range(2):
            for way in figures:
                busy = subprocess.Popen([sys.executable, "-c", BUSY]) if load != "quiet" else None
                try:
                    done = subprocess.run([sys.executable, "-c", ONE_PER_CALL.format(repo=str(REPO)), way, str(count)],
                                          capture_output=True, text=True, check=True, env=dict(os.environ))
                finally:
                    if busy:
                        busy.kill()
                figures[way].append(float(done.stdout.strip().splitlines()[-1]))
        for way, values in figures.items():
            print(f"  {load:22} {way:20} {', '.join(f'{v:6.1f}' for v in values)}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--threads-by-load", action="store_true")
    args = parser.parse_args()
    if args.threads_by_load:
        threads_by_load(args.sentences)
        return 0
    sentences = [ex.text.split() for ex in generate(args.sentences, 20261122)]
    wheel, expanded = E5Engine(expand_weights=False), E5Engine(expand_weights=True)
    a, b = wheel.word_states(sentences[:20]), expanded.word_states(sentences[:20])
    gap = max(float(np.abs(x.first - y.first).max()) for x, y in zip(a, b))
    tokens = sum(len(wheel.pieces(w)) for s in sentences for w in s) / len(sentences)
    print(f"{len(sentences)} casework sentences, {tokens:.1f} tokens each; largest state difference {gap:.2e}")
    results = {}
    for name, engine in (("wheel (expands per call)", wheel), ("expanded once", expanded)):
        results[name] = speed(engine, sentences)
        print(f"{name:26} one per call {results[name][0]:6.1f} sentences/s   batched {results[name][1]:6.1f}")
    (w1, wb), (e1, eb) = results.values()
    print(f"ratio expanded/wheel: one per call {e1 / w1:.2f}x, batched {eb / wb:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
