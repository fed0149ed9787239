"""How two mentions of a value are compared: `normalise` (case folded, white
space collapsed) and `value_pattern`, the reference definition of a mention
as a whole token sequence. matcher.py finds every value's mentions in one
pass by the same rule (tests/test_matcher.py checks that they agree);
document.py uses it for consistency within a document (a value found once is
redacted at every mention), verify.py and second_look.py to search outputs."""

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
