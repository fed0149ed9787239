"""What every code recognizer here shares: a Presidio EntityRecognizer with
nothing to load, and results that explain themselves."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.analysis_explanation import AnalysisExplanation


class CodeRecognizer(EntityRecognizer):
    ENTITIES: tuple[str, ...] = ()

    def __init__(self, supported_language: str = "id"):
        super().__init__(supported_entities=list(self.ENTITIES), name=type(self).__name__,
                         supported_language=supported_language)

    def load(self) -> None:  # patterns are compiled at import
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        if not set(entities) & set(self.ENTITIES):
            return []
        return [r for r in self.find(text) if r.entity_type in entities]

    def find(self, text: str) -> list[RecognizerResult]:
        raise NotImplementedError

    def result(self, entity: str, start: int, end: int, score: float, why: str) -> RecognizerResult:
        return RecognizerResult(
            entity_type=entity, start=start, end=end, score=score,
            analysis_explanation=AnalysisExplanation(recognizer=self.name, original_score=score, textual_explanation=why),
            recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name},
        )
