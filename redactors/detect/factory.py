"""The text detector for a policy, built once per process: `tabir run`, the
service's drains, `tabir scan` and the review desk all get it here."""

from __future__ import annotations

from ..config import Config
from .base import TextDetector

_DETECTORS: dict[str, TextDetector] = {}
# Each holds spaCy models and the e5 head (hundreds of MB): the oldest goes
# when a new policy needs a detector beyond this many.
MAX_DETECTORS = 3


def detector_for(config: Config) -> TextDetector:
    """One detector per detection policy per process: loading the models
    takes seconds, and a change of redaction style needs no new detector."""
    key = repr(config.detection)
    if key not in _DETECTORS:
        from .presidio_text import PresidioDetector

        if len(_DETECTORS) >= MAX_DETECTORS:  # a long-running service whose policy was edited
            del _DETECTORS[next(iter(_DETECTORS))]
        _DETECTORS[key] = PresidioDetector(config.detection)
    return _DETECTORS[key]
