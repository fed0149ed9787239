"""Results a detector will ask for text by text, computed in batches.

A document's texts are detected one at a time, but a model reads many in
one call far faster: the Indonesian spaCy model read 2,000 casework
sentences in 1.39 s through `nlp.pipe` against 3.73 s one call each, with
the same entities (the second model 1.22 s against 3.49 s). A ReadAhead
is told which texts are coming (`expect`); when one of them is first
asked for (`get`), it and the next ones waiting are computed together.
Memory stays bounded: a batch at a time, and the last `keep` results.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from typing import Callable, Generic, Iterable, TypeVar

T = TypeVar("T")


class ReadAhead(Generic[T]):
    def __init__(self, compute: Callable[[list[str]], list[T]], batch: int = 128, keep: int = 1024):
        if keep < batch:
            raise ValueError("a ReadAhead must keep at least one batch of results")
        self._compute = compute
        self._batch = batch
        self._keep = keep
        self._pending: deque[str] = deque()
        self._waiting: set[str] = set()
        self._ready: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def expect(self, texts: Iterable[str]) -> None:
        """The texts about to be asked for, in the order they will be: they
        replace what an earlier document left unasked."""
        with self._lock:
            self._pending.clear()
            self._waiting.clear()
            for text in texts:
                if text not in self._waiting and text not in self._ready:
                    self._pending.append(text)
                    self._waiting.add(text)

    def get(self, text: str) -> T | None:
        """The result for `text`, or None when it was not expected (the
        caller computes it alone)."""
        with self._lock:
            if text in self._ready:
                return self._ready[text]
            if text not in self._waiting:
                return None
            while text in self._waiting:
                chunk = [self._pending.popleft() for _ in range(min(self._batch, len(self._pending)))]
                self._waiting.difference_update(chunk)
                results = self._compute(chunk)
                if len(results) != len(chunk):
                    raise RuntimeError(f"read-ahead: {len(results)} results for {len(chunk)} texts")
                for done, result in zip(chunk, results):
                    self._ready[done] = result
                while len(self._ready) > self._keep:
                    self._ready.popitem(last=False)
            return self._ready.get(text)
