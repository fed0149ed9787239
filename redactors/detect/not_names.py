"""Words that are not names, trimmed off the edges of a name the models
found in lower-case text.

In lower-case text (chat messages, some news feeds, OCR of some forms) the
models cannot see where a name ends and run it into the words beside it:
"almarhum syamsul muarif" (the late ...), "kiper leicester" (the
goalkeeper of ...), "jenner gemar" (... likes). models/not_names.txt lists
the lower-case words that the public NER train splits tag O at least ten
times and never as part of a person's name (scripts/build_not_names.py).
Only spans written wholly in lower case are trimmed: in cased text a
lower-case word inside a name is a particle of it ("Minamoto no Yoritomo",
"Ali bin Abdullah"), and the models see the capitals. Names that are also
common words ("tulang", "taat") are not in the list when they occur as names
in the train splits, and a word as frequent as the list requires is rarely a
name: on the dev splits' tune halves no gold name word was trimmed (NERP
PERSON precision 0.869 -> 0.886 at the same recall).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

NOT_NAMES = Path(__file__).resolve().parent.parent / "models" / "not_names.txt"
_WORD = re.compile(r"\w+(?:[-'\u2019]\w+)*")


@functools.lru_cache(maxsize=1)
def not_names() -> frozenset[str]:
    lines = NOT_NAMES.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def trim_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """(start, end) of the name in text[start:end] without the listed words
    at its edges; None when nothing else is left; unchanged when the span
    has any capital letter."""
    if not text[start:end].islower():
        return start, end
    words = [m.span() for m in _WORD.finditer(text, start, end)]
    listed = not_names()
    while words and text[words[0][0]:words[0][1]] in listed:
        words.pop(0)
    while words and text[words[-1][0]:words[-1][1]] in listed:
        words.pop()
    if not words:
        return None
    return words[0][0], words[-1][1]
