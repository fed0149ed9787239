"""Text detection with Presidio's AnalyzerEngine, made for Indonesian text.

- Two Indonesian spaCy models trained by scripts/train_ner.py (PERSON,
  LOCATION, ORG; shipped in redactors/models/, never downloaded), as an
  ensemble: a name either of them finds is redacted.
- Recognizers with validation in code (redactors/detect/indonesia) and as
  data (config/recognizers/id.yaml), with Indonesian context words.
- Passages that read as English also go through Presidio's English set-up.
- The policy decides which entity types count, thresholds, allow and deny
  lists. Built once per process and shared by every file.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
import spacy
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, PatternRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.analysis_explanation import AnalysisExplanation
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import SpacyRecognizer
from spacy.language import Language
from spacy.tokens import Doc

from ..config import CONFIG_DIR, DetectionPolicy
from .propagate import normalise
from .quick_tokenizer import restore as restore_tokenizer
from .public_places import in_saying, place_kinds, public_place_names
from .read_ahead import ReadAhead
from ..model import TextSpan
from .indonesia import code_recognizers
from ..pixels.idcard import FORM_WORDS
from .indonesia.names import HONORIFICS, NOT_NAMES as NAME_NOT_PARTS, age_after, name_end
from .offline import ENGLISH_MODEL, OfflineEmailRecognizer, ModelMissing, require_installed_model
from .name_context import (DEGREES, OFFICES, RANKS, RELIGIOUS_TITLES, lone_degree, with_lower_first_name,
                           without_leading_titles)
from .not_names import not_names, trim_name
from .textprep import PreparedText, looks_english, lowered_capital_lines

# Presidio warns about every recognizer of a language we do not load.
logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)

MODELS = Path(__file__).resolve().parent.parent / "models"
# Two models trained by scripts/train_ner.py on the same data with different
# word representations (first and last characters; affix hashes). They err
# differently: on the dev splits their union finds 7-9 points more of the
# people's name tokens than either alone. For redaction, recall comes first.
INDONESIAN_MODEL = MODELS / "id_ner_char"
SECOND_MODEL = MODELS / "id_ner_hash"
INDONESIAN_RECOGNIZERS = CONFIG_DIR / "recognizers" / "id.yaml"
# In the accurate profile the first spaCy model's names are kept only where
# the e5 head gives the same type at least this probability on one of the
# span's words. Unchecked, spaCy added 5-7 points of PERSON recall on the
# dev splits and cost 8-10 points of precision (its names of bands, shops,
# foreign words); with the check it keeps most of that recall. Chosen on one
# half of each dev split (bench/detection.py --half tune), reported on the
# other; 0.0 keeps every spaCy name (the profile before the check).
SPACY_CONFIRMATION = {"PERSON": 0.02, "LOCATION": 0.02}

_NER_LABELS = {
    "PER": "PERSON", "PERSON": "PERSON", "NORP": "NRP", "FAC": "LOCATION", "LOC": "LOCATION",
    "GPE": "LOCATION", "LOCATION": "LOCATION", "ORG": "ORGANIZATION", "ORGANIZATION": "ORGANIZATION",
    "DATE": "DATE_TIME", "TIME": "DATE_TIME",
}
_NER_IGNORED = [
    "ORGANIZATION", "CARDINAL", "EVENT", "LANGUAGE", "LAW", "MONEY", "ORDINAL", "PERCENT", "PRODUCT",
    "QUANTITY", "WORK_OF_ART",
]
# English NER types that are noise in casework text (dates of meetings,
# nationalities): the Indonesian recognizers cover dates of birth and ages.
_ENGLISH_NOISE = {"DATE_TIME", "NRP", "URL"}


@Language.component("tabir_lower_lemma")
def _lower_lemma(doc):
    """Presidio matches context words against lemmas; the Indonesian model has
    no lemmatizer, so the lower-cased word stands in for the lemma."""
    for token in doc:
        token.lemma_ = token.lower_
    return doc


_NO_TENSOR = np.zeros((0,), dtype="float32")  # what spaCy gives a Doc without one


class TabirNlpEngine(SpacyNlpEngine):
    """Loads models from installed packages or shipped folders only, each at
    its first use: a run over Indonesian documents never loads the English
    model. A missing model is still reported when the engine is built."""

    def load(self) -> None:
        loaders = {}
        for model in self.models:
            name = model["model_name"]
            if not Path(name).exists():
                require_installed_model(name)
            loaders[model["lang_code"]] = lambda name=name: _spacy_pipeline(name)
        self.nlp = _ModelsOnDemand(loaders)
        self._not_for_tokens: dict[str, list[str]] = {}
        self._read_ahead: dict[str, ReadAhead] = {}
        self._followers: dict[str, list] = {}

    def expect(self, texts: list[str], language: str) -> None:
        """A document's texts, about to be analysed one by one in this
        order: the pipeline reads them in batches when the first is asked
        for (read_ahead.py), with the same entities."""
        if language not in self._read_ahead:
            self._read_ahead[language] = ReadAhead(lambda chunk: self._batch(chunk, language))
        self._read_ahead[language].expect(texts)

    def follow(self, language: str, read_docs) -> None:
        """`read_docs(docs)` is given every batch of Docs read ahead in
        `language` (the fast profile's second model reads their tokens)."""
        self._followers.setdefault(language, []).append(read_docs)

    def _batch(self, texts: list[str], language: str) -> list:
        docs = list(self.nlp[language].pipe(texts, batch_size=len(texts)))
        for read_docs in self._followers.get(language, []):
            read_docs(docs)
        for doc in docs:
            doc.tensor = _NO_TENSOR  # the layer's output per token: read by no recognizer, kept by no Doc
        return [self._doc_to_nlp_artifact(doc, language) for doc in docs]

    def process_text(self, text: str, language: str):
        ahead = self._read_ahead.get(language)
        artifacts = ahead.get(text) if ahead is not None else None
        return artifacts if artifacts is not None else super().process_text(text, language)

    def tokens_only(self, text: str, language: str):
        """The artifacts of `process_text` without the named entities: the
        pipeline's NER, and a shared tok2vec that only the NER listens to,
        are not run. Tokens and lemmas (all the pattern recognizers and
        Presidio's context words read) are the same; for a caller that asks
        for no type a spaCy model finds (the second look's numbers and
        addresses: 1.2 s of its 2.9 s on a 200-page PDF)."""
        nlp = self.nlp[language]
        if language not in self._not_for_tokens:
            skipped = [name for name in nlp.pipe_names if name == "ner"]
            for name, pipe in nlp.pipeline:
                listeners = getattr(pipe, "listener_map", None)
                if listeners is not None and set(listeners) <= set(skipped):
                    skipped.append(name)
            self._not_for_tokens[language] = skipped
        return self._doc_to_nlp_artifact(nlp(text, disable=self._not_for_tokens[language]), language)


def _spacy_pipeline(name: str):
    nlp = load_spacy(name)
    if "lemmatizer" not in nlp.pipe_names:
        nlp.add_pipe("tabir_lower_lemma", last=True)
    return nlp


_LOADING = threading.Lock()


def load_spacy(name: str | Path, tokenizer: bool = True):
    """spacy.load, without building the Indonesian tokenizer's special
    cases: spacy.load builds them from the language's defaults (4.7 s), then
    again from the rules saved with the model (4.4 s). Here neither: the
    saved rules are restored by quick_tokenizer.py (0.3 s; the same tokens
    and entities, tests/test_quick_tokenizer.py). With `tokenizer=False`
    no rules at all: for a pipeline that only reads Docs another model's
    tokenizer made."""
    from spacy.lang.id import Indonesian

    saved = Path(name) / "tokenizer"
    with _LOADING:
        defaults = Indonesian.Defaults.tokenizer_exceptions
        Indonesian.Defaults.tokenizer_exceptions = {}
        try:
            nlp = spacy.load(name, exclude=["tokenizer"]) if saved.exists() or not tokenizer else spacy.load(name)
        finally:
            Indonesian.Defaults.tokenizer_exceptions = defaults
    if tokenizer and saved.exists():
        quick = restore_tokenizer(nlp, saved)
        if quick is not None:
            nlp.tokenizer = quick
        else:  # a model saved with other patterns: restored as spaCy does
            nlp.tokenizer.from_disk(saved)
    return nlp


def _same_file(a: Path, b: Path) -> bool:
    return a.exists() and b.exists() and a.read_bytes() == b.read_bytes()


class _ModelsOnDemand(dict):
    """Language code -> spaCy pipeline, as Presidio's engine reads it, each
    pipeline loaded the first time its language is asked for."""

    def __init__(self, loaders: dict):
        super().__init__()
        self._loaders = loaders
        self._lock = threading.Lock()

    def __missing__(self, language: str):
        if language not in self._loaders:
            raise KeyError(language)
        with self._lock:
            if not dict.__contains__(self, language):
                self[language] = self._loaders[language]()
        return dict.__getitem__(self, language)

    def keys(self):
        return self._loaders.keys()

    def __contains__(self, language) -> bool:
        return language in self._loaders

    def __bool__(self) -> bool:
        return bool(self._loaders)


class SecondModelRecognizer(EntityRecognizer):
    """Names and places from the second Indonesian model (an ensemble member)."""

    LABELS = {"PERSON": "PERSON", "LOCATION": "LOCATION"}

    def __init__(self, path: Path, supported_language: str = "id", tokens_from: Path = INDONESIAN_MODEL):
        super().__init__(supported_entities=list(self.LABELS.values()), name="SecondModelRecognizer",
                         supported_language=supported_language)
        # Both models were trained with one tokenizer (their saved rules are
        # byte for byte the same): this one reads the first model's tokens,
        # so its own 16,000 special cases are never built (3.7 s of the
        # fast profile's start-up) and no text is tokenized twice.
        self._shares_tokens = _same_file(path / "tokenizer", tokens_from / "tokenizer")
        self.nlp = load_spacy(path, tokenizer=not self._shares_tokens)
        # Entities of texts read with the first model's batches, by text.
        self._read: OrderedDict[str, list[tuple[int, int, str]]] = OrderedDict()
        self._read_lock = threading.Lock()

    def load(self) -> None:
        pass

    def read_docs(self, first_docs: list) -> None:
        """Read, in one batch, the texts the first model has just read ahead
        (TabirNlpEngine.follow); the entities of the last READ_KEPT are
        kept for analyze (offsets and labels: a few bytes each)."""
        if not self._shares_tokens:
            return
        docs = self.nlp.pipe([self._words(doc) for doc in first_docs], batch_size=len(first_docs))
        with self._read_lock:
            for first, doc in zip(first_docs, docs):
                self._read[first.text] = _entities_of(doc)
            while len(self._read) > self.READ_KEPT:
                self._read.popitem(last=False)

    READ_KEPT = 1024

    def _words(self, tokens) -> Doc:
        return Doc(self.nlp.vocab, words=[t.text for t in tokens], spaces=[bool(t.whitespace_) for t in tokens])

    def _entities(self, text: str, nlp_artifacts) -> list[tuple[int, int, str]]:
        if not self._shares_tokens:
            return _entities_of(self.nlp(text))
        tokens = getattr(nlp_artifacts, "tokens", None)
        if tokens is None or tokens.text != text:
            raise ValueError("the second Indonesian model reads the first model's tokens of this text; none were given")
        with self._read_lock:
            read = self._read.get(text)
        if read is not None:
            return read
        doc = self._words(tokens)
        for _, pipe in self.nlp.pipeline:
            doc = pipe(doc)
        return _entities_of(doc)

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for start, end, label in self._entities(text, nlp_artifacts):
            entity = self.LABELS.get(label)
            if entity in entities:
                results.append(RecognizerResult(
                    entity, start, end, 0.85,
                    analysis_explanation=AnalysisExplanation(self.name, 0.85, textual_explanation="second Indonesian model"),
                    recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name},
                ))
        return results


