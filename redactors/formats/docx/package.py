"""A .docx as a zip of parts, opened defensively.

The inbox is shared and a .docx is an archive: refuse what is not a zip,
what is encrypted (an encrypted Office file is an OLE container, not a zip),
archives that expand far beyond their size (zip bombs), entries with unsafe
names, and too many parts.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field

from ...errors import CorruptInput, EncryptedInput, TooLarge

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_PARTS = 5000
MAX_EXPANDED_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200  # expanded / compressed, over the whole archive


@dataclass
class Package:
    """Parts by name, in their original order."""

    parts: dict[str, bytes] = field(default_factory=dict)

    def names(self) -> list[str]:
        return list(self.parts)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            # [Content_Types].xml first, as Word writes it.
            ordered = sorted(self.parts, key=lambda n: (n != "[Content_Types].xml", n))
            for name in ordered:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # no timestamps
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, self.parts[name])
        return out.getvalue()


def open_package(data: bytes, max_expanded: int = MAX_EXPANDED_BYTES) -> Package:
    if data.startswith(OLE_MAGIC):
        raise EncryptedInput(
            "the document is password-protected (or an old binary .doc saved as .docx); remove the password and drop it again"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise CorruptInput(f"not a valid .docx (zip) file: {exc}") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_PARTS:
            raise TooLarge(f"the document has {len(infos)} parts, more than the limit of {MAX_PARTS}")
        expanded = sum(i.file_size for i in infos)
        if expanded > max_expanded or expanded > MAX_RATIO * max(len(data), 1):
            raise TooLarge(
                f"the document expands to {expanded // (1024 * 1024)} MB from {len(data) // 1024} KB "
                "(a zip bomb or an unusually large file)"
            )
        package = Package()
        for info in infos:
            name = info.filename
            if info.flag_bits & 0x1:
                raise EncryptedInput("the document's archive is encrypted")
            if name.startswith("/") or ".." in posixpath.normpath(name).split("/") or "\\" in name:
                raise CorruptInput(f"the document contains an unsafe part name: {name!r}")
            if name.endswith("/"):
                continue
            try:
                package.parts[name] = _read_limited(archive, info)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                raise CorruptInput(f"a part of the document is damaged ({name}): {exc}") from exc
    if "[Content_Types].xml" not in package.parts or "word/document.xml" not in package.parts:
        raise CorruptInput("not a Word document: [Content_Types].xml or word/document.xml is missing")
    return package


def _read_limited(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read one entry, never more than it declares (a lying header must not
    expand without bound)."""
    with archive.open(info) as handle:
        data = handle.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise ValueError("the part is larger than its header says")
    return data
