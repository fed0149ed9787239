"""Which parts of a .docx are kept, rewritten or removed (an allowlist, after
mat2: whatever is not known to be needed and checked goes)."""

from __future__ import annotations

import posixpath
import re

from lxml import etree

from .xml import NS, parse

_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
TEXT_TYPES = {
    _WML + "document.main+xml": "body",
    _WML + "document.macroEnabled.main+xml": "body",
    _WML + "template.main+xml": "body",
    _WML + "header+xml": "header",
    _WML + "footer+xml": "footer",
    _WML + "footnotes+xml": "footnote",
    _WML + "endnotes+xml": "endnote",
}
KEEP_TYPES = {
    _WML + "styles+xml", _WML + "stylesWithEffects+xml", _WML + "settings+xml", _WML + "fontTable+xml",
    _WML + "numbering+xml", _WML + "webSettings+xml",
    "application/vnd.openxmlformats-officedocument.theme+xml",
    "application/vnd.ms-word.stylesWithEffects+xml",
}
CORE_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"
APP_TYPE = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
IMAGE_TYPES = re.compile(r"^image/")
# What a removed part was, for the manifest note.
REMOVED_KINDS = [
    (re.compile(r"comments", re.I), "comments"),
    (re.compile(r"people\.xml$"), "revision authors"),
    (re.compile(r"^docProps/custom\.xml$"), "custom properties"),
    (re.compile(r"^docProps/thumbnail"), "thumbnail"),
    (re.compile(r"^customXml/"), "custom XML data"),
    (re.compile(r"glossary", re.I), "glossary document (building blocks)"),
    (re.compile(r"embeddings/"), "embedded object or attached file"),
    (re.compile(r"activeX|vbaProject|vbaData", re.I), "macros or controls"),
    (re.compile(r"printerSettings"), "printer settings"),
]
HYPERLINK_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
ROOT_REL_TYPES_KEPT = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
}


class ContentTypes:
    def __init__(self, data: bytes):
        self.root = parse(data)
        self.defaults = {
            el.get("Extension", "").lower(): el.get("ContentType", "")
            for el in self.root.iter("{%s}Default" % NS["ct"])
        }
        self.overrides = {
            el.get("PartName", "").lstrip("/"): el.get("ContentType", "")
            for el in self.root.iter("{%s}Override" % NS["ct"])
        }

    def of(self, name: str) -> str:
        if name in self.overrides:
            return self.overrides[name]
        return self.defaults.get(posixpath.splitext(name)[1].lstrip(".").lower(), "")

    def drop(self, names: set[str]) -> None:
        for el in list(self.root.iter("{%s}Override" % NS["ct"])):
            if el.get("PartName", "").lstrip("/") in names:
                self.root.remove(el)

    def rename(self, renames: dict[str, str]) -> None:
        """Parts renamed, all at once (a new name may be another part's old
        name): their overrides follow, and a part whose new name no longer
        gets its type from a default gets an override."""
        types = {old: self.of(old) for old in renames}
        for el in self.root.iter("{%s}Override" % NS["ct"]):
            name = el.get("PartName", "").lstrip("/")
            if name in renames:
                el.set("PartName", "/" + renames[name])
        self.overrides = {renames.get(name, name): ctype for name, ctype in self.overrides.items()}
        for old, new in renames.items():
            if self.of(new) != types[old]:
                el = etree.SubElement(self.root, "{%s}Override" % NS["ct"])
                el.set("PartName", "/" + new)
                el.set("ContentType", types[old])
                self.overrides[new] = types[old]

    def ensure_default(self, extension: str, content_type: str) -> None:
        if extension not in self.defaults:
            el = etree.SubElement(self.root, "{%s}Default" % NS["ct"])
            el.set("Extension", extension)
            el.set("ContentType", content_type)
            self.defaults[extension] = content_type


def removed_kind(name: str) -> str:
    for pattern, kind in REMOVED_KINDS:
        if pattern.search(name):
            return kind
    return "other content"


def source_of_rels(rels: str) -> str:
    folder, base = posixpath.split(rels)
    return posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])


def relative_target(source: str, part: str) -> str:
    """A relationship target for `part` as seen from `source`'s folder."""
    return posixpath.relpath(part, posixpath.dirname(source))


def resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


MINIMAL_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"></cp:coreProperties>'
)
MINIMAL_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    b"<Application>Tabir</Application></Properties>"
)