def _entities_of(doc) -> list[tuple[int, int, str]]:
    return [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]


class E5NameRecognizer(EntityRecognizer):
    """Names and places from the head on multilingual-e5 states
    (e5_names.py). Its probability is mapped so that the head's own
    threshold (chosen on held-out training sentences) lands at 0.6, above
    the policy's usual minimum: the policy's min_score then means the same
    for every recognizer."""

    def __init__(self, supported_language: str = "id"):
        super().__init__(supported_entities=["PERSON", "LOCATION"], name="E5NameRecognizer",
                         supported_language=supported_language)
        from .e5_names import E5NameFinder

        self.finder = E5NameFinder()

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for start, end, entity, probability in self.finder.find(text):
            if entity not in entities:
                continue
            # "Bu Aminah" -> "Aminah", "Kecamatan Cibeber" -> "Cibeber": the
            # name, as the other recognizers find it; a field label alone
            # ("Kecamatan :" on an identity card) is not a place.
            lead = (_LEADING_HONORIFIC if entity == "PERSON" else _LEADING_REGION_WORD).match(text, start, end)
            if lead and lead.end() >= end:
                continue
            if all(word in FORM_WORDS for word in re.findall(r"\w+", text[start:end].casefold())):
                continue  # "TANDA PENDUDUK": the printed title of an identity card
            if lead:
                start = lead.end()
            threshold = self.finder.head.thresholds[entity]
            score = round(0.6 + 0.4 * (probability - threshold) / max(1e-6, 1.0 - threshold), 3)
            results.append(RecognizerResult(
                entity, start, end, score,
                analysis_explanation=AnalysisExplanation(
                    self.name, score, textual_explanation=f"e5 head p={probability:.2f} (threshold {threshold:.2f})"),
                recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name},
            ))
        return results


