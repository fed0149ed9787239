"""Format handlers, picked by file name extension. Adding a format is adding a
module and a line here."""

from __future__ import annotations

from pathlib import PurePath

from .base import FormatHandler, RedactionContext
from .convert import LegacyWordHandler
from .docx import DocxHandler
from .photo import PhotoHandler
from .pdf import PdfHandler

_HANDLERS: tuple[FormatHandler, ...] = (PdfHandler(), DocxHandler(), LegacyWordHandler(), PhotoHandler())


def handler_for(path: PurePath) -> FormatHandler | None:
    suffix = path.suffix.lower()
    for handler in _HANDLERS:
        if suffix in handler.extensions:
            return handler
    return None


def supported_extensions() -> list[str]:
    return sorted(ext for h in _HANDLERS for ext in h.extensions)


__all__ = ["FormatHandler", "RedactionContext", "handler_for", "supported_extensions"]
