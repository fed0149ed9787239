"""File and folder names are text too: `Siti_Rahmawati_laporan.pdf` in a
folder `Kasus Budi Santoso/` tells who the file is about.

Each path component is split into words (at _ - . spaces and camelCase),
read by the detector, and compared with the values found inside the file
(by their keyed hashes: the outcome keeps no values). Detected words are
replaced by the policy's label (`[NAMA]_laporan.pdf`). A name that was
changed gets a short keyed tag of the original path (`~1a2b3c4d`), so two
files whose names redact alike never share an output, and the same input
always gets the same name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from .config import RedactionStyle
from .detect.base import TextDetector

# Word boundaries inside a file name: separators, and a lower-case letter or
# digit followed by a capital (camelCase: SitiRahmawati).
_SEPARATORS = re.compile(r"[_\-.\s]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
MAX_WORDS_PER_VALUE = 4
# Types found by the name models (not by patterns with validation).
_MODEL_TYPES = {"PERSON", "LOCATION", "ORGANIZATION", "NRP"}
# Characters a label must not bring into a file name.
_UNSAFE = re.compile(r"[/\\\x00]")


@dataclass(frozen=True)
class NameFinding:
    component: int  # index of the path component
    entity_type: str
    recognizer: str
    value: str  # the words replaced (hashed into the manifest, never written)


def _words(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word of a path component."""
    out = []
    position = 0
    for piece in _SEPARATORS.split(text):
        start = text.find(piece, position) if piece else position
        position = start + len(piece)
        offset = start
        for part in _CAMEL.split(piece):
            if part:
                out.append((offset, offset + len(part)))
            offset += len(part)
    return out


def redact_component(component: str, detector: TextDetector, known_type: Callable[[str], str | None],
                     label_for: Callable[[str], str]) -> tuple[str, list[tuple[str, str, str]]]:
    """The component with detected words replaced by labels, and (entity
    type, recognizer, replaced words) per replacement."""
    words = _words(component)
    if not words:
        return component, []
    text = " ".join(component[a:b] for a, b in words)
    starts, position = [], 0
    for a, b in words:
        starts.append(position)
        position += (b - a) + 1
    covered: dict[int, tuple[str, str]] = {}
    for span in detector.detect(text):
        found = text[span.start:span.end]
        if span.entity_type in _MODEL_TYPES and " " not in found and found.islower():
            continue  # one lower-case word: the models guess on a name with no context ("terkunci")
        for index, start in enumerate(starts):
            end = start + words[index][1] - words[index][0]
            if start < span.end and span.start < end:
                covered.setdefault(index, (span.entity_type, span.recognizer))
    for size in range(MAX_WORDS_PER_VALUE, 0, -1):
        for first in range(0, len(words) - size + 1):
            candidate = " ".join(component[a:b] for a, b in words[first:first + size])
            entity_type = known_type(candidate)
            if entity_type:
                for index in range(first, first + size):
                    covered.setdefault(index, (entity_type, "ValueFoundInFile"))
    if not covered:
        return component, []
    out, replaced, last_end, index = [], [], 0, 0
    while index < len(words):
        if index not in covered:
            index += 1
            continue
        run_end = index
        while run_end + 1 < len(words) and covered.get(run_end + 1, ("",))[0] == covered[index][0]:
            run_end += 1
        entity_type, recognizer = covered[index]
        out.append(component[last_end:words[index][0]])
        out.append(_UNSAFE.sub("_", label_for(entity_type)))
        replaced.append((entity_type, recognizer, " ".join(component[a:b] for a, b in words[index:run_end + 1])))
        last_end = words[run_end][1]
        index = run_end + 1
    out.append(component[last_end:])
    return "".join(out), replaced


def redact_path(rel: PurePosixPath, detector: TextDetector, known: dict[str, str],
                hash_value: Callable[[str], str], hash_path: Callable[[str], str],
                style: RedactionStyle) -> tuple[PurePosixPath, list[NameFinding]]:
    """The path to publish under, and what was replaced in it. `known` maps
    the keyed hash of each value found in the file to its entity type;
    `hash_value` is that keyed hash, `hash_path` the keyed hash of a path."""

    def known_type(candidate: str) -> str | None:
        return known.get(hash_value(candidate)) if known else None

    parts = list(rel.parts)
    findings: list[NameFinding] = []
    for index, part in enumerate(parts):
        suffix = PurePosixPath(part).suffix if index == len(parts) - 1 else ""
        stem = part[: len(part) - len(suffix)]
        new_stem, replaced = redact_component(stem, detector, known_type, style.label_for)
        if replaced:
            parts[index] = new_stem + suffix
            findings += [NameFinding(index, t, r, v) for t, r, v in replaced]
    if not findings:
        return rel, []
    tagged = PurePosixPath(*parts)
    return tagged.with_name(f"{tagged.stem}~{hash_path(str(rel))[:8]}{tagged.suffix}"), findings
