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
