"""The contract every format keeps (after mat2's per-format parsers).

A handler turns input bytes into a redacted output and says what it removed,
and re-checks an output on its own: the pipeline publishes nothing that its
handler's `verify` did not pass.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from ..config import Config
from ..detect.base import TextDetector
from ..model import RedactionResult, Region


@dataclass(frozen=True)
class RedactionContext:
    """What a handler needs besides the bytes: the detector, the policy, and
    the areas a reviewer marked on this document (PDF pages and photos)."""

    detector: TextDetector
    config: Config
    regions: tuple[Region, ...] = ()

    def regions_on(self, page: int) -> list[Region]:
        return [r for r in self.regions if r.page == page]


class FormatHandler(ABC):
    name: str
    extensions: tuple[str, ...]

    @abstractmethod
    def redact(self, data: bytes, ctx: RedactionContext) -> RedactionResult:
        """The redacted file. Raises errors.InputRejected for inputs that
        cannot be processed (corrupt, encrypted, over a limit)."""

    @abstractmethod
    def verify(self, output: bytes, sensitive_values: set[str], inserted: set[str],
               ctx: RedactionContext) -> list[str]:
        """Problems found by re-opening `output` and extracting everything
        again; an empty list means it may be published. `inserted` is the
        text the redaction itself wrote (labels), not a leak; `ctx` carries
        the policy (image checks follow it)."""

    def output_texts(self, output: bytes, ctx: RedactionContext) -> list[tuple[str, str]]:
        """(where, text) of every text layer of `output`, extracted afresh as
        a reader would see it, for the second look (second_look.py); with
        `verification.read_pictures`, also the text OCR reads in its
        pictures (rendered pages, photos)."""
        return []

    def forget(self) -> None:
        """Drop what was kept between redact, verify and output_texts of one
        file (a photo's decoded output): called when the file is done."""
