"""Independent look inside a PDF output: everything a reader or a script
could pull out of it. Written for the tests, separate from the code under test."""

from __future__ import annotations

import zlib

import pymupdf


def all_text(data: bytes) -> str:
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        return "\n".join(page.get_text("text", flags=0) for page in doc)


def raw_objects(data: bytes) -> bytes:
    """Every object's source and decompressed stream, concatenated."""
    parts = []
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for xref in range(1, doc.xref_length()):
            parts.append(doc.xref_object(xref, compressed=False).encode("latin-1", "replace"))
            if doc.xref_is_stream(xref):
                parts.append(doc.xref_stream(xref) or b"")
    return b"\n".join(parts)


def inflated_file(data: bytes) -> bytes:
    """The file bytes with every Flate stream inflated in place: a second,
    independent way to see what is inside."""
    out = [data]
    start = 0
    while True:
        i = data.find(b"stream", start)
        if i < 0:
            break
        body = data[i + 6:].lstrip(b"\r\n")
        try:
            out.append(zlib.decompressobj().decompress(body))
        except zlib.error:
            pass
        start = i + 6
    return b"\n".join(out)


def contains(haystack: bytes | str, value: str) -> bool:
    if isinstance(haystack, str):
        return value.casefold() in haystack.casefold()
    lowered = haystack.lower()
    return any(
        enc.lower() in lowered
        for enc in (value.encode("utf-8"), value.encode("utf-16-be"), value.encode("utf-16-le"))
    )


def metadata(data: bytes) -> dict:
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        meta = {k: v for k, v in doc.metadata.items() if k not in ("format", "encryption") and v}
        return {"info": meta, "xmp": doc.get_xml_metadata()}
