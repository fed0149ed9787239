"""Hidden carriers in a PDF: everything besides the visible page content that
can hold a name. We read their text (so values found there are also hunted
down in the pages and in verification) and then remove them all."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pymupdf

from ...pixels.icc import blank_profile_text, is_icc_profile

# The catalog entries a publication copy keeps (an allowlist, after mat2):
# the page tree, how a viewer opens the pages, their language and colour
# intent. Everything else goes: forms, scripts and attachments (/AcroForm,
# /Names, /AF, /OpenAction, /AA), XMP (/Metadata), bookmarks (/Outlines),
# named destinations (/Dests: their names are the writer's own words), the
# structure tree (its /Alt and /ActualText strings), page labels, layers,
# private application data, and whatever a later version of PDF adds.
CATALOG_KEYS_KEPT = frozenset({
    "Type", "Pages", "Version", "Extensions", "PageLayout", "PageMode", "ViewerPreferences", "Lang",
    "OutputIntents",
})
# A page keeps what draws it; its thumbnail, XMP, private data, article
# beads, transitions and associated files go.
PAGE_KEYS_KEPT = frozenset({
    "Type", "Parent", "Resources", "Contents", "MediaBox", "CropBox", "BleedBox", "TrimBox", "ArtBox",
    "BoxColorInfo", "Rotate", "Group", "UserUnit", "Annots", "Tabs",
})
# Entries that carry data of their own on any object: associated files
# (PDF/A-3 and PDF 2.0 attach files to the catalog, a page, a picture or a
# drawing through /AF, invisible to the attachment list), the XMP of a page,
# picture or drawing (a camera's or an editor's, with names and places),
# private application data (Illustrator keeps its whole document, text and
# hidden layers included, in /PieceInfo), and a file specification's
# embedded or related files.
OBJECT_KEYS_TO_DROP = ("AF", "Metadata", "PieceInfo", "EF", "RF")
# The trailer keeps what a reader needs; LibreOffice's hybrid PDF puts the
# whole source document (ODF, zipped) in /AdditionalStreams.
TRAILER_KEYS_KEPT = frozenset({"Size", "Root", "Info", "ID"})

# Attachments larger than this are not read for text (they are removed anyway).
MAX_ATTACHMENT_TEXT_BYTES = 5 * 1024 * 1024


# Metadata that names the programs that made the file (removed with the
# rest, but not read for personal data: LibreOffice's creator "Writer" read
# alone was taken for a person's name, and then hunted in the pages).
_PROGRAM_FIELDS = ("format", "encryption", "creator", "producer")
_XMP_PROGRAM_FIELDS = re.compile(
    r"<(xmp:CreatorTool|pdf:Producer)\b[^>]*>.*?</\1>|\b(?:xmp:CreatorTool|pdf:Producer)=\"[^\"]*\"", re.S)


def carrier_texts(doc: pymupdf.Document) -> Iterator[tuple[str, int | None, str]]:
    """(location, page number or None, text) for every hidden carrier."""
    for key, value in (doc.metadata or {}).items():
        if key not in _PROGRAM_FIELDS and value:
            yield "metadata", None, value
    xmp = doc.get_xml_metadata()
    if xmp:
        # The values, not the XML around them: tags are not personal data.
        yield "metadata", None, re.sub(r"<[^>]*>", "\n", _XMP_PROGRAM_FIELDS.sub("", xmp))
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
    _keep_only(doc, -1, TRAILER_KEYS_KEPT)
    _keep_only(doc, doc.pdf_catalog(), CATALOG_KEYS_KEPT)
    for page in doc:
        _keep_only(doc, page.xref, PAGE_KEYS_KEPT)
    for xref in _objects_naming(doc, OBJECT_KEYS_TO_DROP + ("EmbeddedFile",)):
        for key in set(OBJECT_KEYS_TO_DROP).intersection(_keys(doc, xref)):
            doc.xref_set_key(xref, key, "null")
        if doc.xref_get_key(xref, "Type") == ("name", "/EmbeddedFile") and doc.xref_is_stream(xref):
            doc.update_stream(xref, b"")  # unreferenced now, dropped when saved; emptied should it not be
    for xref, profile in icc_profiles(doc):
        blanked = blank_profile_text(profile)
        if blanked != profile:
            doc.update_stream(xref, blanked)


def _objects_naming(doc: pymupdf.Document, names: tuple[str, ...]) -> Iterator[int]:
    """Objects whose source mentions one of `names` (as /Name): the only
    ones whose keys are worth asking for, one by one, of MuPDF."""
    needles = tuple(f"/{name}" for name in names)
    for xref in range(1, doc.xref_length()):
        try:
            source = doc.xref_object(xref, compressed=False)
        except Exception:
            continue
        if any(needle in source for needle in needles):
            yield xref


def _keys(doc: pymupdf.Document, xref: int) -> tuple[str, ...]:
    """The keys of object `xref` that hold a value (a key set to null is gone)."""
    try:
        keys = doc.xref_get_keys(xref)
    except Exception:  # a free or broken object: nothing to keep or drop
        return ()
    return tuple(key for key in keys if doc.xref_get_key(xref, key)[0] != "null")


def _keep_only(doc: pymupdf.Document, xref: int, kept: frozenset[str]) -> None:
    for key in _keys(doc, xref):
        if key not in kept:
            doc.xref_set_key(xref, key, "null")


def unexpected_entries(doc: pymupdf.Document) -> list[str]:
    """Entries an output must not have (for verification): catalog, page and
    trailer entries outside their allowlists, and data-carrying entries on
    any object."""
    catalog = doc.pdf_catalog()
    problems = [f"catalog entry /{key} remains" for key in _keys(doc, catalog) if key not in CATALOG_KEYS_KEPT]
    problems += [f"trailer entry /{key} remains" for key in _keys(doc, -1) if key not in TRAILER_KEYS_KEPT]
    for page in doc:
        problems += [f"entry /{key} of page {page.number + 1} remains"
                     for key in _keys(doc, page.xref) if key not in PAGE_KEYS_KEPT]
    for xref in _objects_naming(doc, OBJECT_KEYS_TO_DROP + ("EmbeddedFile",)):
        keys = _keys(doc, xref)
        problems += [f"entry /{key} of PDF object {xref} remains" for key in OBJECT_KEYS_TO_DROP if key in keys]
        if "Type" in keys and doc.xref_get_key(xref, "Type") == ("name", "/EmbeddedFile"):
            problems.append(f"an embedded file remains (PDF object {xref})")
    problems += [f"PDF object {xref} is kept though nothing refers to it" for xref in unreachable_objects(doc)]
    return problems


_REFERENCE = re.compile(r"(\d+)\s+\d+\s+R\b")


def unreachable_objects(doc: pymupdf.Document) -> list[int]:
    """Objects that no path from the trailer reaches. A viewer never shows
    them, yet their bytes are in the file: LibreOffice's hybrid PDF left its
    whole zipped source document so when MuPDF dropped the trailer entry
    that pointed to it but kept the object."""
    seen, waiting = set(), [int(x) for x in _REFERENCE.findall(doc.xref_object(-1, compressed=False))]
    while waiting:
        xref = waiting.pop()
        if xref in seen or not 0 < xref < doc.xref_length():
            continue
        seen.add(xref)
        try:
            waiting += [int(x) for x in _REFERENCE.findall(doc.xref_object(xref, compressed=False))]
        except Exception:
            continue
    return [xref for xref in range(1, doc.xref_length()) if xref not in seen and _is_object(doc, xref)]


def _is_object(doc: pymupdf.Document, xref: int) -> bool:
    try:
        return doc.xref_object(xref, compressed=False).strip() not in ("", "null")
    except Exception:  # a free entry
        return False


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
