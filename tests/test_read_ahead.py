"""A document's texts read ahead in batches by the spaCy pipelines
(read_ahead.py): the same spans as one text at a time, in batches, with
bounded memory."""

from __future__ import annotations

import dataclasses

import pytest

from tabir.redactors.config import load_config
from tabir.redactors.detect.document import detect_units
from tabir.redactors.detect.read_ahead import ReadAhead
from scripts.casework_synth import generate


def test_texts_are_computed_in_batches_in_the_order_expected_and_only_once():
    calls = []

    def compute(chunk):
        calls.append(list(chunk))
        return [text.upper() for text in chunk]

    ahead = ReadAhead(compute, batch=3, keep=6)
    ahead.expect(["a", "b", "a", "c", "d", "e"])
    assert calls == []  # nothing before the first is asked for
    assert ahead.get("a") == "A"
    assert calls == [["a", "b", "c"]]  # "a" twice in the document, read once
    assert ahead.get("b") == "B"
    assert ahead.get("a") == "A"  # kept for its second use, then let go
    assert ahead.get("a") is None  # asked more often than expected: the caller reads it alone
    assert ahead.get("e") == "E"
    assert calls == [["a", "b", "c"], ["d", "e"]]
    assert ahead.get("never expected") is None


def test_a_batch_ends_at_its_size_in_characters_and_a_long_text_is_read_alone():
    calls = []
    ahead = ReadAhead(lambda chunk: calls.append(list(chunk)) or chunk, batch=10, keep=10, batch_chars=10)
    ahead.expect(["aaaa", "bbbb", "cccc", "x" * 30, "dd"])
    assert ahead.get("dd") == "dd"
    assert calls == [["aaaa", "bbbb"], ["cccc"], ["x" * 30], ["dd"]]


def test_results_kept_are_bounded_and_a_new_document_replaces_what_was_left_unasked():
    ahead = ReadAhead(lambda chunk: [len(t) for t in chunk], batch=2, keep=2)
    ahead.expect(["x", "yy", "zzz", "wwww", "vvvvv"])
    assert ahead.get("zzz") == 3
    assert ahead.get("x") is None  # never asked, dropped: at most `keep` results wait
    assert ahead.get("wwww") == 4
    ahead.expect(["new"])
    assert ahead.get("vvvvv") is None  # the earlier document's unasked text is no longer waited for
    assert ahead.get("new") == 3
    with pytest.raises(ValueError):
        ReadAhead(lambda chunk: chunk, batch=4, keep=2)


@pytest.mark.parametrize("profile", ["accurate", "fast"])
def test_a_document_read_ahead_gives_the_spans_of_one_text_at_a_time_from_batched_calls(profile, monkeypatch):
    from tabir.redactors.detect import presidio_text

    config = load_config()
    detector = presidio_text.PresidioDetector(dataclasses.replace(config.detection, profile=profile))
    texts = [ex.text for ex in generate(60, 20261122)]
    texts += [texts[0].upper(), texts[1].lower(), texts[0]]  # a capitals line read twice; a text repeated
    engine = detector.engine.nlp_engine
    nlp = engine.nlp["id"]

    alone_calls = []
    real_process = presidio_text.SpacyNlpEngine.process_text
    monkeypatch.setattr(presidio_text.SpacyNlpEngine, "process_text",
                        lambda self, text, language: alone_calls.append((text, language)) or real_process(self, text, language))
    monkeypatch.setattr(engine, "expect", lambda texts, language: None)
    alone, _ = detect_units(detector, texts)
    assert len([c for c in alone_calls if c[1] == "id"]) >= len(texts)  # the baseline: every text read alone

    monkeypatch.undo()
    batches = []
    real_pipe = type(nlp).pipe

    def recording_pipe(self, stream, *args, **kwargs):
        stream = list(stream)
        batches.append(len(stream))
        return real_pipe(self, stream, *args, **kwargs)

    monkeypatch.setattr(type(nlp), "pipe", recording_pipe)
    monkeypatch.setattr(presidio_text.SpacyNlpEngine, "process_text",
                        lambda self, text, language: alone_calls.append((text, language)) or real_process(self, text, language))
    alone_calls.clear()
    ahead, _ = detect_units(detector, texts)
    assert ahead == alone
    # No Indonesian text read alone, not even one written again (stock
    # sentences, and one repeated on purpose).
    assert [text for text, language in alone_calls if language == "id"] == []
    assert batches and max(batches) > 32  # read in batches: the first model, and the fast profile's second
    if profile == "fast":
        assert len(batches) >= 2
