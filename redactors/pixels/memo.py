"""What was computed from a picture's pixels, remembered by a digest of
those pixels (a few pictures' worth). Redaction reads its own decoded
output the way verification and the second look will; with this, the face
pyramid (2.6 s on a 12 MP photo) and OCR run once for those pixels."""

from __future__ import annotations

import hashlib
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

import numpy as np

T = TypeVar("T")


class PixelMemo(Generic[T]):
    def __init__(self, kept: int = 8):
        self.kept = kept
        self._results: OrderedDict[tuple, T] = OrderedDict()

    def get(self, pixels: np.ndarray, compute: Callable[[np.ndarray], T], key: object = None) -> T:
        """`key`: anything else the result depends on (a threshold)."""
        key = self._key(pixels, key)
        if key in self._results:
            self._results.move_to_end(key)
            return self._results[key]
        self._results[key] = result = compute(pixels)
        while len(self._results) > self.kept:
            self._results.popitem(last=False)
        return result

    def peek(self, pixels: np.ndarray, key: object = None) -> T | None:
        """What is remembered for these pixels, or None."""
        return self._results.get(self._key(pixels, key))

    @staticmethod
    def _key(pixels: np.ndarray, key: object) -> tuple:
        return (pixels.shape, digest(pixels), key)

    def clear(self) -> None:
        self._results.clear()


# Digests of read-only pictures that own their pixels, by object: a 12 MP
# picture's digest takes 34 ms, and one photo's decoded pixels are looked
# up eight to ten times (faces, text, verification, the second look).
_DIGESTS: dict[int, tuple[weakref.ref, bytes]] = {}


def digest(pixels: np.ndarray) -> bytes:
    """A digest of the pixels. Remembered only for an array that owns its
    pixels and is read-only (`frozen`): nothing can change such pixels
    under their digest, and a writeable array is digested every time."""
    reusable = pixels.base is None and not pixels.flags.writeable
    if reusable:
        known = _DIGESTS.get(id(pixels))
        if known is not None and known[0]() is pixels:
            return known[1]
    value = hashlib.blake2b(np.ascontiguousarray(pixels).data, digest_size=20).digest()
    if reusable:
        for stale in [k for k, (ref, _) in _DIGESTS.items() if ref() is None]:
            del _DIGESTS[stale]
        _DIGESTS[id(pixels)] = (weakref.ref(pixels), value)
    return value


def frozen(pixels: np.ndarray) -> np.ndarray:
    """The pixels, read-only, in an array of their own (see digest)."""
    if pixels.base is not None:
        pixels = pixels.copy()
    pixels.flags.writeable = False
    return pixels
