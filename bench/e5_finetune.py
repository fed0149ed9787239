"""Does fine-tuning multilingual-e5's top layers beat the shipped name head
on a frozen encoder? (#13 asked; measured 2026-11-29: no, see README.)

    .venv/bin/pip install -e '.[experiments]'     # autograd
    .venv/bin/python bench/e5_finetune.py [--eval ../shared/eval/ner] [--cache /tmp/e5tokens]
        [--start shipped|fresh] [--top 2] [--epochs 1] [--lr 3e-5] [--head-lr 1e-4]

The C engine runs the first layers (4-bit, frozen) once per sentence; the
top `--top` layers run in float, start from the model's own weights, and
are trained together with the head: from the shipped head (`shipped`,
linear probe then fine-tune) or from a new one (`fresh`). Same data as
scripts/train_e5_head.py (the three train splits and 3,000 synthetic
casework sentences, seed 7; a tenth held out for the thresholds), dev splits
with their train duplicates removed. Printed per split for the shipped head
(its features computed the same way, through the untrained float top
layers) and the fine-tuned model: PERSON and LOCATION F1 at the best
threshold, recall where precision first reaches 0.90 (PERSON) / 0.85
(LOCATION), and precision/recall at the thresholds chosen on the held-out
tenth. Gradients come from `autograd` (pure numpy); about 6 minutes an
epoch on two cores.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as onp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tabir.redactors.detect.e5_engine import LAYER_PARAMS, MID_LAYER, E5Engine  # noqa: E402
from tabir.redactors.detect.e5_names import HEAD, shape_flags  # noqa: E402
from scripts.train_e5_head import (DEV, choose_thresholds, dev_sentences, predict, scores,  # noqa: E402
                                   training_data)

HIDDEN_UNITS = 256


# ---- the engine's part: states below the top layers, computed once ----

def token_states(engine: E5Engine, sentences, first_top: int, cache: Path | None, name: str) -> dict:
    """Per segment (a sentence, or a window of a long one): every token's
    state before the top layers (<s> and </s> included), the layer-8 state
    of each word's first piece, where each word's pieces lie, its label and
    shape flags."""
    path = cache / f"{name}.npz" if cache else None
    if path and path.exists():
        return _indexed(dict(onp.load(path)))
    started = time.time()
    states, offsets, mids, firsts, counts, labels, flags, words_per = [], [0], [], [], [], [], [], []
    for begin in range(0, len(sentences), 128):
        segments, meta = [], []
        for words, tags in sentences[begin:begin + 128]:
            start, pieces, used = 0, [], 0
            for number, word in enumerate(words):
                ids = engine.pieces(word)
                if used + len(ids) > engine.max_tokens and pieces:
                    segments.append(pieces)
                    meta.append((start, words, tags))
                    start, pieces, used = number, [], 0
                pieces.append(ids)
                used += len(ids)
            segments.append(pieces)
            meta.append((start, words, tags))
        below = engine.segment_states([[i for p in s for i in p] for s in segments], first_top, MID_LAYER)
        for (every, mid), pieces, (start, words, tags) in zip(below, segments, meta):
            first = onp.cumsum([1] + [len(p) for p in pieces[:-1]])  # 1: after <s>
            states.append(every.astype(onp.float16))
            offsets.append(offsets[-1] + len(every))
            firsts.append(first)
            counts.append([len(p) for p in pieces])
            mids.append(mid[first - 1].astype(onp.float16))
            labels.append(tags[start:start + len(pieces)])
            flags.append(shape_flags(words[start:start + len(pieces)]))
            words_per.append(len(pieces))
    data = {"x": onp.vstack(states), "offsets": onp.array(offsets), "mid": onp.vstack(mids),
            "first": onp.concatenate(firsts).astype(onp.int16), "count": onp.concatenate(counts).astype(onp.int16),
            "y": onp.concatenate(labels).astype(onp.int8), "flags": onp.vstack(flags), "words": onp.array(words_per)}
    print(f"  {name}: {len(sentences)} sentences, {len(data['y'])} words, "
          f"{len(sentences) / (time.time() - started):.1f} sentences/s")
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        onp.savez(path, **data)
    return _indexed(data)


def _indexed(data: dict) -> dict:
    data["word_offsets"] = onp.concatenate([[0], onp.cumsum(data["words"])])
    return data


def batch_inputs(data: dict, segments) -> tuple:
    """Padded states, attention mask, and what turns token states into word
    features: the rows of first pieces, a pooling matrix for the means, the
    layer-8 states of each word and its neighbours, shape flags; labels."""
    T = max(data["offsets"][i + 1] - data["offsets"][i] for i in segments)
    B, H = len(segments), data["x"].shape[1]
    x = onp.zeros((B, T, H), onp.float32)
    mask = onp.full((B, 1, 1, T), -1e9, onp.float32)
    firsts, rows, cols, values, mids, flags, labels = [], [], [], [], [], [], []
    for b, i in enumerate(segments):
        n = data["offsets"][i + 1] - data["offsets"][i]
        x[b, :n] = data["x"][data["offsets"][i]:data["offsets"][i + 1]]
        mask[b, 0, 0, :n] = 0
        a, z = data["word_offsets"][i], data["word_offsets"][i + 1]
        for w in range(a, z):
            first, count = int(data["first"][w]), int(data["count"][w])
            firsts.append(b * T + first)
            rows += [len(firsts) - 1] * count
            cols += range(b * T + first, b * T + first + count)
            values += [1.0 / count] * count
        mid = data["mid"][a:z].astype(onp.float32)
        zero = onp.zeros((1, H), onp.float32)
        mids.append(onp.hstack([mid, onp.vstack([zero, mid[:-1]]), onp.vstack([mid[1:], zero])]))
        flags.append(data["flags"][a:z])
        labels.append(data["y"][a:z])
    pool = onp.zeros((len(firsts), B * T), onp.float32)
    pool[rows, cols] = values
    return (x, mask, onp.array(firsts), pool, onp.vstack(mids), onp.vstack(flags).astype(onp.float32),
            onp.concatenate(labels).astype(int))


# ---- the trained part: top layers and head, differentiable ----

def model(np, erf, eps: float, heads: int = 12):
    """The top layers and the head written once for autograd's numpy (the
    same arithmetic as TopLayers and NameHead at run time, batched)."""
    def linear(x, w, b):
        shape = x.shape
        return np.reshape(np.matmul(np.reshape(x, (-1, shape[-1])), w.T), shape[:-1] + (w.shape[0],)) + b

    def norm(x, w, b):
        mean = np.mean(x, axis=-1, keepdims=True)
        var = np.mean((x - mean) ** 2, axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(var + eps) * w + b

    def layer(x, mask, p):
        B, T, H = x.shape
        hd = H // heads

        def split(y):
            return np.transpose(np.reshape(y, (B, T, heads, hd)), (0, 2, 1, 3))
        q, k, v = (split(linear(x, p[w], p[f"{w}b"])) for w in ("q", "k", "v"))
        scores = np.matmul(q, np.transpose(k, (0, 1, 3, 2))) / onp.sqrt(hd) + mask
        scores = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
        scores = scores / np.sum(scores, axis=-1, keepdims=True)
        context = np.reshape(np.transpose(np.matmul(scores, v), (0, 2, 1, 3)), (B, T, H))
        x = norm(x + linear(context, p["o"], p["ob"]), p["aln_w"], p["aln_b"])
        inner = linear(x, p["fi"], p["fib"])
        inner = 0.5 * inner * (1 + erf(inner / onp.sqrt(2)))
        return norm(x + linear(inner, p["fo"], p["fob"]), p["oln_w"], p["oln_b"])

    def features(params, x, mask, firsts, pool, mids, flags):
        for p in params["layers"]:
            x = layer(x, mask, p)
        B, T, H = x.shape
        flat = np.reshape(x, (B * T, H))
        return np.concatenate([flat[firsts], np.dot(pool, flat), mids, flags], axis=1)

    def logits(params, inputs, standard, dropout=None):
        z = (features(params, *inputs) - standard[0]) / standard[1]
        if dropout is not None:
            z = z * dropout
        head = params["head"]
        hidden = np.maximum(np.dot(z, head["w1"]) + head["b1"], 0)
        out = np.dot(hidden, head["w2"]) + head["b2"]
        return out - np.max(out, axis=1, keepdims=True)

    return features, logits


def shipped_model(engine: E5Engine, first_top: int):
    """The shipped head on the engine's own top layers, run in float."""
    import autograd.numpy as anp
    from autograd.scipy.special import erf

    _, logits = model(anp, erf, engine.eps)
    head = onp.load(HEAD)
    params = {"layers": [engine.layer_params(layer) for layer in range(first_top, engine.layers)],
              "head": {k: head[k].astype(onp.float32) for k in ("w1", "b1", "w2", "b2")}}
    return params, (head["mean"].astype(onp.float32), head["scale"].astype(onp.float32)), logits


