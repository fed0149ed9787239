"""Paragraph text across runs, and replacement that keeps the runs.

A name with a bold first word is two runs: "Siti" (bold) + " Aminah". The
paragraph's text is the concatenation of its w:t nodes; a finding maps back to
the pieces of the nodes it covers. The replacement text goes into the first
piece (keeping that run's formatting); the rest of the finding is removed
from the other nodes. Tabs and breaks count as white space so that words on
either side stay apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .xml import W, XML_SPACE

MATH_TEXT = "{http://schemas.openxmlformats.org/officeDocument/2006/math}t"
_SEPARATORS = {W + "tab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-", W + "softHyphen": ""}


@dataclass
class Piece:
    node: etree._Element | None  # a w:t (or w:instrText), None for a separator
    start: int
    end: int


@dataclass
class TextUnit:
    """One paragraph's text (or one field instruction), with its pieces."""

    where: str
    text: str
    pieces: list[Piece]
    kind: str = "paragraph"  # or "field" (field instructions: HYPERLINK "mailto:...")

    def replace(self, spans: list[tuple[int, int, str]]) -> None:
        """Replace each (start, end, replacement), last first so that earlier
        offsets stay valid. Overlapping spans must be merged by the caller."""
        for start, end, replacement in sorted(spans, key=lambda s: s[0], reverse=True):
            first = True
            for piece in self.pieces:
                if piece.node is None or piece.end <= start or piece.start >= end:
                    continue
                local_start = max(start, piece.start) - piece.start
                local_end = min(end, piece.end) - piece.start
                text = piece.node.text or ""
                inserted = replacement if first else ""
                piece.node.text = text[:local_start] + inserted + text[local_end:]
                piece.node.set(XML_SPACE, "preserve")
                first = False


def _owner(element: etree._Element, tag: str) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def paragraph_units(root: etree._Element, part: str) -> list[TextUnit]:
    """One unit per w:p (its own text, not that of paragraphs nested in its
    text boxes), plus one per field instruction (HYPERLINK "mailto:...")."""
    units = []
    for number, paragraph in enumerate(root.iter(W + "p")):
        pieces, text = [], ""
        for element in paragraph.iter(W + "t", MATH_TEXT, *_SEPARATORS):
            if _owner(element, W + "p") is not paragraph:
                continue
            is_text = element.tag in (W + "t", MATH_TEXT)  # equations hold text too (m:t)
            value = (element.text or "") if is_text else _SEPARATORS[element.tag]
            node = element if is_text else None
            pieces.append(Piece(node, len(text), len(text) + len(value)))
            text += value
        if text.strip():
            units.append(TextUnit(f"{part} paragraph {number + 1}", text, pieces))
        for instr in paragraph.iter(W + "instrText"):
            if _owner(instr, W + "p") is paragraph and (instr.text or "").strip():
                value = instr.text
                units.append(TextUnit(f"{part} field {number + 1}", value, [Piece(instr, 0, len(value))], "field"))
    return units


class AttributeUnit(TextUnit):
    """Text held in an attribute (w:fldSimple/@w:instr)."""

    def __init__(self, where: str, element: etree._Element, attribute: str):
        value = element.get(attribute) or ""
        super().__init__(where, value, [], "field")
        self.element, self.attribute = element, attribute

    def replace(self, spans):
        value = self.element.get(self.attribute) or ""
        for start, end, replacement in sorted(spans, key=lambda s: s[0], reverse=True):
            value = value[:start] + replacement + value[end:]
        self.element.set(self.attribute, value)


VML_TEXTPATH = "{urn:schemas-microsoft-com:vml}textpath"


def attribute_units(root: etree._Element, part: str) -> list[TextUnit]:
    """Text held in attributes: simple fields' instructions, and watermarks
    (a VML text path's string, "RAHASIA - Siti Rahmawati")."""
    units: list[TextUnit] = [AttributeUnit(f"{part} field", el, W + "instr")
                             for el in root.iter(W + "fldSimple") if el.get(W + "instr")]
    units += [AttributeUnit(f"{part} watermark", el, "string") for el in root.iter(VML_TEXTPATH) if el.get("string")]
    return units
