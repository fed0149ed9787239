"""Train Tabir's Indonesian name and place models (spaCy, CPU, no vectors).

Tabir ships two, trained on the same data with different word
representations, used together (a name either finds is redacted):

    C="--conll ../shared/eval/ner/nergrit/train_preprocess.txt
       --conll ../shared/eval/ner/nerp/train_preprocess.txt
       --conll ../shared/eval/ner/idner-news-2k/train.txt --synthetic 6000"
    .venv/bin/python scripts/train_ner.py $C --char --width 128 --rows 12000 \
        --max-steps 7000 --out redactors/models/id_ner_char      # ~40 min, 2 cores
    .venv/bin/python scripts/train_ner.py $C --width 128 --rows 8000 \
        --max-steps 6000 --out redactors/models/id_ner_hash      # ~35 min

Only the train splits are used; the valid/dev splits stay for bench/detection.py.
5% of the training sentences are held out for model selection. Cased sentences
are also added lower-cased (one of the corpora and much user text is), and the
synthetic casework sentences (scripts/casework_synth.py, seed 7) teach the
model report language, honorifics and names from every region.
Labels: PERSON, LOCATION, ORG (ORG is learnt so that organisations are not
confused with people; it is not redacted by default).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin
from spacy.util import filter_spans

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.casework_synth import generate, news_examples  # noqa: E402

LABELS = {
    "PERSON": "PERSON", "PER": "PERSON", "PPL": "PERSON",
    "PLACE": "LOCATION", "LOC": "LOCATION", "PLC": "LOCATION", "LOCATION": "LOCATION",
    "ORGANISATION": "ORG", "ORG": "ORG", "IND": "ORG",
}
SYNTH_LABELS = {"PERSON": "PERSON", "LOCATION": "LOCATION"}
SYNTH_SEED = 7

CONFIG = """
[paths]
train = null
dev = null

[system]
gpu_allocator = null
seed = 0

[nlp]
lang = "id"
pipeline = ["tok2vec","ner"]
batch_size = 1000

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

EMBED