def fine_tune(engine: E5Engine, train: dict, first_top: int, epochs: int, lr: float, head_lr: float,
              start=None, batch: int = 32, dropout: float = 0.1, seed: int = 0):
    """Adam with warm-up and linear decay, input dropout on the head's
    features, decoupled weight decay. `start`: (params, standardisation)
    to begin from; None: the model's own layers and a new head."""
    import autograd.numpy as anp
    from autograd import grad
    from autograd.scipy.special import erf

    features, logits = model(anp, erf, engine.eps)
    rng = onp.random.default_rng(seed)
    d = 5 * engine.hidden + 6
    params = {"layers": [engine.layer_params(layer) for layer in range(first_top, engine.layers)],
              "head": {"w1": rng.normal(0, onp.sqrt(2 / d), (d, HIDDEN_UNITS)).astype(onp.float32),
                       "b1": onp.zeros(HIDDEN_UNITS, onp.float32),
                       "w2": rng.normal(0, onp.sqrt(1 / HIDDEN_UNITS), (HIDDEN_UNITS, 3)).astype(onp.float32),
                       "b2": onp.zeros(3, onp.float32)}}
    if start is not None:
        params = {"layers": [{k: v.copy() for k, v in p.items()} for p in start[0]["layers"]],
                  "head": {k: v.copy() for k, v in start[0]["head"].items()}}
        standard = start[1]
    else:
        # Standardise the features as the untuned layers give them (2,000 segments).
        sample = [onp.asarray(features(params, *batch_inputs(train, part)[:-1]))
                  for part in onp.array_split(rng.permutation(len(train["words"]))[:2000], 40)]
        sample = onp.vstack(sample)
        standard = (sample.mean(axis=0).astype(onp.float32), (sample.std(axis=0) + 1e-3).astype(onp.float32))

    def loss(params, inputs, labels, drop):
        out = logits(params, inputs, standard, drop)
        log_p = out - anp.log(anp.sum(anp.exp(out), axis=1, keepdims=True))
        return -anp.mean(log_p[onp.arange(len(labels)), labels])

    gradient = grad(loss)
    keys = [("layers", i, k) for i in range(len(params["layers"])) for k in LAYER_PARAMS] + \
           [("head", None, k) for k in params["head"]]

    def slot(tree, key):
        return tree["layers"][key[1]] if key[0] == "layers" else tree["head"]

    moments = {key: (onp.zeros_like(slot(params, key)[key[2]]), onp.zeros_like(slot(params, key)[key[2]])) for key in keys}
    count = len(train["words"])
    steps = epochs * -(-count // batch)
    step = 0
    for epoch in range(epochs):
        # Similar lengths together (less padding), batches in random order.
        order = rng.permutation(count)
        batches = []
        for chunk in (order[i:i + batch * 50] for i in range(0, count, batch * 50)):
            chunk = chunk[onp.argsort(train["offsets"][chunk + 1] - train["offsets"][chunk])]
            batches += [chunk[i:i + batch] for i in range(0, len(chunk), batch)]
        rng.shuffle(batches)
        started, total = time.time(), 0.0
        for segments in batches:
            *inputs, labels = batch_inputs(train, segments)
            keep = (rng.random((len(labels), d), dtype=onp.float32) > dropout) / onp.float32(1 - dropout)
            grads = gradient(params, tuple(inputs), labels, keep)
            step += 1
            # Linear warm-up over 100 steps, then linear decay to zero.
            schedule = min(1.0, step / 100) * (1 - step / (steps + 1))
            for key in keys:
                value, g = slot(params, key)[key[2]], slot(grads, key)[key[2]]
                m, v = moments[key]
                m *= 0.9
                m += 0.1 * g
                v *= 0.999
                v += 0.001 * g * g
                rate = (lr if key[0] == "layers" else head_lr) * schedule
                value -= rate * (m / (1 - 0.9 ** step)) / (onp.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
                if value.ndim == 2:
                    value -= rate * 0.01 * value  # decoupled weight decay
            total += len(segments)
        print(f"  epoch {epoch + 1}: {total} segments, {time.time() - started:.0f} s")
    return params, standard, logits


def probabilities(params, standard, logits, data: dict) -> onp.ndarray:
    out = []
    for part in range(0, len(data["words"]), 64):
        *inputs, _ = batch_inputs(data, onp.arange(part, min(part + 64, len(data["words"]))))
        z = onp.asarray(logits(params, tuple(inputs), standard))
        p = onp.exp(z)
        out.append(p / p.sum(axis=1, keepdims=True))
    return onp.vstack(out)


def curve(p: onp.ndarray, y: onp.ndarray, cls: int, precision: float) -> tuple[float, float]:
    """Best F1 over thresholds, and the recall where precision first
    reaches `precision` as the threshold rises."""
    score = onp.where(p[:, cls] >= p[:, 3 - cls], p[:, cls], 0)
    best, recall_at = 0.0, 0.0
    for t in onp.arange(0.02, 0.99, 0.01):
        pred = score >= t
        tp = int((pred & (y == cls)).sum())
        P, R = tp / max(1, int(pred.sum())), tp / max(1, int((y == cls).sum()))
        best = max(best, 2 * P * R / max(1e-9, P + R))
        if P >= precision and not recall_at:
            recall_at = R
    return best, recall_at


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval" / "ner")
    parser.add_argument("--synthetic", type=int, default=3000)
    parser.add_argument("--cache", type=Path, default=None, help="keep the engine's states here between runs")
    parser.add_argument("--start", choices=("shipped", "fresh"), default="shipped")
    parser.add_argument("--top", type=int, default=2, help="how many top layers to fine-tune")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=3e-5, help="learning rate of the top layers")
    parser.add_argument("--head-lr", type=float, default=1e-4)
    parser.add_argument("--limit", type=int, default=0, help="train on this many segments only (a quick check)")
    args = parser.parse_args()
    engine = E5Engine()
    first_top = engine.layers - args.top
    tune_sentences, train_sentences, seen = training_data(args.eval, args.synthetic)
    print(f"training sentences: {len(train_sentences)}, tuning: {len(tune_sentences)}; top {args.top} layers, "
          f"start {args.start}, {args.epochs} epoch(s), lr {args.lr}, head lr {args.head_lr}")
    tune = token_states(engine, tune_sentences, first_top, args.cache, f"tune_{first_top}")
    train = token_states(engine, train_sentences, first_top, args.cache, f"train_{first_top}")
    if args.limit:
        train = _indexed({k: v for k, v in train.items() if k != "word_offsets"} | {"words": train["words"][:args.limit]})
    dev = {}
    for name, path in DEV.items():
        dev[name] = token_states(engine, dev_sentences(args.eval, path, seen), first_top, args.cache,
                                 f"{name.replace('/', '_')}_{first_top}")
    shipped, standard, logits = shipped_model(engine, first_top)
    tuned, tuned_standard, _ = fine_tune(engine, train, first_top, args.epochs, args.lr, args.head_lr,
                                         start=(shipped, standard) if args.start == "shipped" else None)
    print(f"\n{'split':20} {'model':9} {'PER F1':>7} {'R@P.90':>7} {'LOC F1':>7} {'R@P.85':>7}   at the tuned thresholds")
    for label, params, std in (("shipped", shipped, standard), ("tuned", tuned, tuned_standard)):
        thresholds = choose_thresholds(probabilities(params, std, logits, tune), tune["y"])
        for name, data in dev.items():
            p = probabilities(params, std, logits, data)
            (pf, pr), (lf, lr) = curve(p, data["y"], 1, 0.90), curve(p, data["y"], 2, 0.85)
            pred = predict(p, thresholds)
            (pp, pr2), (lp, lr2) = scores(pred, data["y"], 1), scores(pred, data["y"], 2)
            print(f"{name:20} {label:9} {pf:7.3f} {pr:7.3f} {lf:7.3f} {lr:7.3f}   "
                  f"PER {pp:.3f}/{pr2:.3f} LOC {lp:.3f}/{lr2:.3f} (t {thresholds['PERSON']}/{thresholds['LOCATION']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
