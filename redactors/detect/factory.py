"""The text detector for a policy, built once per process: `tabir run`, the
service's drains, `tabir scan` and the review desk all get it here."""

from __future__ import annotations

import threading

from ..config import Config
from .base import TextDetector, detect_skipping, load_models, prefetch

_DETECTORS: dict[str, TextDetector] = {}
_BUILDING = threading.Lock()  # a detector being built is waited for, never built twice
# Each holds spaCy models and the e5 head (hundreds of MB): the oldest goes
# when a new policy needs a detector beyond this many.
MAX_DETECTORS = 3


def detector_for(config: Config) -> TextDetector:
    """One detector per detection policy per process: loading the models
    takes seconds, and a change of redaction style needs no new detector."""
    key = repr(config.detection)
    with _BUILDING:
        if key not in _DETECTORS:
            from .presidio_text import PresidioDetector

            if len(_DETECTORS) >= MAX_DETECTORS:  # a long-running service whose policy was edited
                del _DETECTORS[next(iter(_DETECTORS))]
            _DETECTORS[key] = PresidioDetector(config.detection)
        return _DETECTORS[key]


class LazyDetector:
    """The policy's detector, loaded at its first use: a process that only
    publishes what worker processes redacted never loads the models."""

    def __init__(self, config: Config):
        self._config = config
        self._detector: TextDetector | None = None

    def _loaded(self) -> TextDetector:
        if self._detector is None:
            self._detector = detector_for(self._config)
        return self._detector

    def detect(self, text: str):
        return self._loaded().detect(text)

    def load_models(self) -> None:
        load_models(self._loaded())

    def detect_skipping(self, text: str, skip: frozenset[str]):
        return detect_skipping(self._loaded(), text, skip)

    def prefetch(self, texts: list[str]) -> None:
        prefetch(self._loaded(), texts)
