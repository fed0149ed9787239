"""Detection on plain text, exactly as `tabir run` does it on a document:
the same detector, the same policy, consistency within the text."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from .detect.base import TextDetector
from .detect.document import detect_units
from .model import TextSpan


def scan_text(detector: TextDetector, text: str) -> list[TextSpan]:
    spans, _ = detect_units(detector, [text])
    return spans[0]


def scan_jsonl(detector: TextDetector, lines: Iterable[str]) -> Iterator[str]:
    """{"id": ..., "text": ...} per line in; {"id": ..., "entities": [...]}
    per line out, offsets in characters of the given text. A line that is
    not such an object gives {"id": null, "error": "..."} and the rest go on."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["text"]
            if not isinstance(text, str):
                raise TypeError("'text' must be a string")
        except (ValueError, KeyError, TypeError) as exc:
            yield json.dumps({"id": None, "line": number, "error": f"not a JSON object with a 'text' string: {exc}"})
            continue
        entities = [
            {"start": s.start, "end": s.end, "type": s.entity_type, "score": round(s.score, 4)}
            for s in scan_text(detector, text)
        ]
        yield json.dumps({"id": item.get("id"), "entities": entities}, ensure_ascii=False)
