"""Older word-processor formats (.doc, .odt, .rtf) through LibreOffice.

LibreOffice converts them to .docx (headless, a private profile, no network,
a time limit); the .docx is then redacted like any other and published as
.docx, which the manifest notes. Without LibreOffice such files go to failed/
with what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import CorruptInput, UnsupportedType
from ..model import RedactionResult
from .base import FormatHandler, RedactionContext
from .docx import DocxHandler

CONVERT_TIMEOUT_S = 180


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(data: bytes, suffix: str) -> bytes:
    return convert(data, suffix, "docx:MS Word 2007 XML", ".docx")


def to_pdf(data: bytes, suffix: str) -> bytes:
    """A Word document as LibreOffice prints it (the review desk shows its pages)."""
    return convert(data, suffix, "pdf", ".pdf")


def convert(data: bytes, suffix: str, target: str, produced_suffix: str) -> bytes:
    """`data` (a file with `suffix`) converted by LibreOffice with the
    --convert-to `target`, in a private temporary folder."""
    soffice = find_soffice()
    if soffice is None:
        raise UnsupportedType(
            f"{suffix} files need LibreOffice to be converted; install it with: "
            "sudo apt-get install libreoffice-writer-nogui"
        )
    with tempfile.TemporaryDirectory(prefix="tabir-convert-") as work:
        os.chmod(work, 0o700)
        source = Path(work) / f"input{suffix}"
        source.write_bytes(data)
        profile = Path(work) / "profile"
        command = [
            soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--nolockcheck",
            "--convert-to", target, "--outdir", str(Path(work) / "out"), str(source),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT_S, check=False,
                           env={**os.environ, "HOME": work})
        except subprocess.TimeoutExpired as exc:
            raise CorruptInput(f"LibreOffice did not finish converting the {suffix} file in {CONVERT_TIMEOUT_S} s") from exc
        produced = Path(work) / "out" / f"input{produced_suffix}"
        if not produced.exists():
            raise CorruptInput(f"LibreOffice could not convert the {suffix} file (damaged or password-protected)")
        return produced.read_bytes()


class LegacyWordHandler(FormatHandler):
    name = "legacy-word"
    extensions = (".doc", ".odt", ".rtf")

    def __init__(self):
        self._docx = DocxHandler()

    def redact(self, data: bytes, ctx: RedactionContext) -> RedactionResult:
        suffix = ".rtf" if data.lstrip().startswith(b"{\\rtf") else ".odt" if data.startswith(b"PK") else ".doc"
        result = self._docx.redact(to_docx(data, suffix), ctx)
        result.notes.insert(0, f"converted from {suffix} to .docx with LibreOffice; published as .docx")
        result.output_suffix = ".docx"
        return result

    def verify(self, output: bytes, sensitive_values: set[str], inserted: set[str],
               ctx: RedactionContext) -> list[str]:
        return self._docx.verify(output, sensitive_values, inserted, ctx)

    def output_texts(self, output: bytes, ctx: RedactionContext) -> list[tuple[str, str]]:
        return self._docx.output_texts(output, ctx)
