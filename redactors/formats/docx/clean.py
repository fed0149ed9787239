"""Hidden carriers inside WordprocessingML parts: tracked changes, comment
anchors, revision ids, authors, alt text, document variables."""

from __future__ import annotations

from lxml import etree

from .xml import NS, W, remove, unwrap

# Deleted content is removed; inserted content is accepted (kept, unmarked).
_DELETED = ("del", "moveFrom")
_INSERTED = ("ins", "moveTo")
# Records of earlier formatting or structure, each with an author and date.
_CHANGE_RECORDS = (
    "rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "trPrChange", "tcPrChange", "tblGridChange",
    "tblPrExChange", "numberingChange", "cellIns", "cellDel", "cellMerge", "moveFromRangeStart",
    "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd", "customXmlDelRangeStart", "customXmlDelRangeEnd",
    "customXmlInsRangeStart", "customXmlInsRangeEnd", "customXmlMoveFromRangeStart", "customXmlMoveFromRangeEnd",
    "customXmlMoveToRangeStart", "customXmlMoveToRangeEnd",
)
_COMMENT_MARKS = ("commentRangeStart", "commentRangeEnd", "commentReference")
_PERSONAL_ATTRIBUTES = (W + "author", W + "initials", W + "date")


def accept_revisions(root: etree._Element) -> int:
    """Remove deleted text (w:del holds it as w:delText), accept insertions.
    Returns how many revision marks were resolved."""
    count = 0
    for name in _CHANGE_RECORDS:
        for element in root.iter(W + name):
            remove(element)
            count += 1
    for name in _DELETED:
        for element in list(root.iter(W + name)):
            # a w:del inside run properties marks a deleted paragraph mark:
            # drop the mark itself, the paragraph stays.
            remove(element)
            count += 1
    for name in _INSERTED:
        for element in list(root.iter(W + name)):
            parent = element.getparent()
            if parent is not None and parent.tag in (W + "rPr", W + "trPr", W + "tcPr"):
                remove(element)
            else:
                unwrap(element)
            count += 1
    for element in list(root.iter(W + "delText", W + "delInstrText")):
        remove(element)
    return count


def remove_comment_marks(root: etree._Element) -> int:
    count = 0
    for name in _COMMENT_MARKS:
        for element in list(root.iter(W + name)):
            remove(element)
            count += 1
    for element in list(root.iter(W + "annotationRef")):
        remove(element)
    return count


def remove_revision_ids(root: etree._Element) -> None:
    """rsid and nsid values identify editing sessions and machines (mat2)."""
    for element in root.iter():
        for key in list(element.attrib):
            local = etree.QName(key).localname
            if local.lower().startswith("rsid") or key in _PERSONAL_ATTRIBUTES:
                del element.attrib[key]
            elif key in ("{%s}paraId" % NS["w14"], "{%s}textId" % NS["w14"]):
                del element.attrib[key]
    for element in list(root.iter(W + "rsids", W + "rsid", W + "rsidRoot", W + "nsid")):
        remove(element)


def remove_alt_text(root: etree._Element) -> int:
    """Alt text and titles of pictures, shapes, groups and their children
    (the non-visual properties docPr/cNvPr in every DrawingML namespace, and
    every VML element), and names that may be a file name ("foto_siti.jpg")."""
    count = 0
    vml = "{%s}" % NS["v"]
    for element in list(root.iter()):
        tag = element.tag if isinstance(element.tag, str) else ""
        local = tag.rsplit("}", 1)[-1]
        if local in ("docPr", "cNvPr"):
            for attribute in ("descr", "title"):
                if attribute in element.attrib:
                    del element.attrib[attribute]
                    count += 1
            element.set("name", f"Picture {element.get('id', '0')}")
            for link in list(element):  # a:hlinkClick / a:hlinkHover on the picture
                remove(link)
        elif tag.startswith(vml):
            for attribute in ("alt", "title", "{%s}title" % NS["o"]):
                if attribute in element.attrib:
                    del element.attrib[attribute]
                    count += 1
    return count


def unwrap_smart_tags(root: etree._Element) -> None:
    """Smart tags and custom XML wrappers keep their text, lose their data.
    Editing-permission ranges go too (w:permStart/@w:ed names the user or
    e-mail allowed to edit), and binary field data (w:fldData, base64 that
    an add-in may fill with anything)."""
    for element in list(root.iter(W + "smartTagPr", W + "customXmlPr", W + "dataBinding", W + "alias", W + "tag",
                                  W + "permStart", W + "permEnd", W + "fldData", W + "placeholder")):
        remove(element)
    for element in list(root.iter(W + "smartTag", W + "customXml")):
        unwrap(element)


def remove_embedded_objects(root: etree._Element) -> int:
    """OLE objects, ActiveX controls and alternative-format chunks: their
    content is another file we cannot check; they are removed."""
    count = 0
    for element in list(root.iter(W + "object", W + "control", W + "altChunk", W + "subDoc")):
        remove(element)
        count += 1
    return count


def clean_settings(root: etree._Element) -> None:
    """Settings that carry text or point outside: document variables,
    mail-merge data sources, the attached template, revision ids."""
    for name in ("docVars", "mailMerge", "attachedTemplate", "rsids", "documentProtection", "writeProtection",
                 "trackRevisions", "saveThroughXslt", "alwaysMergeEmptyNamespace", "attachedSchema"):
        for element in list(root.iter(W + name)):
            remove(element)
    remove_revision_ids(root)
