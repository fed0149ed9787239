"""Verification of a .docx output: unzip it and look at every part again."""

from __future__ import annotations

import io
import re

from lxml import etree

from ...config import ImageSettings
from ...errors import InputRejected
from ...pixels.redact import flattened, pixel_problems
from ...verify import MIN_RAW_LENGTH, leaks_in_bytes, leaks_in_text
from .images import decode
from .package import open_package
from .text import paragraph_units
from .unseen import boxes_over_text, unseen_left
from .xml import NS, W, parse

FORBIDDEN_PARTS = re.compile(
    r"comments|people\.xml$|^docProps/custom\.xml$|^docProps/thumbnail|^customXml/|glossary|embeddings/|"
    r"activeX|vbaProject|vbaData|printerSettings",
    re.I,
)
FORBIDDEN_ELEMENTS = ("del", "delText", "ins", "moveFrom", "moveTo", "commentReference", "commentRangeStart",
                      "rPrChange", "pPrChange", "docVars", "attachedTemplate", "rsids", "object")
CORE_FIELDS = ("creator", "lastModifiedBy", "title", "subject", "keywords", "description", "category",
               "contentStatus", "identifier", "lastPrinted", "created", "modified", "revision")


def verify_docx(output: bytes, values: set[str], inserted: set[str], images: ImageSettings,
                min_picture_px: int) -> list[str]:
    try:
        package = open_package(output)
    except InputRejected as exc:
        return [f"the output is not a valid .docx: {exc.reason}"]
    problems = _opens_in_python_docx(output)
    texts, attributes, blobs = [], [], []
    for name, data in package.parts.items():
        if name.startswith("word/media/"):
            pixels = decode(data)
            if pixels is None:
                problems.append(f"picture {name} cannot be decoded to be checked")
            elif max(pixels.shape[:2]) >= min_picture_px:
                bgr, views = pixels[:, :, :3].copy(), ()
                if pixels.shape[2] == 4:  # transparent: read flattened, as redaction did
                    bgr, on_black = flattened(bgr, pixels[:, :, 3])
                    views = (on_black,)
                problems += pixel_problems(bgr, values, inserted, images, f"picture {name}", views)
        if FORBIDDEN_PARTS.search(name):
            problems.append(f"part {name} should have been removed")
        if not (name.endswith(".xml") or name.endswith(".rels")):
            continue
        try:
            root = parse(data)
        except etree.XMLSyntaxError as exc:
            problems.append(f"part {name} is not valid XML: {exc}")
            continue
        blobs.append((f"part {name}", data))
        unseen = unseen_left(root, inserted)
        if unseen:
            problems.append(f"{unseen} run(s) of unseen text (black on black, white or hidden) remain in part {name}")
        boxes = boxes_over_text(root)
        if boxes:
            problems.append(f"{boxes} dark box(es) drawn in front of the text in part {name}: what they cover cannot be "
                            "told in a Word file (removing them would show it); a person must look")
        texts.append((f"part {name}", "\n".join(_texts(root))))
        attributes.append((f"an attribute of part {name}", "\n".join(_attributes(root))))
        texts += [(f"part {name}", unit.text) for unit in paragraph_units(root, name)]
        problems += _structure_problems(name, root)
    # Part names are text too (word/media/Siti_Rahmawati.jpg).
    texts.append(("the part names", "\n".join(re.sub(r"[_\-.]+", " ", name) for name in package.parts)))
    problems += leaks_in_text(values, texts, inserted)
    # Attribute values are codes (languages, style ids, fonts: "sa-IN"), so a
    # two-letter value such as initials is only looked for in text.
    problems += leaks_in_text({v for v in values if len(v.strip()) >= MIN_RAW_LENGTH}, attributes, inserted)
    problems += leaks_in_bytes(values, blobs, inserted)
    return list(dict.fromkeys(problems))


def _opens_in_python_docx(output: bytes) -> list[str]:
    import docx

    try:
        docx.Document(io.BytesIO(output))
    except Exception as exc:  # python-docx raises many kinds
        return [f"the output does not open as a Word document: {exc}"]
    return []


def _texts(root: etree._Element):
    for element in root.iter():
        if element.text and element.text.strip():
            yield element.text


def _attributes(root: etree._Element):
    for element in root.iter():
        for value in element.attrib.values():
            if value.strip():
                yield value


def _structure_problems(name: str, root: etree._Element) -> list[str]:
    problems = []
    for local in FORBIDDEN_ELEMENTS:
        if next(root.iter(W + local), None) is not None:
            problems.append(f"{name} still has w:{local}")
    for element in root.iter():
        for key in element.attrib:
            local = etree.QName(key).localname
            if key.startswith(W) and (local.lower().startswith("rsid") or local in ("author", "initials")):
                problems.append(f"{name} still has revision data ({local})")
                break
    if name.endswith(".rels"):
        for rel in root:
            external = rel.get("TargetMode") == "External"
            if external and not rel.get("Type", "").endswith("/hyperlink"):
                problems.append(f"{name} still links outside the document ({rel.get('Type', '').rsplit('/', 1)[-1]})")
    if root.tag == "{%s}coreProperties" % NS["cp"]:
        present = [etree.QName(el).localname for el in root if etree.QName(el).localname in CORE_FIELDS]
        if present:
            problems.append(f"document properties remain: {present}")
    return list(dict.fromkeys(problems))
