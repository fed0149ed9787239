"""The contract every text detector keeps. Format handlers only see this, so
the detector can grow (Indonesian recognizers, a trained NER model) without
touching them."""

from __future__ import annotations

from typing import Protocol

from ..model import TextSpan


class TextDetector(Protocol):
    def detect(self, text: str) -> list[TextSpan]:
        """Spans of personal data in `text`, already filtered by the policy
        (entity types, thresholds, allow-list), not overlapping."""
        ...


def prefetch(detector, texts: list[str]) -> None:
    """Tell `detector` (if it can use it: a `prefetch` method) which texts
    it is about to be asked about one by one, so it can read them in
    batches. Detectors that wrap another pass it on."""
    hint = getattr(detector, "prefetch", None)
    if hint is not None:
        hint(texts)


def load_models(detector) -> None:
    """Let `detector` (if it can: a `load_models` method) load its models
    now instead of at its first text. Detectors that wrap another pass it
    on."""
    load = getattr(detector, "load_models", None)
    if load is not None:
        load()


def detect_skipping(detector, text: str, skip: frozenset[str]) -> list:
    """detector.detect(text), telling a detector that can use it (a
    `detect_skipping` method) which entity types the caller drops anyway, so
    it may leave out the work of finding them. The caller still filters:
    a detector without the method, or one that finds them anyway, is not
    wrong, only slower."""
    hint = getattr(detector, "detect_skipping", None)
    return hint(text, skip) if hint is not None else detector.detect(text)
