"""Names found in lower-case text lose the common words the models ran
into them; cased names, particles and name-like common words are kept."""

from __future__ import annotations

import pytest

from tabir.redactors.config import load_config
from tabir.redactors.detect.factory import detector_for
from tabir.redactors.detect.not_names import not_names, trim_name
from tabir.redactors.scan import scan_text


@pytest.fixture(scope="module")
def detector():
    return detector_for(load_config())


def people(detector, text):
    return [text[s.start:s.end] for s in scan_text(detector, text) if s.entity_type == "PERSON"]


@pytest.mark.parametrize("text, name, word", [
    ("almarhum syamsul muarif berangkat dari singapura", "syamsul muarif", "almarhum"),
    ("menurut kasper schmeichel , kiper leicester , ranieri ibarat ayah bagi para pemain", "ranieri", "kiper"),
])
def test_a_lower_case_name_loses_the_common_word_the_model_ran_into_it(detector, text, name, word):
    found = people(detector, text)
    assert any(name in value for value in found), found
    assert not any(word in value.split() for value in found), found


def test_cased_names_and_their_particles_are_never_trimmed():
    text = "Almarhum Syamsul Muarif dan Minamoto no Yoritomo"
    assert trim_name(text, 0, 24) == (0, 24)  # a capital letter: the models saw the case
    assert "no" in not_names()  # listed, yet kept inside a cased name
    assert trim_name(text, 29, len(text)) == (29, len(text))
    lower = "minamoto no yoritomo"
    assert trim_name(lower, 0, len(lower)) == (0, len(lower))  # only the edges are trimmed


def test_a_lower_case_span_of_listed_words_only_is_no_name_and_name_words_are_not_listed():
    text = "kata kiper itu"
    assert trim_name(text, 5, 14) is None
    # Common words that the train splits also use as names stay names.
    assert not {"tulang", "taat", "budi", "bin", "binti", "van", "de"} & not_names()


def test_initials_with_an_age_stay_one_span_in_lower_case_text(detector):
    text = "korban berinisial RA (12 tahun) tinggal bersama neneknya"
    spans = [(text[s.start:s.end], s.entity_type) for s in scan_text(detector, text)]
    assert ("RA (12 tahun)", "PERSON") in spans, spans
