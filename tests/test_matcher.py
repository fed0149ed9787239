"""The one-pass value search (detect/matcher.py) finds exactly what the
per-value whole-word pattern finds, in text and in bytes, for any number of
values; verification built on it still catches every encoding of a leak."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tabir.redactors.detect.matcher import Blanker, BytesMatcher, TextMatcher
from tabir.redactors.detect.propagate import normalise, value_pattern
from tabir.redactors.verify import leaks_in_bytes, leaks_in_text

WORDS = ["siti", "Aminah", "Siti", "aminah", "setempat", "tempat", "No.", "5", "0812-3456", "Jl.", "x", "é"]
SEPARATORS = [" ", "\n", "  ", ",", "-", "", ". ", "\t"]


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join), min_size=1, max_size=6),
    pieces=st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=12),
)
def test_text_matcher_agrees_with_the_per_value_pattern(values, pieces):
    text = "".join(word + sep for word, sep in pieces)
    expected = {normalise(v) for v in values if value_pattern(v).search(text)}
    assert TextMatcher(values).keys_in(text) == expected


def test_matches_are_leftmost_longest_and_map_to_the_original_text():
    text = "Klien  Siti\nAminah dan Siti hadir; Sitinjak tidak."
    matcher = TextMatcher(["Siti Aminah", "Siti", "Aminah"])
    found = [(text[m.start:m.end], m.key) for m in matcher.matches(text)]
    assert found == [("Siti\nAminah", "siti aminah"), ("Siti", "siti")]


def test_capitalised_only_keys_skip_the_common_word():
    matcher = TextMatcher(["The", "Putri"], capitalised_only=["the", "putri"])
    assert matcher.keys_in("the client met The Swie King") == {"the"}
    assert matcher.keys_in("the client; sang putri") == set()
    assert matcher.keys_in("PUTRI hadir") == {"putri"}


def test_bytes_matcher_every_encoding_and_word_boundaries():
    matcher = BytesMatcher(["Tempat Lahir", "Aminah"])
    assert matcher.keys_in(b"xx aminah yy") == {"aminah"}
    assert matcher.keys_in(b"xxaminah") == set()  # glued to a word
    assert matcher.keys_in("Aminah".encode("utf-16-be")) == {"aminah"}
    assert matcher.keys_in(b"\x00(" + "AMINAH".encode("utf-16-le") + b".\x00") == {"aminah"}
    assert matcher.keys_in("setempat lahir".encode()) == set()
    assert matcher.keys_in("Ia lahir di Tempat Lahir.".encode("latin-1")) == {"tempat lahir"}
    assert matcher.keys_in("caf\u00e9Aminah".encode()) == set()  # a UTF-8 letter before


def test_a_number_inside_a_decimal_in_a_stream_is_not_the_value():
    matcher = BytesMatcher(["502998", "0812-3456-7890"])
    assert matcher.keys_in(b"q 149.54898 779.63406 10.502998 12.36 re B Q") == set()
    assert matcher.keys_in(b"502998.25 0 Td") == set()
    assert matcher.keys_in(b"(No. RM: 502998.) Tj") == {"502998"}
    assert matcher.keys_in(b"(Telp.0812-3456-7890) Tj") == {"0812-3456-7890"}


def test_blanker_removes_labels_whatever_their_number():
    labels = [f"Klien {chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(500)]
    blanker = Blanker(labels)
    assert blanker.text("bertemu KLIEN AB dan klien tb.").split() == ["bertemu", "dan", "."]
    assert blanker.bytes(b"(Klien CD) Tj") == b"(        ) Tj"


def test_verification_with_thousands_of_values_still_names_the_leak():
    values = {f"Nama{i:05d} Orang{i:05d}" for i in range(5000)} | {"Siti Aminah"}
    page = " ".join(f"kata{i}" for i in range(20000)) + " SITI\nAMINAH hadir."
    assert leaks_in_text(values, [("page 1", page)]) == ["a redacted value (11 characters) is still present in page 1"]
    blob = page.replace("\n", " ").encode("utf-16-le")
    assert leaks_in_bytes(values, [("object 7", blob)]) == ["a redacted value (11 characters) is still present in object 7"]
    assert leaks_in_text(values, [("page 1", re.sub("SITI", "S", page))]) == []