class ConfirmedSpacyRecognizer(SpacyRecognizer):
    """A spaCy model's names and places, kept where the e5 head (which has
    read the same text) gives them some probability too: the model's recall
    without most of its mistakes. Other types (the English model's
    organisations) are kept as they are."""

    def __init__(self, finder, minimum: dict[str, float], supported_language: str = "id",
                 supported_entities: list[str] | None = None):
        super().__init__(supported_language=supported_language,
                         supported_entities=supported_entities or ["PERSON", "LOCATION"])
        self.name = "ConfirmedSpacyRecognizer"
        self.finder = finder
        self.minimum = minimum

    def analyze(self, text, entities, nlp_artifacts=None):
        kept = []
        for result in super().analyze(text, entities, nlp_artifacts):
            if result.entity_type not in self.minimum:
                kept.append(result)
                continue
            probability = self.finder.highest(text, result.start, result.end, result.entity_type)
            if probability >= self.minimum[result.entity_type]:
                result.analysis_explanation.append_textual_explanation_line(
                    f"e5 head p={probability:.2f} agrees")
                kept.append(result)
        return kept


_LEADING_HONORIFIC = re.compile(rf"(?:(?:{HONORIFICS})[ \t]+)+")
_LEADING_REGION_WORD = re.compile(
    r"(?i:(?:provinsi|prov\.?|kabupaten|kab\.?|kota|kotamadya|kecamatan|kec\.?|kelurahan|kel\.?|desa|kel/desa|"
    r"dusun|kampung|kp\.?|rt|rw|rt/rw)(?:[ \t]*[:/.])?(?:[ \t]+|$))+")


