"""Text inside ICC colour profiles.

A colour profile is kept with a picture (without it colours shift), but its
text tags are free text: a profile description, copyright, device maker and
model. Profiles made on a user's machine (a calibrated monitor or scanner,
a "save as" in some editors) can carry a user or client name there, and
exiftool shows it as ProfileDescription. The text of every text-typed tag
is blanked in place (same lengths and offsets, so the profile stays valid);
the curves and matrices that manage colour are untouched.

Format (ICC.1:2010 and ICC.1:2001-04 for version 2 types): a 128-byte
header, a tag count, then (signature, offset, size) per tag; a tag's data
starts with its type signature. Text types: 'text' (ASCII), 'desc' (v2:
ASCII, then Unicode and ScriptCode alternatives), 'mluc' (v4: UTF-16BE
records).
"""

from __future__ import annotations

import struct

HEADER = 128
PROFILE_ID = slice(84, 100)  # MD5 of the profile; zero means "not computed"
TEXT_TYPES = (b"text", b"desc", b"mluc")


def is_icc_profile(data: bytes) -> bool:
    return len(data) >= HEADER + 4 and data[36:40] == b"acsp"


def _tags(data: bytes):
    (count,) = struct.unpack_from(">I", data, HEADER)
    for index in range(min(count, (len(data) - HEADER - 4) // 12)):
        signature, offset, size = struct.unpack_from(">4sII", data, HEADER + 4 + 12 * index)
        if offset + size <= len(data) and size >= 12:
            yield signature, offset, size


def _text_ranges(data: bytes, offset: int, size: int) -> list[tuple[int, int, int]]:
    """(start, end, bytes per character) of each string in a text tag."""
    kind, end = data[offset:offset + 4], offset + size
    if kind == b"text":
        return [(offset + 8, end, 1)]
    if kind == b"desc":
        (ascii_count,) = struct.unpack_from(">I", data, offset + 8)
        ascii_end = min(end, offset + 12 + ascii_count)
        ranges = [(offset + 12, ascii_end, 1)]
        if ascii_end + 8 <= end:
            (unicode_count,) = struct.unpack_from(">I", data, ascii_end + 4)
            ranges.append((ascii_end + 8, min(end, ascii_end + 8 + 2 * unicode_count), 2))
        return ranges
    if kind == b"mluc":
        count, record_size = struct.unpack_from(">II", data, offset + 8)
        ranges = []
        for index in range(count):
            record = offset + 16 + index * record_size
            if record + 12 > end:
                break
            length, start = struct.unpack_from(">II", data, record + 4)
            ranges.append((offset + start, min(end, offset + start + length), 2))
        return ranges
    return []


def profile_texts(data: bytes) -> list[str]:
    """The non-blank text of every text tag (for verification)."""
    if not is_icc_profile(data):
        return []
    texts = []
    for _, offset, size in _tags(data):
        for start, end, width in _text_ranges(data, offset, size):
            raw = data[start:end]
            text = raw.decode("utf-16-be", "replace") if width == 2 else raw.decode("latin-1")
            if text.strip(" \x00"):
                texts.append(text.strip(" \x00"))
    return texts


def blank_profile_text(data: bytes) -> bytes:
    """The profile with every text tag's characters set to spaces (NULs
    kept as terminators); the profile ID is zeroed as it no longer matches."""
    if not is_icc_profile(data):
        return data
    out = bytearray(data)
    changed = False
    for _, offset, size in _tags(data):
        for start, end, width in _text_ranges(data, offset, size):
            for position in range(start, end - width + 1, width):
                character = bytes(out[position:position + width])
                if character.strip(b"\x00"):
                    out[position:position + width] = b" " if width == 1 else b"\x00 "
                    changed = True
    if changed:
        out[PROFILE_ID] = bytes(16)
    return bytes(out)
