"""WordprocessingML's less visited places that hold free text, each either
redacted with the body text or dropped (see README, "What redaction does to
a Word file", for the list and why the rest cannot hold personal data).

- Content controls: the items of a drop-down or combo box (w:listItem
  display text and value): dropped; the shown value is body text.
- Legacy form fields (w:ffData): name, default text, help and status
  text, drop-down entries: dropped; the field's result is body text.
- Hyperlinks: tooltips, target frames (where LibreOffice puts the tooltip)
  and document locations dropped.
- Bookmarks: names (w:bookmarkStart/@w:name: "Siti_Rahmawati") renamed
  to neutral ones, with the links and field references that use them.
- Field codes that name a file (INCLUDEPICTURE, INCLUDETEXT, LINK, DDE,
  IMPORT...): the path goes (C:\\Users\\<name>\\..., a client's folder).
- Shapes, groups and their children: alt text, titles and names in every
  namespace (DrawingML, VML) go with the pictures' (clean.remove_alt_text).
- Watermarks (VML text paths) and equations (m:t) are text units: they are
  detected and redacted like paragraphs (text.py).
"""

from __future__ import annotations

import re

from lxml import etree

from .xml import W

# Fields whose instruction points at a file or another program's data.
FILE_FIELDS = {"INCLUDEPICTURE", "INCLUDETEXT", "LINK", "DDE", "DDEAUTO", "IMPORT", "INCLUDE", "DATABASE", "EMBED"}
_FIELD_NAME = re.compile(r"^\s*([A-Za-z]+)")
_LOCAL_TARGET = re.compile(r'HYPERLINK\s+"(?!(?:https?|ftp)://)[^"]*"', re.I)


def clean_corners(root: etree._Element) -> list[str]:
    """Drop or neutralise the corners above in one part; notes for the
    manifest."""
    notes = []
    dropped = 0
    for element in list(root.iter(W + "listItem", W + "ffData", W + "listEntry")):
        element.getparent().remove(element)
        dropped += 1
    if dropped:
        notes.append("content-control list items and legacy form-field data removed")
    for link in root.iter(W + "hyperlink"):
        # LibreOffice writes a link's tooltip into w:tgtFrame (the target
        # window's name) when it saves as Word: "Rumah Siti Rahmawati".
        for attribute in (W + "tooltip", W + "docLocation", W + "tgtFrame"):
            if attribute in link.attrib:
                del link.attrib[attribute]
                notes.append("hyperlink tooltips removed")
    if _rename_bookmarks(root):
        notes.append("bookmark names replaced by neutral ones")
    if _neutralise_file_fields(root):
        notes.append("file paths in field codes removed")
    return list(dict.fromkeys(notes))


def _rename_bookmarks(root: etree._Element) -> bool:
    names: dict[str, str] = {}
    for start in root.iter(W + "bookmarkStart"):
        name = start.get(W + "name")
        if name is None or name == "_GoBack":
            continue
        names.setdefault(name, f"_Tabir{len(names) + 1}")
        start.set(W + "name", names[name])
    if not names:
        return False
    for link in root.iter(W + "hyperlink"):
        anchor = link.get(W + "anchor")
        if anchor is not None:
            link.set(W + "anchor", names.get(anchor, "_Tabir0"))
    pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?![\w])")
    for instr in root.iter(W + "instrText"):
        if instr.text:
            instr.text = pattern.sub(lambda m: names[m.group(1)], instr.text)
    for simple in root.iter(W + "fldSimple"):
        value = simple.get(W + "instr")
        if value:
            simple.set(W + "instr", pattern.sub(lambda m: names[m.group(1)], value))
    return True


def _neutral_instruction(text: str) -> str:
    match = _FIELD_NAME.match(text or "")
    if match and match.group(1).upper() in FILE_FIELDS:
        return f" {match.group(1).upper()} "
    return _LOCAL_TARGET.sub('HYPERLINK ""', text or "")


def _neutralise_file_fields(root: etree._Element) -> bool:
    changed = False
    for instr in root.iter(W + "instrText"):
        new = _neutral_instruction(instr.text or "")
        if new != (instr.text or ""):
            instr.text, changed = new, True
    for simple in root.iter(W + "fldSimple"):
        value = simple.get(W + "instr") or ""
        new = _neutral_instruction(value)
        if new != value:
            simple.set(W + "instr", new)
            changed = True
    return changed


def corner_texts(root: etree._Element) -> str:
    """What the dropped corners say, for detection before they go (a name in
    a drop-down list is hunted down in the body too)."""
    texts = []
    for item in root.iter(W + "listItem"):
        texts += [item.get(W + "displayText") or "", item.get(W + "value") or ""]
    for data in root.iter(W + "ffData"):
        texts += [el.get(W + "val") or "" for el in data.iter() if el.get(W + "val")]
    for link in root.iter(W + "hyperlink"):
        texts += [link.get(W + "tooltip") or "", link.get(W + "tgtFrame") or ""]
    for start in root.iter(W + "bookmarkStart"):
        texts.append(re.sub(r"[_\-.]+", " ", start.get(W + "name") or ""))
    return "\n".join(t for t in texts if t.strip())