# Recognizers of names and places by Indonesian models: on an English
# passage the English model reads names and places instead. The e5 head
# stays: its encoder is multilingual, and on NERP's tune half (the only
# split with passages that read as English: 3 of 369 sentences, Indonesian
# news quoting English titles) keeping it found 5 more name words. There
# the English model's names are confirmed by the head like the Indonesian
# one's (ConfirmedSpacyRecognizer): unconfirmed, it took "adalah penerbit"
# and "kedua nya" for people (PERSON precision 0.853 -> 0.869 on that half).
_INDONESIAN_NAME_MODELS = ("SpacyRecognizer", "SecondModelRecognizer", "ConfirmedSpacyRecognizer")
# Every recognizer of names by a model (the rules' spans, such as initials
# with an age, keep their edges: not_names.py trims the models' spans).
_NAME_MODELS = _INDONESIAN_NAME_MODELS + ("E5NameRecognizer",)


class PresidioDetector:
    """TextDetector: Indonesian first, English where a passage is English."""

    def __init__(self, policy: DetectionPolicy):
        self.policy = policy
        self._allow = {value.casefold() for value in policy.allow_list}
        self._public_places = public_place_names() if policy.public_places == "keep" else frozenset()
        self._place_kinds = place_kinds()
        self.languages = list(policy.languages)
        self._names = None  # the e5 head's finder, in the accurate profile
        self.engine = self._build_engine(policy)
        # What to ask the engine for, fixed once: the policy's list or every
        # type the loaded recognizers know.
        self._entities = list(policy.entities) if policy.entities else self.supported_entities()
        # The types only a spaCy model's entities give (names, places, the
        # English model's dates and groups): a call that asks for none of
        # them runs the models' tokenizers and lemmas only.
        self._ner_types = frozenset(
            entity for recognizer in self.engine.registry.recognizers
            if isinstance(recognizer, (SpacyRecognizer, SecondModelRecognizer))
            for entity in recognizer.supported_entities)

    def _build_engine(self, policy: DetectionPolicy) -> AnalyzerEngine:
        models = []
        if "id" in self.languages:
            if not (INDONESIAN_MODEL / "config.cfg").exists():
                raise ModelMissing(f"{INDONESIAN_MODEL}: the Indonesian model is missing; run scripts/train_ner.py")
            models.append({"lang_code": "id", "model_name": str(INDONESIAN_MODEL)})
        if "en" in self.languages:
            models.append({"lang_code": "en", "model_name": ENGLISH_MODEL})
        nlp_engine = TabirNlpEngine(
            models=models,
            ner_model_configuration=NerModelConfiguration(
                model_to_presidio_entity_mapping=_NER_LABELS, labels_to_ignore=_NER_IGNORED,
            ),
        )
        nlp_engine.load()
        registry = RecognizerRegistry(supported_languages=self.languages)
        if "en" in self.languages:
            registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
            registry.remove_recognizer("EmailRecognizer")
            registry.add_recognizer(OfflineEmailRecognizer(supported_language="en"))
            # Presidio also adds a plain spaCy recognizer for every language
            # of the NLP engine; the Indonesian one is chosen by profile below.
            registry.recognizers = [r for r in registry.recognizers
                                    if not (isinstance(r, SpacyRecognizer) and r.supported_language == "id")]
        if "id" in self.languages:
            registry.add_recognizers_from_yaml(INDONESIAN_RECOGNIZERS)
            for recognizer in code_recognizers("id"):
                registry.add_recognizer(recognizer)
            registry.add_recognizer(OfflineEmailRecognizer(supported_language="id"))
            if policy.profile == "accurate":
                e5 = E5NameRecognizer()
                self._names = e5.finder
                registry.add_recognizer(e5)
                registry.add_recognizer(ConfirmedSpacyRecognizer(e5.finder, SPACY_CONFIRMATION))
                if "en" in self.languages:
                    english = [r for r in registry.recognizers
                               if type(r) is SpacyRecognizer and r.supported_language == "en"]
                    registry.recognizers = [r for r in registry.recognizers if r not in english]
                    for plain in english:
                        registry.add_recognizer(ConfirmedSpacyRecognizer(
                            e5.finder, SPACY_CONFIRMATION, "en", list(plain.supported_entities)))
            else:
                registry.add_recognizer(SpacyRecognizer(supported_language="id", supported_entities=["PERSON", "LOCATION"]))
                if (SECOND_MODEL / "config.cfg").exists():
                    second = SecondModelRecognizer(SECOND_MODEL)
                    nlp_engine.follow("id", second.read_docs)
                    registry.add_recognizer(second)
        for language in self.languages:
            for entity_type, values in policy.deny_list.items():
                registry.add_recognizer(PatternRecognizer(
                    supported_entity=entity_type, supported_language=language,
                    name=f"DenyList{entity_type.title().replace('_', '')}",
                    deny_list=list(values), deny_list_score=1.0,
                    global_regex_flags=re.IGNORECASE | re.MULTILINE | re.DOTALL,
                ))
        return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=self.languages)

    def supported_entities(self) -> list[str]:
        found = set()
        for language in self.languages:
            found |= set(self.engine.get_supported_entities(language=language))
        return sorted(found - {"ORGANIZATION"})

    def load_models(self) -> None:
        """Load now what the first Indonesian text would load (the
        Indonesian spaCy model; the e5 engine is loaded with the detector).
        The English model still waits for the first English passage."""
        if "id" in self.languages:
            self.engine.nlp_engine.nlp["id"]

    def prefetch(self, texts: list[str]) -> None:
        """A document's texts, about to be detected one by one: the e5 head
        reads them now in batches (twice as fast as one call each), with
        the lower-case reading of their lines in capitals; the Indonesian
        spaCy pipeline (and the fast profile's second model) will read
        them in batches as they are asked for."""
        if self._names is not None:
            views = list(texts) + [lowered for text, lowered in zip(texts, map(lowered_capital_lines, texts))
                                   if lowered != text]
            self._names.read_many([PreparedText(text).text for text in views])
        if "id" in self.languages and self._ner_types & set(self._entities):
            # The Indonesian pipeline reads every text (and its capitals read
            # in lower case) in the order detect_skipping asks for them.
            order = []
            for text in texts:
                order.append(text)
                lowered = lowered_capital_lines(text)
                if lowered != text:
                    order.append(lowered)
            self.engine.nlp_engine.expect([PreparedText(text).text for text in order if text.strip()], "id")

    def detect(self, text: str) -> list[TextSpan]:
        return self.detect_skipping(text, frozenset())

    def detect_skipping(self, text: str, skip: frozenset[str]) -> list[TextSpan]:
        """detect, without asking for the types in `skip`: recognizers that
        find only those are not run (the e5 head and the spaCy names, when
        the second look drops names and places). Spans of the other types
        are the same: Presidio and drop_contained only merge spans of one
        type. Lines written in capitals are read as they are and in lower
        case (textprep.lowered_capital_lines), and what either finds is
        kept: offsets are the same in both."""
        spans = self._detect_as_written(text, skip)
        lowered = lowered_capital_lines(text)
        if lowered != text:
            spans = drop_contained(spans + self._detect_as_written(lowered, skip, written=text))
        return spans

    def _detect_as_written(self, text: str, skip: frozenset[str], written: str | None = None) -> list[TextSpan]:
        """`written`: the text as written when `text` is its capitals lines
        read in lower case (same offsets); a first name is looked for in
        it, where the capitals are."""
        if not text.strip():
            return []
        prepared = PreparedText(text)
        entities = [e for e in self._entities if e not in skip]
        if not entities:
            return []
        results = []
        english = "en" in self.languages and ("id" not in self.languages or looks_english(prepared.text))
        analyze = self.engine.analyze
        if not self._ner_types & set(entities):
            def analyze(text, language, entities):
                artifacts = self.engine.nlp_engine.tokens_only(text, language)
                return self.engine.analyze(text=text, language=language, entities=entities, nlp_artifacts=artifacts)
        indonesian_names = []  # their names and places on an English line (see _extending)
        if "id" in self.languages:
            found = analyze(text=prepared.text, language="id", entities=entities)
            if english:
                # On an English passage the English model reads names and
                # places; the Indonesian recognizers still find numbers.
                indonesian_names = [r for r in found if _recognizer(r) in _INDONESIAN_NAME_MODELS]
                found = [r for r in found if _recognizer(r) not in _INDONESIAN_NAME_MODELS]
            results += found
        if english:
            wanted = [e for e in entities if e not in _ENGLISH_NOISE] if "id" in self.languages else entities
            tokens = None
            if indonesian_names:  # the English model's tokens tell a proper noun from "The" and "client"
                artifacts = self.engine.nlp_engine.process_text(prepared.text, "en")
                tokens = artifacts.tokens
                english_found = self.engine.analyze(text=prepared.text, language="en", entities=wanted,
                                                    nlp_artifacts=artifacts)
            else:
                english_found = analyze(text=prepared.text, language="en", entities=wanted)
            results += english_found
            results += _extending(indonesian_names, english_found, tokens)
        spans = []
        for r in results:
            if r.score < self.policy.threshold_for(r.entity_type):
                continue
            start, end = prepared.to_original(r.start, r.end)
            if text[start:end].strip().casefold() in self._allow:
                continue
            recognizer = _recognizer(r)
            if (r.entity_type == "LOCATION" and not recognizer.startswith("DenyList")
                    and (normalise(text[start:end]) in self._public_places or in_saying(text, start, end)
                         or self._place_kinds.only_a_kind(text[start:end]))):
                continue
            if r.entity_type == "PERSON" and recognizer in _NAME_MODELS:
                trimmed = trim_name(text, start, end)  # "almarhum syamsul muarif" -> "syamsul muarif"
                if trimmed is None:
                    continue
                start, end = trimmed
                end = name_end(text, start, end)  # "Budi Santoso Dirawat", "BUDI SANTOSO DIRAWAT"
                if lone_degree(text, start, end):
                    continue  # "Soedarto , SH"
                # "bernama Haji Ahmad": back to the cue, then past the title
                start = without_leading_titles(text, _after_name_cue(text, start), end)
                start = _with_first_name(written or text, start, self._public_places)
                start = with_lower_first_name(written or text, start)  # "putri ayu lestari"
            spans.append(TextSpan(start, end, r.entity_type, float(r.score), recognizer))
        if "AGE" in entities and AGE_AFTER_NAME_SCORE >= self.policy.threshold_for("AGE"):
            spans += ages_after_names(text, spans)
        return drop_contained(spans)


