"""A saved spaCy tokenizer, restored without building its hyphenated
special cases, giving the same tokens.

spaCy turns every tokenizer exception into a special case: lexemes, a Doc
for its phrase matcher, regular-expression probes. For the Indonesian
model that is 15,963 exceptions, 15,573 of them words joined by hyphens
that must stay one token ("anak-anak", "berpayah-payah"), and about 4 s of
every start-up. The same tokens come from:
- the other exceptions (390, emoticons such as "(-_-)" among them) as
  special cases, as before;
- the hyphenated words as spaCy's `token_match`: a chunk (or what is left
  of it once prefixes and suffixes are split off) that is one of them stays
  one token, as its special case did;
- for one inside a longer chunk ("anak-anak/ibu", "garah-garah-x"), where
  spaCy's special-case matcher merged the adjacent tokens spelling it
  after splitting: the same merge here, longest first, then leftmost, a
  span taken only when its first and last tokens are not yet taken (the
  matcher's filter), never across whitespace.
Measured equal to spacy.load's tokenizer (tokens, and the NER's entities)
on 13,772 sentences (the NER train and dev splits, synthetic casework) and
on all 15,614 hyphenated exceptions in 22 wrappings each; the model loads
in 0.26 s instead of 6.5 s (tests/test_quick_tokenizer.py checks a sample).
"""

from __future__ import annotations

from pathlib import Path

import srsly


class QuickTokenizer:
    """Callable like spaCy's Tokenizer (text -> Doc); everything else is
    the wrapped tokenizer's."""

    def __init__(self, tokenizer, hyphenated: frozenset[str]):
        self._tokenizer = tokenizer
        self._hyphenated = hyphenated
        # A hyphenated word splits into at most 2 tokens per hyphen, plus one.
        self._window = 2 * max((word.count("-") for word in hyphenated), default=0) + 1

    def __call__(self, text: str):
        doc = self._tokenizer(text)
        spans = self._merges(doc)
        if spans:
            with doc.retokenize() as retokenizer:
                for start, end in spans:
                    retokenizer.merge(doc[start:end])
        return doc

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    def __getattr__(self, name):
        if name.startswith("_"):  # not yet set (copy, unpickling): no recursion through __getattr__
            raise AttributeError(name)
        return getattr(self._tokenizer, name)

    def _merges(self, doc) -> list[tuple[int, int]]:
        """Token spans that spell a hyphenated exception, chosen as spaCy's
        special-case filter chooses (see the module docstring)."""
        if "-" not in doc.text:
            return []
        found = []
        count = len(doc)
        for start in range(count):
            text = ""
            for end in range(start, min(count, start + self._window)):
                token = doc[end]
                text += token.text
                if end > start and text in self._hyphenated:
                    found.append((start, end + 1))
                if token.whitespace_:
                    break
        if not found:
            return []
        found.sort(key=lambda span: (-(span[1] - span[0]), span[0]))
        taken: set[int] = set()
        chosen = []
        for start, end in found:
            if start not in taken and end - 1 not in taken:
                chosen.append((start, end))
            taken.update(range(start, end))
        return sorted(chosen)


def restore(nlp, saved: Path) -> QuickTokenizer | None:
    """The tokenizer saved at `saved` (a model's "tokenizer" file) for `nlp`,
    whose own tokenizer was built with no exceptions; None when that one
    splits prefixes, suffixes or infixes or matches tokens or URLs other than
    the saved one did (then only spaCy's own restore is right)."""
    data = srsly.msgpack_loads(saved.read_bytes())
    tokenizer = nlp.tokenizer
    if not _same_patterns(tokenizer, data):
        return None
    exceptions = data.get("exceptions") or {}
    hyphenated = frozenset(key for key, value in exceptions.items() if _hyphenated_word(key) and _one_token(key, value))
    tokenizer.rules = {key: value for key, value in exceptions.items() if key not in hyphenated}
    tokenizer.token_match = hyphenated.__contains__
    return QuickTokenizer(tokenizer, hyphenated)


def _hyphenated_word(key: str) -> bool:
    """Letters joined by hyphens ("anak-anak"); emoticons such as "(-_-)"
    stay special cases (their pieces are split off as prefixes and
    suffixes, which the merge below does not follow)."""
    parts = key.split("-")
    return len(parts) > 1 and all(part.isalpha() for part in parts)


def _one_token(key: str, value) -> bool:
    """An exception that keeps its string as one token, changing nothing
    else (the only kind token_match can stand in for)."""
    return len(value) == 1 and set(value[0]) <= {65, "ORTH"} and value[0].get(65, value[0].get("ORTH")) == key


def _same_patterns(tokenizer, data: dict) -> bool:
    if data.get("token_match"):
        return False
    for key in ("prefix_search", "suffix_search", "infix_finditer", "url_match"):
        function = getattr(tokenizer, key)
        pattern = getattr(getattr(function, "__self__", None), "pattern", None)
        if pattern != data.get(key):
            return False
    return True
