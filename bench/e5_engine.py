"""The e5 engine's speed with the layers' weights expanded once per model
(Tabir's default) against the wheel engine's expansion on every call, on the
same casework sentences in one process; and whether the states agree.

    .venv/bin/python bench/e5_engine.py [--sentences 200]

Prints sentences/s one sentence per call (as Presidio asks) and all in one
batched call, for each, and the ratio."""

from __future__ import annotations

import argparse
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=200)
    args = parser.parse_args()
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