def _extending(indonesian: list, english: list, tokens=None) -> list:
    """The Indonesian models' names and places on an English line that
    overlap one of the English model's, of the same type: an Indonesian
    name in an English note ("According to Mr. Agus Bambang Prasetyo")
    that the English model found only in part ("Agus Bambang"; "Prasetyo"
    was published). And their names where the English model's tagger (the
    Doc of `tokens`) reads a proper noun: "According to Roma Siregar in
    Medan" and "According to I Ketut Rai", which the English model did not
    take for names at all. The rest of their finds there stay dropped: on
    English words they are noise ("The", "client")."""
    def proper_noun(r) -> bool:
        return tokens is not None and r.entity_type == "PERSON" and any(
            t.pos_ == "PROPN" for t in tokens if t.idx < r.end and r.start < t.idx + len(t.text))

    return [r for r in indonesian
            if proper_noun(r)
            or any(e.entity_type == r.entity_type and e.start < r.end and r.start < e.end for e in english)]


# A word that says a name follows ("anak saya namanya putri ayu lestari"),
# then one or two words, then where a name model's span begins.
_NAME_CUE_GAP = re.compile(r"(?:\bnamanya|\bbernama|\batas\s+nama|\bnama\s*:)\s+((?:[^\W\d_]{2,}[ \t]+){1,2})$",
                           re.IGNORECASE)


