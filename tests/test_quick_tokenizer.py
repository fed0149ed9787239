"""The Indonesian model's tokenizer restored without its hyphenated special
cases (redactors/detect/quick_tokenizer.py) gives spaCy's own tokens and
the model's entities: on casework text, on reduplicated words inside longer
chunks (where spaCy's special-case matcher merged them), and on the
exceptions that are not hyphenated."""

from __future__ import annotations

import random

import pytest
import spacy

from scripts.casework_synth import generate
from tabir.redactors.detect.presidio_text import INDONESIAN_MODEL, load_spacy
from tabir.redactors.detect.quick_tokenizer import QuickTokenizer

WRAPPINGS = ["({})", "\"{}\"", "{}/", "{}-x", "{}.", "{},", "'{}'", "{}nya", "se{}", "[{}]", "{}:", "{}?!",
             "«{}»", "{}...", "—{}—", "{}/{}", "#{}", "{}'s", "x{}", "{}2", "{}-{}", "{} - {}"]


@pytest.fixture(scope="module")
def models():
    spacys = spacy.load(INDONESIAN_MODEL)  # builds every special case (the reference, ~9 s)
    return load_spacy(INDONESIAN_MODEL), spacys


def tokens(nlp, text):
    return [(t.text, t.whitespace_, t.ent_type_) for t in nlp(text)]


def test_the_quick_tokenizer_is_used_and_keeps_only_the_exceptions_without_a_hyphen(models):
    quick, spacys = models
    assert isinstance(quick.tokenizer, QuickTokenizer)
    words = {key for key in spacys.tokenizer.rules if "-" in key and key.replace("-", "").isalpha()}
    assert len(words) > 15000
    assert set(quick.tokenizer.rules) == set(spacys.tokenizer.rules) - words
    assert "(-_-)" in quick.tokenizer.rules  # an emoticon with a hyphen stays a special case


def test_casework_and_awkward_text_give_spacys_tokens_and_entities(models):
    quick, spacys = models
    texts = [example.text for example in generate(300, 20261130)] + [
        "Anak-anak dari Sdr. Budi Santoso (12) tinggal di Jl. Melati No. 5, Kec. Cibadak, Kab. Sukabumi.",
        "pada hari-hari itu siti rahmawati dan ibunya, bu aminah, datang ke kantor polsek.",
        "ANAK-ANAK TERSEBUT DIASUH OLEH NENEKNYA, NY. SUMARNI, DI DESA KARANG-ANYAR.",
        "Korban NH (15 tahun) dan kakak-beradik itu dirujuk ke P2TP2A; lihat hlm. 2-3, dst.",
        "Ibu-ibu/bapak-bapak: rapat RT-05 pukul 19.00-21.00 (anak-anak-nya ikut).",
        "The client, Maria Gonzales, met Pak Joko at the kantor desa on 3/4/2024 :-) (-8",
    ]
    for text in texts:
        assert tokens(quick, text) == tokens(spacys, text), text


def test_reduplicated_words_inside_longer_chunks_are_merged_as_spacy_merges_them(models):
    """spaCy's special-case matcher joins "garah-garah" back into one token
    in "garah-garah-x" and "majelis-majelis/majelis-majelis"; token_match
    alone would not (this test fails without the merge)."""
    quick, spacys = models
    hyphenated = sorted(key for key in spacys.tokenizer.rules if "-" in key)
    for word in ["garah-garah", "majelis-majelis", "(-_-)", "(-:"] + random.Random(7).sample(hyphenated, 400):
        text = " ".join(wrapping.format(word, word) for wrapping in WRAPPINGS)
        assert [t.text for t in quick.tokenizer(text)] == [t.text for t in spacys.tokenizer(text)], word


def test_a_tokenizer_saved_with_other_patterns_is_not_restored_the_quick_way(models, tmp_path):
    """Only the exceptions are restored quickly; a saved tokenizer whose
    prefix patterns differ from the language's is left to spaCy's restore."""
    import srsly

    from tabir.redactors.detect.quick_tokenizer import restore

    quick, _ = models
    data = srsly.msgpack_loads((INDONESIAN_MODEL / "tokenizer").read_bytes())
    data["prefix_search"] = "^x"
    saved = tmp_path / "tokenizer"
    saved.write_bytes(srsly.msgpack_dumps(data))
    assert restore(load_spacy(INDONESIAN_MODEL, tokenizer=False), saved) is None
    assert restore(load_spacy(INDONESIAN_MODEL, tokenizer=False), INDONESIAN_MODEL / "tokenizer") is not None
