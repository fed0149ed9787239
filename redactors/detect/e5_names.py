"""Names and places read by a small head on multilingual-e5 states.

Per word, the head sees the encoder's last-layer state of its first piece
and the mean of its pieces, the layer-8 state of the word and of its two
neighbours, and six shape flags (NAMES_NOTES.md measured which of these
help). It says O, PERSON or LOCATION per word; consecutive words of one type
are one span. Trained by scripts/train_e5_head.py on the public Indonesian
NER train splits and synthetic casework; weights in models/e5_names/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .e5_engine import E5Engine, WordStates, shared_engine

HEAD = Path(__file__).resolve().parent.parent / "models" / "e5_names" / "head.npz"
CLASSES = ("O", "PERSON", "LOCATION")
_WORD = re.compile(r"\w+(?:[-'\u2019]\w+)*|[^\w\s]", re.UNICODE)
# Where a long text is cut into pieces the encoder reads at once.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\u00C0-\u024F\"'(])|\n+")
MAX_WORDS = 120
BATCH_TEXTS = 256  # texts read ahead per engine call (read_many)


def words_of(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]


def shape_flags(words: list[str]) -> np.ndarray:
    flags = np.zeros((len(words), 6), np.float32)
    for i, word in enumerate(words):
        flags[i] = (word[:1].isupper(), word.isupper() and len(word) > 1, any(c.isdigit() for c in word),
                    not any(c.isalnum() for c in word), i == 0, word.islower())
    return flags


def features(states: WordStates, words: list[str]) -> np.ndarray:
    mid = states.mid
    zero = np.zeros((1, mid.shape[1]), np.float32)
    previous = np.vstack([zero, mid[:-1]]) if len(words) else mid
    following = np.vstack([mid[1:], zero]) if len(words) else mid
    return np.hstack([states.first, states.mean, mid, previous, following, shape_flags(words)]).astype(np.float32)


@dataclass
class NameHead:
    mean: np.ndarray
    scale: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    thresholds: dict[str, float]

    @classmethod
    def load(cls, path: Path = HEAD) -> "NameHead":
        one_blas_thread()
        data = np.load(path)
        return cls(*(data[k].astype(np.float32) for k in ("mean", "scale", "w1", "b1", "w2", "b2")),
                   thresholds={"PERSON": float(data["t_person"]), "LOCATION": float(data["t_location"])})

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        hidden = np.maximum(((x - self.mean) / self.scale) @ self.w1 + self.b1, 0.0)
        logits = hidden @ self.w2 + self.b2
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)


def one_blas_thread() -> None:
    """Hold numpy's BLAS to one thread in this process. The head's products
    are small (a sentence's ~25 words by 1926 by 256) and BLAS's threads cost
    more to wake than they save, most when the other core is busy: with
    another process on one core, 1.39 ms a sentence with two OpenBLAS threads
    against 0.51 ms with one, and 6.6 ms in the detector, whose e5 engine's
    OpenMP threads had just run (cProfile, 300 casework sentences); on a
    quiet machine 0.61 against 0.49 ms. Nothing else in Tabir does large
    products in numpy (spaCy's go through blis, faces through ONNX Runtime).
    Worker processes already start with one."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def _pieces(text: str) -> list[list[tuple[int, int]]]:
    """The word offsets of each piece of `text` the encoder reads at once:
    sentences, cut at MAX_WORDS."""
    pieces = []
    position = 0
    for part in _SENTENCE_END.split(text) + [""]:
        start = text.find(part, position) if part else len(text)
        offsets = [(start + a, start + b) for a, b in words_of(part)]
        position = start + len(part)
        for i in range(0, len(offsets), MAX_WORDS):
            if offsets[i:i + MAX_WORDS]:
                pieces.append(offsets[i:i + MAX_WORDS])
    return pieces


class E5NameFinder:
    """(start, end, type, score) of names and places in a text."""

    def __init__(self, engine: E5Engine | None = None, head: NameHead | None = None):
        self.engine = engine or shared_engine()
        self.head = head or NameHead.load()
        self._last: tuple[str, list] | None = None
        self._document: dict[str, list] = {}

    def read(self, text: str) -> list[tuple[list[tuple[int, int]], np.ndarray]]:
        """Per piece of text the encoder reads at once: the word offsets and
        the head's probabilities (O, PERSON, LOCATION) per word. The last
        text's reading is kept (Presidio asks two recognizers about the same
        text one after the other: the head, then the spaCy names it
        confirms), and so are the readings of the last `read_many`."""
        last = self._last  # one read of each attribute: safe if threads share the finder
        if last is not None and last[0] == text:
            return last[1]
        readings = self._document.get(text)
        if readings is None:
            readings = self._read_all([text])[text]
        self._last = (text, readings)
        return readings

    def read_many(self, texts: list[str]) -> None:
        """Read a document's texts ahead, in batches: the engine reads a
        batch about twice as fast as the same sentences one call each
        (bench/e5_engine.py). Kept until the next document's read_many."""
        wanted = [t for t in dict.fromkeys(texts) if t.strip()]
        document: dict[str, list] = {}
        for i in range(0, len(wanted), BATCH_TEXTS):  # states are large: keep only a batch's at once
            document.update(self._read_all(wanted[i:i + BATCH_TEXTS]))
        self._document = document

    def _read_all(self, texts: list[str]) -> dict[str, list]:
        pieces = [(text, offsets) for text in texts for offsets in _pieces(text)]
        sentences = [tuple(text[a:b] for a, b in offsets) for text, offsets in pieces]
        # A piece is read on its own (no state crosses pieces, and the engine
        # quantises each token's activations apart), so a piece written
        # again (a report's headers, footers and stock sentences: 21% of the
        # pieces of bench/whole_process.py's casework PDF) is read once.
        unique = list(dict.fromkeys(sentences))
        states = self.engine.word_states([list(words) for words in unique]) if unique else []
        probabilities = {words: self.head.probabilities(features(state, list(words)))
                         for words, state in zip(unique, states)}
        readings: dict[str, list] = {text: [] for text in texts}
        for (text, offsets), words in zip(pieces, sentences):
            readings[text].append((offsets, probabilities[words]))
        return readings

    def find(self, text: str) -> list[tuple[int, int, str, float]]:
        found = []
        for offsets, probabilities in self.read(text):
            found += self._spans(offsets, probabilities)
        return found

    def highest(self, text: str, start: int, end: int, entity: str) -> float:
        """The head's highest probability of `entity` over the words of
        text[start:end] (0.0 when no word lies there)."""
        column = CLASSES.index(entity)
        best = 0.0
        for offsets, probabilities in self.read(text):
            for (a, b), p in zip(offsets, probabilities):
                if a < end and start < b:
                    best = max(best, float(p[column]))
        return best

    def _spans(self, offsets, probabilities) -> list[tuple[int, int, str, float]]:
        labels = []
        for p in probabilities:
            best = "PERSON" if p[1] >= p[2] else "LOCATION"
            score = float(p[CLASSES.index(best)])
            labels.append((best, score) if score >= self.head.thresholds[best] else (None, 0.0))
        spans, i = [], 0
        while i < len(labels):
            kind = labels[i][0]
            if kind is None:
                i += 1
                continue
            j = i
            while j + 1 < len(labels) and labels[j + 1][0] == kind:
                j += 1
            score = min(s for _, s in labels[i:j + 1])
            spans.append((offsets[i][0], offsets[j][1], kind, score))
            i = j + 1
        return spans