def _after_name_cue(text: str, start: int) -> int:
    """Where a name model's span should begin: earlier, right after a name
    cue, when one or two words lie between the cue and the span and none
    of them is a common word. The models leave out a first name that is
    also a word ("putri", daughter; "ayu", pretty) in lower-case text, and
    it was published beside the redacted rest of the name."""
    gap = _NAME_CUE_GAP.search(text, max(0, start - 80), start)
    if gap is None:
        return start
    words = gap.group(1).split()
    if any(word.casefold() in not_names() for word in words):
        return start
    return gap.start(1)


# One capitalised word right before a capitalised name the models found.
_WORD_BEFORE = re.compile(r"(?<![\w.\-])([A-Z][a-z\u00C0-\u024F]{2,}|[A-Z\u00C0-\u00DE]{3,})[ \t]+$")
# Academic, military and police ranks and religious titles that stand
# before names without being part of one ("Drs", "Jendral"). Titles and
# offices are in NAME_NOT_PARTS, forms of address in HONORIFICS.
_NOT_FIRST_NAMES = frozenset(
    "drs dra ir sh se mm st jenderal jendral letnan kolonel mayor kapten brigjen irjen komjen kombes akbp kompol "
    "iptu ipda aiptu aipda bripka brigpol briptu bripda sersan kopral prajurit laksamana marsekal panglima raja "
    "ratu sultan pangeran syekh habib gus romo pastor pendeta bhikkhu".split()
) | RANKS | OFFICES | DEGREES | RELIGIOUS_TITLES


