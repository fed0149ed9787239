"""Text detection with Presidio's AnalyzerEngine.

Built once per process (loading spaCy takes a second or two) and shared by
every file. The policy decides which entity types count, the score thresholds,
and the allow and deny lists.
"""

from __future__ import annotations

import logging
import re

from presidio_analyzer import AnalyzerEngine, PatternRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

from ..config import DetectionPolicy
from ..model import TextSpan
from .offline import ENGLISH_MODEL, OfflineEmailRecognizer, require_installed_model

# Presidio's own defaults (conf/default.yaml), kept explicit so that an upgrade
# of Presidio does not change what we redact without us noticing.
_NER_LABELS = {
    "PER": "PERSON",
    "PERSON": "PERSON",
    "NORP": "NRP",
    "FAC": "LOCATION",
    "LOC": "LOCATION",
    "GPE": "LOCATION",
    "LOCATION": "LOCATION",
    "DATE": "DATE_TIME",
    "TIME": "DATE_TIME",
}
_NER_IGNORED = [
    "ORG", "ORGANIZATION", "CARDINAL", "EVENT", "LANGUAGE", "LAW", "MONEY",
    "ORDINAL", "PERCENT", "PRODUCT", "QUANTITY", "WORK_OF_ART",
]


# Presidio warns about every recognizer of a language we do not load.
logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)


class PresidioDetector:
    """TextDetector backed by Presidio with its built-in recognizers."""

    def __init__(self, policy: DetectionPolicy):
        self.policy = policy
        self._allow = {value.casefold() for value in policy.allow_list}
        self.engine = self._build_engine(policy)

    @staticmethod
    def _build_engine(policy: DetectionPolicy) -> AnalyzerEngine:
        nlp_engine = SpacyNlpEngine(
            models=[{"lang_code": "en", "model_name": require_installed_model(ENGLISH_MODEL)}],
            ner_model_configuration=NerModelConfiguration(
                model_to_presidio_entity_mapping=_NER_LABELS,
                labels_to_ignore=_NER_IGNORED,
            ),
        )
        nlp_engine.load()
        registry = RecognizerRegistry(supported_languages=["en"])
        registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
        registry.remove_recognizer("EmailRecognizer")
        registry.add_recognizer(OfflineEmailRecognizer())
        for entity_type, values in policy.deny_list.items():
            registry.add_recognizer(
                PatternRecognizer(
                    supported_entity=entity_type,
                    name=f"DenyList{entity_type.title().replace('_', '')}",
                    deny_list=list(values),
                    deny_list_score=1.0,
                    global_regex_flags=re.IGNORECASE | re.MULTILINE | re.DOTALL,
                )
            )
        return AnalyzerEngine(
            registry=registry, nlp_engine=nlp_engine, supported_languages=["en"]
        )

    def supported_entities(self) -> list[str]:
        return sorted(self.engine.get_supported_entities(language="en"))

    def detect(self, text: str) -> list[TextSpan]:
        if not text.strip():
            return []
        results = self.engine.analyze(
            text=text,
            language="en",
            entities=list(self.policy.entities) if self.policy.entities else None,
        )
        spans = []
        for r in results:
            if r.score < self.policy.threshold_for(r.entity_type):
                continue
            if text[r.start:r.end].strip().casefold() in self._allow:
                continue
            recognizer = (r.recognition_metadata or {}).get("recognizer_name", "unknown")
            spans.append(TextSpan(r.start, r.end, r.entity_type, float(r.score), recognizer))
        return drop_contained(spans)


def drop_contained(spans: list[TextSpan]) -> list[TextSpan]:
    """Remove spans lying wholly inside a stronger (or longer) span: one piece
    of text is one finding. Partial overlaps are kept: both get redacted."""
    ordered = sorted(spans, key=lambda s: (-(s.end - s.start), -s.score, s.start))
    kept: list[TextSpan] = []
    for span in ordered:
        if any(k.start <= span.start and span.end <= k.end for k in kept):
            continue
        kept.append(span)
    return sorted(kept, key=lambda s: (s.start, s.end))
