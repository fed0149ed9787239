"""Word (.docx) redaction: every part that can carry a name.

Body, tables, text boxes, headers and footers of every section, footnotes
and endnotes, fields and hyperlinks are redacted in place with labels or
pseudonyms, keeping the runs' formatting. Comments, tracked changes (deleted
text and authors), revision ids, properties, custom XML, the glossary,
thumbnails, embedded objects and macros are removed; alt text is dropped;
pictures are re-encoded without metadata. What is not on the allowlist of
known parts is removed.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote

import numpy as np
from lxml import etree

from ...detect.document import detect_units
from ...pixels.redact import picture_text, redact_pixels, redact_transparent
from ...errors import CorruptInput
from ...model import Finding, Location, RedactionResult, TextSpan
from ...replace import Replacer
from ..base import FormatHandler, RedactionContext
from .check import verify_docx
from .corners import clean_corners, corner_texts
from .crops import apply_crops, relationship_targets
from .clean import (
    accept_revisions, clean_settings, remove_alt_text, remove_comment_marks, remove_embedded_objects,
    remove_revision_ids, unwrap_smart_tags,
)
from .images import BLANK_PNG, clean_image, decode
from .package import Package, open_package
from .parts import (
    APP_TYPE, CORE_TYPE, HYPERLINK_TYPE, IMAGE_TYPES, KEEP_TYPES, MINIMAL_APP, MINIMAL_CORE,
    ROOT_REL_TYPES_KEPT, TEXT_TYPES, ContentTypes, relative_target, removed_kind, resolve, source_of_rels,
)
from .text import TextUnit, attribute_units, paragraph_units
from .unseen import boxes_over_text, take_out_unseen
from .xml import NS, R, W, parse, serialise, unwrap


class DocxHandler(FormatHandler):
    name = "docx"
    extensions = (".docx",)

    def redact(self, data: bytes, ctx: RedactionContext) -> RedactionResult:
        package = open_package(data, max_expanded=max(ctx.config.limits.max_file_bytes * 4, 64 * 1024 * 1024))
        try:
            return _Redaction(package, ctx).run()
        except etree.XMLSyntaxError as exc:
            raise CorruptInput(f"a part of the document is not valid XML: {exc}") from exc

    def verify(self, output: bytes, sensitive_values: set[str], inserted: set[str],
               ctx: RedactionContext) -> list[str]:
        return verify_docx(output, sensitive_values, inserted, ctx.config.images, ctx.config.limits.min_picture_px)

    def output_texts(self, output: bytes, ctx: RedactionContext) -> list[tuple[str, str]]:
        read_pictures = ctx.config.verification.read_pictures and ctx.config.images.ocr
        package = open_package(output)
        texts = []
        for name, data in sorted(package.parts.items()):
            if name.startswith("word/") and name.endswith(".xml"):
                texts += [(f"part {name}", unit.text) for unit in paragraph_units(parse(data), name) if unit.text.strip()]
            elif read_pictures and name.startswith("word/media/"):
                pixels = decode(data)
                if pixels is not None and max(pixels.shape[:2]) >= ctx.config.limits.min_picture_px:
                    alpha = np.ascontiguousarray(pixels[:, :, 3]) if pixels.shape[2] == 4 else None
                    texts.append((f"the text read from picture {name}", picture_text(np.ascontiguousarray(pixels[:, :, :3]), alpha)))
        return texts


class _Redaction:
    def __init__(self, package: Package, ctx: RedactionContext):
        self.package = package
        self.ctx = ctx
        self.types = ContentTypes(package.parts["[Content_Types].xml"])
        self.notes: list[str] = []
        self.findings: list[Finding] = []
        self.trees: dict[str, etree._Element] = {}
        self.removed: set[str] = set()
        self.unchecked = 0

    def run(self) -> RedactionResult:
        detector = self.ctx.detector
        text_parts = [n for n in self.package.names() if self.types.of(n) in TEXT_TYPES]
        for name in text_parts:
            self.trees[name] = parse(self.package.parts[name])

        # 1. What hidden carriers say counts as found (then they go).
        seed = []
        for location, text in self._carrier_texts(text_parts):
            for span in detector.detect(text):
                seed.append(Finding.from_span(span, text, location))
        self.findings += seed

        # 2. Clean the text parts: accept revisions, drop comment anchors,
        #    smart-tag data, embedded objects, alt text, revision ids.
        for root in self.trees.values():
            if accept_revisions(root):
                self._note("tracked changes resolved: deleted text removed, insertions accepted")
            if remove_comment_marks(root):
                self._note("comments removed")
            unwrap_smart_tags(root)
            if remove_embedded_objects(root):
                self._note("embedded objects removed")
            if remove_alt_text(root):
                self._note("alt text of pictures removed")
            for note in clean_corners(root):
                self._note(note)
            remove_revision_ids(root)

        # 2b. Words blacked out, whitened or hidden in Word: there, yet
        #     unseen (unseen.py). Taken out; what they said is hunted in the
        #     rest of the document like any value found.
        label_slots = []
        for name, root in self.trees.items():
            unseen = take_out_unseen(root)
            label_slots += unseen.label_slots
            found = [Finding("HIDDEN_UNDER_BOX", text, 1.0, "Unseen", TEXT_TYPES[self.types.of(name)])
                     for text in unseen.texts]
            seed += found
            self.findings += found
            if unseen.blacked_out:
                self._note(f"{unseen.blacked_out} blacked-out run(s) of text (black on black) taken out, the box kept")
            if unseen.removed:
                self._note(f"{unseen.removed} run(s) of white or hidden text taken out")
            if boxes_over_text(root):
                self._note("a dark box is drawn in front of the text: what it covers cannot be told in a Word file, "
                           "so the file is held for review")

        # 3. Detect over every paragraph of every part, consistently.
        units: list[tuple[str, TextUnit]] = []
        for name in text_parts:
            location = TEXT_TYPES[self.types.of(name)]
            units += [(location, u) for u in paragraph_units(self.trees[name], name)]
            units += [(location, u) for u in attribute_units(self.trees[name], name)]
        spans_per_unit, known = detect_units(
            detector, [u.text for _, u in units], seed=[(f.value, f.entity_type) for f in seed]
        )
        replacer = Replacer(self.ctx.config.redaction, known)
        inserted: set[str] = set()
        for (location, unit), spans in zip(units, spans_per_unit):
            # every span is a finding (its value is checked for in the output);
            # overlapping spans are replaced once, as their union
            for span in spans:
                self.findings.append(Finding.from_span(span, unit.text, "field" if unit.kind == "field" else location))
            replacements = []
            for span in _merge(spans):
                value = unit.text[span.start:span.end]
                text = replacer.text_for(span.entity_type, value) or self.ctx.config.redaction.label_for(span.entity_type)
                inserted.add(text)
                replacements.append((span.start, span.end, text))
            unit.replace(replacements)
        # A blacked-out stretch's box holds a label, black on black, set once
        # the document is read (a label read by the detector was taken for a
        # name and replaced: "[[NAMA]]").
        if label_slots:
            label = self.ctx.config.redaction.label_for("HIDDEN_UNDER_BOX")
            for slot in label_slots:
                slot.text = label
            inserted.add(label)

        # 4. Parts, relationships, hyperlinks, pictures, properties.
        self._drop_unlisted_parts()
        self._clean_relationships(known)
        self._apply_crops()
        self._clean_pictures()
        self._rename_media()
        self._rewrite_properties()
        for name, root in self.trees.items():
            self.package.parts[name] = serialise(root)
        self.package.parts["[Content_Types].xml"] = serialise(self.types.root)
        output = self.package.to_bytes()
        return RedactionResult(output=output, findings=self.findings, pages=0, notes=self.notes, inserted=inserted,
                               unchecked_pictures=self.unchecked)

    # ---- carriers ----------------------------------------------------------------
    def _carrier_texts(self, text_parts):
        parts = self.package.parts
        for name in parts:
            ctype = self.types.of(name)
            if name.endswith(".xml") and (ctype in (CORE_TYPE, APP_TYPE) or name == "docProps/custom.xml"):
                yield "metadata", _all_text(parse(parts[name]))
            elif re.search(r"comments[^/]*\.xml$", name, re.I):
                yield "comment", _all_text(parse(parts[name]))
            elif name.startswith("customXml/") and name.endswith(".xml"):
                yield "metadata", _all_text(_safe_parse(parts[name]))
            elif "glossary" in name and name.endswith(".xml"):
                yield "metadata", _all_text(_safe_parse(parts[name]))
        for name in text_parts:
            root = self.trees[name]
            deleted = " ".join(t.text or "" for t in root.iter(W + "delText"))
            if deleted.strip():
                yield "tracked_change", deleted
            alts = [el.get(a) for el in root.iter("{%s}docPr" % NS["wp"], "{%s}cNvPr" % NS["pic"]) for a in ("descr", "title")]
            alts = [a for a in alts if a]
            if alts:
                yield "alt_text", "\n".join(alts)
            tags = [el.get(W + "val") for el in root.iter(W + "alias", W + "tag") if el.get(W + "val")]
            if tags:
                yield "field", "\n".join(tags)
            corners = corner_texts(root)
            if corners:
                yield "field", corners
        settings = [n for n in parts if n.endswith("settings.xml")]
        for name in settings:
            root = parse(parts[name])
            variables = [el.get(W + "val") or "" for el in root.iter(W + "docVar")]
            if any(variables):
                yield "metadata", "\n".join(variables)

    # ---- parts and relationships --------------------------------------------------
    def _drop_unlisted_parts(self) -> None:
        for name in list(self.package.parts):
            if name == "[Content_Types].xml" or name.endswith(".rels"):
                continue
            ctype = self.types.of(name)
            if ctype in TEXT_TYPES or ctype in KEEP_TYPES or ctype in (CORE_TYPE, APP_TYPE):
                continue
            if IMAGE_TYPES.match(ctype) and name.startswith("word/media/"):
                continue
            self._note(f"removed: {removed_kind(name)}")
            del self.package.parts[name]
            self.removed.add(name)
        self.types.drop(self.removed)
        for name in [n for n in self.package.parts if self.types.of(n) == _SETTINGS]:
            root = parse(self.package.parts[name])
            clean_settings(root)
            self.package.parts[name] = serialise(root)

    def _clean_relationships(self, known) -> None:
        for rels in [n for n in self.package.parts if n.endswith(".rels")]:
            source = source_of_rels(rels)
            if source and source not in self.package.parts:
                del self.package.parts[rels]
                continue
            root = parse(self.package.parts[rels])
            dropped_ids = set()
            for rel in list(root):
                rtype, target = rel.get("Type", ""), rel.get("Target", "")
                external = rel.get("TargetMode") == "External"
                if not source:  # the package's own relationships
                    keep = rtype in ROOT_REL_TYPES_KEPT
                elif external:
                    keep = rtype == HYPERLINK_TYPE and not self._target_is_personal(target, known)
                    if rtype != HYPERLINK_TYPE:
                        self._note("external links (templates, linked files) removed")
                    elif not keep:
                        self._note("hyperlink targets with personal data removed (link text kept)")
                else:
                    keep = resolve(source, target) in self.package.parts
                if not keep:
                    dropped_ids.add(rel.get("Id"))
                    root.remove(rel)
            self.package.parts[rels] = serialise(root)
            if dropped_ids and source in self.trees:
                _drop_references(self.trees[source], dropped_ids)

    def _target_is_personal(self, target: str, known) -> bool:
        """A link target with personal data (mailto:, a profile URL, a name
        found elsewhere in the document) is recorded and dropped."""
        text = unquote(target)
        if PERSONAL_LINK.search(text):  # mail, phone, chat, a map position
            self.findings.append(Finding("LINK_TARGET", text, 1.0, "PersonalLinkTarget", "hyperlink"))
            return True
        spans = self.ctx.detector.detect(text)
        for span in spans:
            self.findings.append(Finding.from_span(span, text, "hyperlink"))
        lowered = text.lower()
        mentioned = [value for value in known if len(value) >= 4 and value in lowered]
        for value in mentioned:
            start = lowered.index(value)
            span = TextSpan(start, start + len(value), known[value].entity_type, 1.0, "DocumentConsistency")
            self.findings.append(Finding.from_span(span, text, "hyperlink"))
        return bool(spans or mentioned)

    def _apply_crops(self) -> None:
        """What Word's crop tool hid of a picture is cut off it (crops.py)."""
        rels = {}
        for name in self.trees:
            folder, base = posixpath.split(name)
            rels_name = posixpath.join(folder, "_rels", base + ".rels")
            if rels_name in self.package.parts:
                rels[name] = relationship_targets(name, self.package.parts[rels_name])
        media = {n: d for n, d in self.package.parts.items() if n.startswith("word/media/")}
        cut = apply_crops(self.trees, rels, media)
        self.package.parts.update(media)
        if cut:
            self._note(f"{cut} cropped picture(s): the part the crop hid was cut off")

    def _clean_pictures(self) -> None:
        min_px = self.ctx.config.limits.min_picture_px
        policy = self.ctx.config.images

        def redact(bgr, alpha):
            if max(bgr.shape[:2]) < min_px:  # a logo or an icon
                return bgr, alpha, []
            if alpha is not None:  # a transparent stamp or signature: read flattened
                return redact_transparent(bgr, alpha, self.ctx.detector, policy)
            out, found, _ = redact_pixels(bgr, self.ctx.detector, policy)
            return out, alpha, found

        for name in [n for n in self.package.parts if n.startswith("word/media/")]:
            cleaned, note, found = clean_image(self.package.parts[name], redact)
            for finding in found:
                self.findings.append(finding.moved(Location.IMAGE, None, finding.bbox))
            if cleaned is None:
                cleaned = BLANK_PNG
                self.types.ensure_default("png", "image/png")
                self.types.overrides[name] = "image/png"
                override = etree.SubElement(self.types.root, "{%s}Override" % NS["ct"])
                override.set("PartName", "/" + name)
                override.set("ContentType", "image/png")
            if note:
                self._note(note)
            self.package.parts[name] = cleaned
        if any(n.startswith("word/media/") for n in self.package.parts):
            self._note("pictures checked for faces and text, and re-encoded without metadata")

    def _rename_media(self) -> None:
        """Media parts get neutral names (word/media/Siti_Rahmawati.jpg says
        who is in the picture): image1.jpg, image2.png..., with every
        relationship and content-type entry that names them."""
        media = sorted(n for n in self.package.parts if n.startswith("word/media/"))
        renames = {}
        for number, name in enumerate(media, 1):
            suffix = re.sub(r"[^A-Za-z0-9.]", "", name[name.rfind("."):]) if "." in name.rsplit("/", 1)[-1] else ""
            new = f"word/media/image{number}{suffix.lower()}"
            if new != name:
                renames[name] = new
        if not renames:
            return
        # All out, then all in: a new name may be another part's old name
        # (image10.png becomes image2.png while image2.png becomes image3.png).
        moved = {new_name: self.package.parts.pop(old_name) for old_name, new_name in renames.items()}
        self.package.parts.update(moved)
        self.types.rename(renames)
        for rels in [n for n in self.package.parts if n.endswith(".rels")]:
            source = source_of_rels(rels)
            if not source:
                continue
            root = parse(self.package.parts[rels])
            for rel in root:
                if rel.get("TargetMode") == "External":
                    continue
                target = resolve(source, rel.get("Target", ""))
                if target in renames:
                    rel.set("Target", relative_target(source, renames[target]))
            self.package.parts[rels] = serialise(root)
        self._note("pictures renamed to neutral names")

    def _rewrite_properties(self) -> None:
        for name in list(self.package.parts):
            ctype = self.types.of(name)
            if ctype == CORE_TYPE:
                self.package.parts[name] = MINIMAL_CORE
            elif ctype == APP_TYPE:
                self.package.parts[name] = MINIMAL_APP

    # ---- helpers -------------------------------------------------------------------
    def _note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)