def _with_first_name(text: str, start: int, places: frozenset[str] = frozenset()) -> int:
    """Where a name model's span should begin: one word earlier when that
    word is capitalised and is none of: a common word (the not-names list),
    a title, office, rank or form of address, or a public place the policy
    keeps (`places`: "Presiden Sudan Omar Beshir"). The models leave out a
    first name that is also a word: "Saya bertemu Putri Ayu Lestari" gave
    "Ayu Lestari", and "Putri" was published. Only before a capitalised
    span and inside a sentence: in lower-case text, and at a sentence's
    start, the capital is not there to tell. In capitals the word must be
    in capitals too, and after a label's colon it counts: a word after a
    colon is written in lower case unless it is a name ("LAPORAN KASUS:
    PUTRI AYU LESTARI" published "PUTRI")."""
    if start == 0 or not text[start].isupper():
        return start
    before = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if before is None:
        return start
    first_word = text[start:].split(maxsplit=1)[0]
    if before.group(1).isupper() != (first_word.isupper() and len(first_word) > 1):
        return start  # "RSUD Siti Fatimah": an acronym before a name
    word = before.group(1).casefold()
    if (word in not_names() or word in NAME_NOT_PARTS or word in _NOT_FIRST_NAMES or word in places
            or _LEADING_HONORIFIC.fullmatch(before.group(0))):
        return start
    # A word that begins a text, line or sentence has its capital from
    # there, not from a name: "Rujukan Siti Aminah" (a document's title).
    preceding = text[:before.start(1)].rstrip(" \t")
    if not preceding or preceding[-1] in ".!?;\n\"'(\u201c[":
        return start
    return before.start(1)


