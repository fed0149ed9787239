"""What replaces a finding: nothing readable (a box), a label ([NAMA]), or a
pseudonym that stays the same for the same person within one document
("Klien A" everywhere Siti Aminah was, including "Bu Aminah")."""

from __future__ import annotations

from string import ascii_uppercase

from .config import RedactionStyle
from .detect.document import Known
from .detect.propagate import normalise


def _letters(index: int) -> str:
    """A, B, ..., Z, AA, AB, ..."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = ascii_uppercase[rest] + out
    return out


class Replacer:
    """One per document: pseudonyms are consistent within it, not across
    documents (linking two reports through a shared pseudonym would itself
    reveal something)."""

    def __init__(self, style: RedactionStyle, known: dict[str, Known] | None = None):
        self.style = style
        self.known = known or {}
        self._pseudonyms: dict[tuple[str, str], str] = {}
        self._counters: dict[str, int] = {}

    def text_for(self, entity_type: str, value: str) -> str | None:
        """The text written in place of `value`, or None for a plain box."""
        kind = self.style.style_for(entity_type)
        if kind == "box":
            return None
        if kind == "label":
            return self.style.label_for(entity_type)
        key = normalise(value)
        item = self.known.get(key)
        canonical = item.canonical if item else key
        slot = (entity_type, canonical)
        if slot not in self._pseudonyms:
            number = self._counters.get(entity_type, 0)
            self._counters[entity_type] = number + 1
            self._pseudonyms[slot] = f"{self.style.pseudonym_prefix_for(entity_type)} {_letters(number)}"
        return self._pseudonyms[slot]
