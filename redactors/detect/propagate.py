"""Consistency within a document: once a value is found anywhere, every other
mention of it is redacted too. The detector may flag "Siti Aminah" in one
sentence and miss it in the next; a publication copy must not keep the miss."""

from __future__ import annotations

import functools
import re

_WS = re.compile(r"\s+")


def normalise(value: str) -> str:
    """Case-folded, whitespace collapsed: how values are compared."""
    return _WS.sub(" ", value).strip().casefold()


@functools.lru_cache(maxsize=4096)
def value_pattern(value: str) -> re.Pattern[str]:
    """A case-insensitive pattern for `value` as a whole token sequence:
    any run of white space (a line break too) between its parts, and no word
    character glued on either side ("Siti" must not match "Sitinjak")."""
    parts = [re.escape(p) for p in normalise(value).split(" ") if p]
    body = r"\s+".join(parts)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)