AGE_AFTER_NAME_SCORE = 0.85


def ages_after_names(text: str, spans: list[TextSpan]) -> list[TextSpan]:
    """AGE spans for an age written right after a name found in `text`
    ("siti aminah (12)", "ra, 9 tahun"): the age patterns want a capital
    before the bracket, so in lower-case text such an age was left while
    the name was redacted. Ages already inside a span are not repeated."""
    ages = []
    for span in spans:
        if span.entity_type != "PERSON":
            continue
        where = age_after(text, span.end)
        if where and not any(s.start <= where[0] and where[1] <= s.end for s in spans + ages):
            ages.append(TextSpan(where[0], where[1], "AGE", AGE_AFTER_NAME_SCORE, "AgeAfterName"))
    return ages


def _recognizer(result) -> str:
    return (result.recognition_metadata or {}).get("recognizer_name", "unknown")


def drop_contained(spans: list[TextSpan]) -> list[TextSpan]:
    """Remove spans lying wholly inside a longer (or stronger) span of the
    same type: one name is one finding. A span of another type inside is kept
    ("john.doe@example.com" inside a mis-tagged "Contact john.doe@example.com"):
    its value must be searched for on its own, everywhere, and in
    verification. Partial overlaps are kept: both get redacted."""
    ordered = sorted(spans, key=lambda s: (-(s.end - s.start), -s.score, s.start))
    kept: list[TextSpan] = []
    for span in ordered:
        if any(k.start <= span.start and span.end <= k.end and k.entity_type == span.entity_type for k in kept):
            continue
        kept.append(span)
    return sorted(kept, key=lambda s: (s.start, s.end))
