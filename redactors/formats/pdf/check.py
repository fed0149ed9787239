"""Verification of a PDF output: re-open it and look everywhere again."""

from __future__ import annotations

import re

import pymupdf

from ...config import ImageSettings
from ...verify import leaks_in_bytes, leaks_in_text
from ...pixels.icc import profile_texts
from .carriers import icc_profiles, unexpected_entries
from .covers import hidden_text_left, text_beyond_the_page
from .layout import EXTRACT_FLAGS, output_page_texts
from .outlines import outlined_texts
from .unreadable import rendered_text, suspect
from .pictures import picture_problems

# Binary streams where text values cannot sit as text: searching them only
# yields chance matches.
_BINARY_STREAM = re.compile(rb"/Subtype\s*/Image|/FontFile|/Length1|/Type\s*/XObject\s*/Subtype\s*/Image")
_LITERAL = re.compile(rb"\((?:\\.|[^\\)])*\)", re.DOTALL)
_HEX = re.compile(rb"<([0-9A-Fa-f\s]+)>")
# A name object with #xx escapes ("/Siti#20Aminah": a named destination, a
# layer or a colour written by hand).
_ESCAPED_NAME = re.compile(rb"/([^\s/\[\]()<>{}%]*#[0-9A-Fa-f]{2}[^\s/\[\]()<>{}%]*)")


def verify_pdf(output: bytes, values: set[str], inserted: set[str], images: ImageSettings, min_picture_px: int,
               max_picture_pixels: int, own_boxes: tuple[float, ...]) -> list[str]:
    """Problems that keep `output` from publication. `own_boxes`: the colour
    the redaction fills its boxes with."""
    try:
        doc = pymupdf.open(stream=output, filetype="pdf")
    except Exception as exc:
        return [f"the output does not open as a PDF: {exc}"]
    with doc:
        if doc.needs_pass or doc.page_count == 0:
            return ["the output is encrypted or has no pages"]
        problems = _structure_problems(doc)
        texts = []
        for page, text in zip(doc, output_page_texts(output, own_boxes)):
            if hidden_text_left(page):  # a box drawn over text that can still be copied
                problems.append(f"text hidden under a box drawn over it remains on page {page.number + 1}")
            if text_beyond_the_page(page):  # a crop's hidden part, or text placed off the page
                problems.append(f"text beyond the visible part of page {page.number + 1} remains")
            where = f"the text of page {page.number + 1}"
            texts.append((where, text))
            raw = page.get_text("text", flags=EXTRACT_FLAGS, clip=pymupdf.INFINITE_RECT())
            texts.append((where, raw))
            if images.ocr and values:
                # Letters drawn as outlines, read again (outlines.py), and a
                # page whose fonts or drawings may hide text from extraction
                # read as rendered (unreadable.py).
                texts += [(f"the outlined letters of page {page.number + 1}", outlined)
                          for outlined in outlined_texts(page, own_boxes)]
                if suspect(page, raw, own_boxes):  # (raw: the control characters of a font without a map)
                    texts.append((f"the text read from page {page.number + 1} as rendered", rendered_text(page)))
        problems += leaks_in_text(values, texts, inserted)
        problems += leaks_in_bytes(values, _object_blobs(doc), inserted)
        problems += _archives(doc)
        problems += picture_problems(doc, values, inserted, images, min_picture_px,
                                     max_picture_pixels)
    return _unique(problems)


def _structure_problems(doc: pymupdf.Document) -> list[str]:
    problems = []
    meta = {k: v for k, v in (doc.metadata or {}).items() if k not in ("format", "encryption") and v}
    if meta:
        problems.append(f"document metadata remains: {sorted(meta)}")
    if doc.get_xml_metadata():
        problems.append("XMP metadata remains")
    if doc.embfile_count():
        problems.append(f"{doc.embfile_count()} embedded file(s) remain")
    if any(profile_texts(profile) for _, profile in icc_profiles(doc)):
        problems.append("text remains in a colour profile (ICC) of the PDF")
    if doc.get_toc():
        problems.append("bookmarks (outline) remain")
    problems += unexpected_entries(doc)
    for page in doc:
        if page.first_annot is not None:
            problems.append(f"annotations remain on page {page.number + 1}")
        if page.first_widget is not None:
            problems.append(f"form fields remain on page {page.number + 1}")
        if page.get_links():
            problems.append(f"links remain on page {page.number + 1}")
    return problems


def _object_blobs(doc: pymupdf.Document):
    """Every object's source and decompressed stream, with the strings in its
    source decoded, so values are found whatever PDF string syntax hides them."""
    for xref in range(1, doc.xref_length()):
        try:
            source = doc.xref_object(xref, compressed=False).encode("latin-1", "replace")
        except Exception:
            continue
        where = f"PDF object {xref}"
        yield where, source
        yield where, _decoded_strings(source)
        if doc.xref_is_stream(xref) and not _BINARY_STREAM.search(source):
            try:
                stream = doc.xref_stream(xref) or b""
            except Exception:
                continue
            yield f"the stream of PDF object {xref}", stream
            yield f"the stream of PDF object {xref}", _decoded_strings(stream)


def _archives(doc: pymupdf.Document) -> list[str]:
    """A zip archive in a stream (a zipped document rides along so): its
    text is compressed, so no byte search could tell what it holds. Pictures
    and fonts are not looked at: their pixels or outlines may begin with
    those four bytes by chance."""
    problems = []
    for xref in range(1, doc.xref_length()):
        try:
            if not doc.xref_is_stream(xref):
                continue
            if _BINARY_STREAM.search(doc.xref_object(xref, compressed=False).encode("latin-1", "replace")):
                continue
            if (doc.xref_stream(xref) or b"")[:4] == b"PK\x03\x04":
                problems.append(f"a zip archive is inside PDF object {xref}")
        except Exception:
            continue
    return problems


def _decoded_strings(source: bytes) -> bytes:
    """The text of PDF literal and hex strings in `source`, as UTF-8."""
    out = []
    for match in _LITERAL.finditer(source):
        out.append(_decode_text(_unescape_literal(match.group(0)[1:-1])))
    for match in _HEX.finditer(source):
        digits = re.sub(rb"\s", b"", match.group(1))
        if len(digits) % 2:
            digits += b"0"
        try:
            out.append(_decode_text(bytes.fromhex(digits.decode())))
        except ValueError:
            continue
    for match in _ESCAPED_NAME.finditer(source):
        name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        out.append(_decode_text(name))
    return "\n".join(out).encode("utf-8")


def _decode_text(raw: bytes) -> str:
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace")
    if raw.startswith(b"\xff\xfe"):
        return raw[2:].decode("utf-16-le", "replace")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    return raw.decode("latin-1")


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape_literal(body: bytes) -> bytes:
    def repl(match: re.Match[bytes]) -> bytes:
        token = match.group(1)
        if token[:1].isdigit():
            return bytes([int(token, 8) & 0xFF])
        if token in (b"\n", b"\r"):
            return b""
        return _ESCAPES.get(token, token)

    return re.sub(rb"\\([0-7]{1,3}|.)", repl, body, flags=re.DOTALL)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