[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = WIDTH
depth = 4
window_size = 1
maxout_pieces = 3

[components.ner]
factory = "ner"

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 64
maxout_pieces = 2
use_upper = true
nO = null

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = ${components.tok2vec.model.encode.width}

[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${paths.train}
max_length = 0

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${paths.dev}
max_length = 0

[training]
gpu_allocator = null
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"
seed = ${system.seed}
dropout = 0.2
accumulate_gradient = 1
patience = 2000
max_epochs = 0
max_steps = MAX_STEPS
eval_frequency = 500
frozen_components = []
annotating_components = []
before_to_disk = null

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2
get_length = null

[training.batcher.size]
@schedules = "compounding.v1"
start = 100
stop = 1000
compound = 1.001
t = 0.0

[training.logger]
@loggers = "spacy.ConsoleLogger.v1"
progress_bar = false

[training.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
use_averages = true
eps = 0.00000001
learn_rate = 0.001

[training.score_weights]
ents_f = 1.0
ents_p = 0.0
ents_r = 0.0
ents_per_type = null

[initialize]
vectors = null
"""


# Word-form hashes with prefix, suffix and shape features...
HASH_EMBED = """[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = WIDTH
attrs = ["NORM","PREFIX","SUFFIX","SHAPE"]
rows = [ROWS,4000,4000,1000]
include_static_vectors = false"""
# ...or word forms plus the first and last characters of every word, which
# reads names never seen in training better (--char).
CHAR_EMBED = """[components.tok2vec.model.embed]
@architectures = "spacy.CharacterEmbed.v2"
width = WIDTH
rows = ROWS
nM = 64
nC = 8
include_static_vectors = false"""


def read_conll(path: Path) -> list[tuple[list[str], list[str]]]:
    sentences, words, tags = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip().replace("\r", "")
        if not line:
            if words:
                sentences.append((words, tags))
            words, tags = [], []
            continue
        parts = line.split()
        words.append(parts[0])
        tags.append(parts[-1] if len(parts) > 1 else "O")
    if words:
        sentences.append((words, tags))
    return sentences


def conll_doc(nlp, words: list[str], tags: list[str], lower: bool = False) -> Doc:
    if lower:
        words = [w.lower() for w in words]
    doc = Doc(nlp.vocab, words=words)
    spans, start, label = [], None, None
    for i, tag in enumerate(tags + ["O"]):
        prefix, _, kind = tag.partition("-")
        mapped = LABELS.get(kind)
        if start is not None and (prefix in ("B", "O") or mapped != label or not mapped):
            spans.append(doc.char_span(doc[start].idx, doc[i - 1].idx + len(doc[i - 1]), label=label))
            start, label = None, None
        if prefix == "B" and mapped or (prefix == "I" and mapped and start is None):
            start, label = i, mapped
    doc.ents = filter_spans([s for s in spans if s is not None])
    return doc


def synth_doc(nlp, example, lower: bool = False) -> Doc:
    text = example.text.lower() if lower else example.text
    doc = nlp.make_doc(text)
    spans = []
    for start, end, label in example.spans:
        if label in SYNTH_LABELS:
            span = doc.char_span(start, end, label=SYNTH_LABELS[label], alignment_mode="expand")
            if span is not None:
                spans.append(span)
    doc.ents = filter_spans(spans)
    return doc


def build_docs(nlp, conll_paths, synthetic: int, rng: random.Random, news: int = 0) -> list[Doc]:
    docs = []
    for path in conll_paths:
        sentences = read_conll(Path(path))
        cased = any(any(c.isupper() for c in w) for words, _ in sentences[:200] for w in words)
        for words, tags in sentences:
            docs.append(conll_doc(nlp, words, tags))
            if cased and rng.random() < 0.35:
                docs.append(conll_doc(nlp, words, tags, lower=True))
        print(f"{path}: {len(sentences)} sentences{' (+ lower-cased copies)' if cased else ''}")
    for example in generate(synthetic, SYNTH_SEED):
        docs.append(synth_doc(nlp, example, lower=rng.random() < 0.25))
    print(f"synthetic casework: {synthetic} sentences (seed {SYNTH_SEED})")
    for example in news_examples(news, SYNTH_SEED):
        docs.append(synth_doc(nlp, example, lower=rng.random() < 0.4))
    if news:
        print(f"synthetic news sentences with Indonesian and foreign names: {news} (seed {SYNTH_SEED})")
    return docs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conll", action="append", required=True, help="a CoNLL/BIO training file (repeatable)")
    parser.add_argument("--synthetic", type=int, default=6000)
    parser.add_argument("--max-steps", type=int, default=8000)
    parser.add_argument("--width", type=int, default=160, help="tok2vec width")
    parser.add_argument("--rows", type=int, default=16000, help="hash-embedding rows for word forms")
    parser.add_argument("--char", action="store_true", help="character embeddings (CharacterEmbed) instead of affix hashes")
    parser.add_argument("--news", type=int, default=0, help="synthetic news sentences with foreign names")
    parser.add_argument("--out", type=Path, required=True, help="model folder, e.g. redactors/models/id_ner_char")
    args = parser.parse_args()

    rng = random.Random(0)
    nlp = spacy.blank("id")
    docs = build_docs(nlp, args.conll, args.synthetic, rng, args.news)
    rng.shuffle(docs)
    cut = max(200, len(docs) // 20)
    dev, train = docs[:cut], docs[cut:]
    work = Path(tempfile.mkdtemp(prefix="tabir-train-"))
    DocBin(docs=train).to_disk(work / "train.spacy")
    DocBin(docs=dev).to_disk(work / "dev.spacy")
    config = CONFIG.replace("EMBED", CHAR_EMBED if args.char else HASH_EMBED)
    config = config.replace("MAX_STEPS", str(args.max_steps)).replace("WIDTH", str(args.width)).replace("ROWS", str(args.rows))
    (work / "config.cfg").write_text(config)
    print(f"training on {len(train)} sentences, selecting on {len(dev)}; work dir {work}")

    from spacy.cli.train import train

    train(work / "config.cfg", work / "output", overrides={
        "paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy"),
    })
    best = work / "output" / "model-best"
    if args.out.exists():
        shutil.rmtree(args.out)
    shutil.copytree(best, args.out)
    print(f"model written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