# Link targets that point at a person or a place: mail, phone and chat
# addresses, and map positions (geo:, map URLs with coordinates or a query).
PERSONAL_LINK = re.compile(
    r"^(mailto|tel|sms|geo|whatsapp|callto|skype):|wa\.me/|api\.whatsapp\.com|t\.me/|"
    r"maps\.google\.|google\.[a-z.]+/maps|goo\.gl/maps|maps\.app\.goo\.gl|openstreetmap\.org/|"
    r"[@?&=/]-?\d{1,2}\.\d{3,},\s*-?\d{1,3}\.\d{3,}",
    re.I,
)

_SETTINGS = "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"


def _merge(spans: list[TextSpan]) -> list[TextSpan]:
    """Overlapping spans become one (the first one's type): a replacement
    must cover the union, once."""
    merged: list[TextSpan] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = TextSpan(last.start, max(last.end, span.end), last.entity_type, last.score, last.recognizer)
        else:
            merged.append(span)
    return merged


def _drop_references(root: etree._Element, ids: set[str]) -> None:
    """Elements that point at a removed relationship: hyperlinks keep their
    text, anything else (an OLE object, a linked picture) goes."""
    for element in list(root.iter()):
        for key, value in list(element.attrib.items()):
            if key.startswith(R) and value in ids:
                if element.tag == W + "hyperlink":
                    del element.attrib[key]
                    unwrap(element)
                elif element.getparent() is not None:
                    element.getparent().remove(element)
                break


# Properties of runs, paragraphs, tables and sections: their attributes are
# formatting (fonts, sizes, colours, languages), never a person. Read as
# text, a font name ("DejaVu Serif") is taken for a name by the models, and
# verification then finds it in every style of the file.
_FORMATTING = {W + name for name in ("rPr", "pPr", "tblPr", "tcPr", "trPr", "sectPr", "rPrDefault", "pPrDefault",
                                     "tblGrid", "numPr")}


def _all_text(root: etree._Element) -> str:
    texts = [t for t in root.itertext() if t.strip()]
    for element in root.iter():
        if element.tag in _FORMATTING or any(a.tag in _FORMATTING for a in element.iterancestors()):
            continue
        texts += [v for v in element.attrib.values() if v.strip() and not v.startswith("http")]
    return "\n".join(texts)


def _safe_parse(data: bytes) -> etree._Element:
    try:
        return parse(data)
    except etree.XMLSyntaxError:
        return etree.Element("empty")
