"""Hidden carriers in a PDF: everything besides the visible page content that
can hold a name. We read their text (so values found there are also hunted
down in the pages and in verification) and then remove them all."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pymupdf

from ...pixels.icc import blank_profile_text, is_icc_profile

# Catalog entries that carry text or behaviour a publication copy must not
# keep: forms, scripts and attachments (/Names, /AcroForm, /OpenAction, /AA),
# XMP (/Metadata), bookmarks (/Outlines), the structure tree whose /Alt and
# /ActualText strings hold text of their own, private application data.
CATALOG_KEYS_TO_DROP = (
    "AcroForm", "Names", "OpenAction", "AA", "Metadata", "Outlines",
    "StructTreeRoot", "MarkInfo", "PieceInfo", "SpiderInfo", "Collection",
    "URI", "Threads", "Perms", "Legal", "PageLabels", "OCProperties",
)
PAGE_KEYS_TO_DROP = ("AA", "PieceInfo", "Thumb", "B", "StructParents")

# Attachments larger than this are not read for text (they are removed anyway).
MAX_ATTACHMENT_TEXT_BYTES = 5 * 1024 * 1024


def carrier_texts(doc: pymupdf.Document) -> Iterator[tuple[str, int | None, str]]:
    """(location, page number or None, text) for every hidden carrier."""
    for key, value in (doc.metadata or {}).items():
        if key not in ("format", "encryption") and value:
            yield "metadata", None, value
    xmp = doc.get_xml_metadata()
    if xmp:
        # The values, not the XML around them: tags are not personal data.
        yield "metadata", None, re.sub(r"<[^>]*>", "\n", xmp)
    for title in (entry[1] for entry in doc.get_toc(simple=True)):
        yield "outline", None, title
    for label in doc.get_page_labels():  # a page labelled with a client's name
        if label.get("prefix"):
            yield "metadata", None, label["prefix"]
    for index in range(doc.embfile_count()):
        info = doc.embfile_info(index)
        for field in ("name", "filename", "ufilename", "desc"):
            if info.get(field):
                yield "attachment", None, info[field]
        if info.get("size", 0) <= MAX_ATTACHMENT_TEXT_BYTES:
            text = _as_text(doc.embfile_get(index))
            if text:
                yield "attachment", None, text
    for page in doc:
        number = page.number + 1
        for annot in page.annots():
            info = annot.info
            for field in ("content", "title", "subject"):
                if info.get(field):
                    yield "annotation", number, info[field]
            if annot.type[0] == pymupdf.PDF_ANNOT_FILE_ATTACHMENT:
                try:
                    text = _as_text(annot.get_file())
                except Exception:  # a broken attachment is removed anyway
                    text = ""
                if text:
                    yield "attachment", number, text
        for widget in page.widgets():
            for value in (widget.field_name, widget.field_value, widget.field_label):
                if isinstance(value, str) and value:
                    yield "form_field", number, value
        for link in page.get_links():
            if link.get("uri"):
                yield "link", number, link["uri"]


def _as_text(data: bytes) -> str:
    """Text of an attachment when it is text (or a PDF with a text layer)."""
    if data.startswith(b"%PDF"):
        try:
            with pymupdf.open(stream=data, filetype="pdf") as inner:
                return "\n".join(page.get_text() for page in inner)
        except Exception:
            return ""
    for encoding in ("utf-8", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return ""


def expose_hidden_content(doc: pymupdf.Document) -> list[str]:
    """Before anything is read: content that a viewer hides but the file
    keeps is made plain, so it is read, detected and redacted like the rest.

    - Optional content (layers): a layer switched off is still in the file.
      Without /OCProperties every layer is shown, and so extracted.
    - Marked-content replacement and alternate text (/ActualText, /Alt, /E
      in BDC property lists and in property dictionaries): text of their own
      that no page shows. Removed, so extraction reads the glyphs drawn.
    Returns notes for the manifest."""
    notes = []
    catalog = doc.pdf_catalog()
    if doc.xref_get_key(catalog, "OCProperties")[0] != "null":
        doc.xref_set_key(catalog, "OCProperties", "null")
        notes.append("optional content (layers) made visible: hidden layers are redacted like the rest")
    stripped = 0
    for xref in range(1, doc.xref_length()):
        try:
            source = doc.xref_object(xref, compressed=False)
        except Exception:
            continue
        for key in ("ActualText", "Alt"):  # property dictionaries (/E is too common a key elsewhere)
            if f"/{key}" in source and doc.xref_get_key(xref, key)[0] != "null":
                doc.xref_set_key(xref, key, "null")
                stripped += 1
    # Content streams only (pages and form XObjects): a font program or an
    # image is binary, and a chance "/E(" inside it is no marked content.
    for xref in _content_streams(doc):
        try:
            stream = doc.xref_stream(xref) or b""
        except Exception:
            continue
        if b"BDC" in stream:
            cleaned, count = strip_marked_text(stream)
            if count:
                doc.update_stream(xref, cleaned)
                stripped += count
    if stripped:
        notes.append(f"{stripped} marked-content replacement or alternate text(s) removed")
    return notes


def _content_streams(doc: pymupdf.Document) -> set[int]:
    xrefs = {xref for page in doc for xref in page.get_contents()}
    for xref in range(1, doc.xref_length()):
        try:
            if doc.xref_is_stream(xref) and doc.xref_get_key(xref, "Subtype")[1] == "/Form":
                xrefs.add(xref)
        except Exception:
            continue
    return xrefs


_MARKED_KEY = re.compile(rb"/(ActualText|Alt|E)(?=[\s(<])\s*(?=[(<])")


def strip_marked_text(stream: bytes) -> tuple[bytes, int]:
    """`stream` without /ActualText, /Alt and /E entries (key and string),
    literal strings parsed with their nested parentheses and escapes."""
    out = bytearray()
    position = count = 0
    for match in _MARKED_KEY.finditer(stream):
        if match.start() < position:
            continue
        end = _string_end(stream, match.end())
        if end is None:
            continue
        out += stream[position:match.start()]
        position = end
        count += 1
    out += stream[position:]
    return bytes(out), count


def _string_end(data: bytes, start: int) -> int | None:
    """End offset of the PDF string (literal or hex) starting at `start`."""
    if data[start:start + 1] == b"<":
        end = data.find(b">", start)
        return None if end < 0 else end + 1
    depth, i = 0, start
    while i < len(data):
        c = data[i]
        if c == 0x5C:  # backslash: the next byte is escaped
            i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def remove_page_carriers(page: pymupdf.Page) -> None:
    """Comments, attachments, form widgets and links on one page. Done before
    the redaction annotations are added, so only ours are applied."""
    for widget in list(page.widgets()):
        page.delete_widget(widget)
    for annot in list(page.annots()):
        page.delete_annot(annot)
    for link in page.get_links():
        page.delete_link(link)


def remove_document_carriers(doc: pymupdf.Document) -> None:
    doc.scrub(
        attached_files=True, clean_pages=True, embedded_files=True, hidden_text=True,
        javascript=True, metadata=True, redactions=True, redact_images=0,
        remove_links=True, reset_fields=True, reset_responses=True,
        thumbnails=True, xml_metadata=True,
    )
    for index in reversed(range(doc.embfile_count())):
        doc.embfile_del(index)
    doc.set_metadata({})
    doc.del_xml_metadata()
    catalog = doc.pdf_catalog()
    for key in CATALOG_KEYS_TO_DROP:
        if doc.xref_get_key(catalog, key)[0] != "null":
            doc.xref_set_key(catalog, key, "null")
    for page in doc:
        for key in PAGE_KEYS_TO_DROP:
            if doc.xref_get_key(page.xref, key)[0] != "null":
                doc.xref_set_key(page.xref, key, "null")
    for xref, profile in icc_profiles(doc):
        blanked = blank_profile_text(profile)
        if blanked != profile:
            doc.update_stream(xref, blanked)


def icc_profiles(doc: pymupdf.Document) -> Iterator[tuple[int, bytes]]:
    """(xref, data) of every ICC colour profile stream (ICCBased colour
    spaces, output intents): streams with a component count /N."""
    for xref in range(1, doc.xref_length()):
        if doc.xref_get_key(xref, "N")[0] != "int" or not doc.xref_is_stream(xref):
            continue
        try:
            data = doc.xref_stream(xref)
        except Exception:  # a damaged stream: nothing to blank, verification reads it raw
            continue
        if data and is_icc_profile(data):
            yield xref, data
