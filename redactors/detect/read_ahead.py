"""Results a detector will ask for text by text, computed in batches.

A document's texts are detected one at a time, but a model reads many in
one call far faster: the Indonesian spaCy model read 2,000 casework
sentences in 1.39 s through `nlp.pipe` against 3.73 s one call each, with
the same entities (the second model 1.22 s against 3.49 s). A ReadAhead
is told which texts are coming (`expect`); when one of them is first
asked for (`get`), it and the next ones waiting are computed together.
A result is kept until the last time its text is expected to be asked
for (stock sentences and headers come back), so memory holds about a
batch: a page's Doc is a few hundred kB, and a first version that kept
the last 1,024 results took a 1,000-page PDF's peak to 1,219 MB (729 MB
without read-ahead; 724 MB now, bench/scaling.py). At most `keep`
results wait (texts expected but never asked for).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict, deque
from typing import Callable, Generic, Iterable, TypeVar

T = TypeVar("T")


class ReadAhead(Generic[T]):
    def __init__(self, compute: Callable[[list[str]], list[T]], batch: int = 128, keep: int = 256,
                 batch_chars: int = 32_000):
        if keep < batch:
            raise ValueError("a ReadAhead must keep at least one batch of results")
        self._compute = compute
        self._batch = batch
        # A batch also ends at this many characters: with 128 pages a batch,
        # the model's activations held a 1,000-page PDF's peak at 1,042 MB
        # (724 MB with this bound), and a page gains nothing from company
        # (it is one long call already).
        self._batch_chars = batch_chars
        self._keep = keep
        self._pending: deque[str] = deque()
        self._waiting: set[str] = set()
        self._uses: Counter[str] = Counter()  # times each text is still to be asked for
        self._ready: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def expect(self, texts: Iterable[str]) -> None:
        """The texts about to be asked for, in the order they will be: they
        replace what an earlier document left unasked."""
        with self._lock:
            self._pending.clear()
            self._waiting.clear()
            self._uses.clear()
            for text in texts:
                self._uses[text] += 1
                if text not in self._waiting and text not in self._ready:
                    self._pending.append(text)
                    self._waiting.add(text)

    def get(self, text: str) -> T | None:
        """The result for `text`, or None when it was not expected, or not
        that many times (the caller computes it alone)."""
        with self._lock:
            if text not in self._ready and text not in self._waiting:
                return None
            while text in self._waiting:
                chunk = self._next_chunk()
                self._waiting.difference_update(chunk)
                results = self._compute(chunk)
                if len(results) != len(chunk):
                    raise RuntimeError(f"read-ahead: {len(results)} results for {len(chunk)} texts")
                for done, result in zip(chunk, results):
                    self._ready[done] = result
                while len(self._ready) > self._keep:
                    self._ready.popitem(last=False)
            self._uses[text] -= 1
            if self._uses[text] > 0:
                return self._ready.get(text)
            del self._uses[text]
            return self._ready.pop(text, None)

    def _next_chunk(self) -> list[str]:
        """The next texts waiting, up to `batch` of them and `batch_chars`
        characters (at least one)."""
        chunk, size = [], 0
        while self._pending and len(chunk) < self._batch:
            if chunk and size + len(self._pending[0]) > self._batch_chars:
                break
            chunk.append(self._pending.popleft())
            size += len(chunk[-1])
        return chunk
