"""What every `tabir` command shares on the console: the exit codes (like
OCRmyPDF's, each means one thing a script can act on), loading the policy
with a clear message, and the run's summary lines.

  0  every file was redacted (or was unchanged since the last run)
  1  Tabir itself failed (a bug): see the message
  2  usage or configuration error: nothing was processed
  3  some outputs failed verification and went to review/
  4  some inputs could not be processed and went to failed/
  5  both 3 and 4
  6  a dependency is missing (a model, Tesseract, LibreOffice): the message
     gives the command that installs it
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_REVIEW = 3
EXIT_FAILED = 4
EXIT_REVIEW_AND_FAILED = 5
EXIT_MISSING_DEPENDENCY = 6


def load_policy(path: Path | None):
    """The policy, or None after printing why it cannot be loaded."""
    from tabir.redactors.config import load_config
    from tabir.redactors.errors import ConfigError

    try:
        return load_config(path)
    except ConfigError as exc:
        print(f"tabir: {exc}", file=sys.stderr)
        return None


def exit_code_for(counts: dict) -> int:
    review, failed = counts["review"] > 0, counts["failed"] > 0
    if review and failed:
        return EXIT_REVIEW_AND_FAILED
    if failed:
        return EXIT_FAILED
    if review:
        return EXIT_REVIEW
    return EXIT_OK


def summary_line(manifest: dict, manifest_path: Path) -> str:
    c = manifest["counts"]
    types = ", ".join(f"{k} {v}" for k, v in c["findings_by_type"].items()) or "none"
    return (
        f"tabir: {c['files']} files ({c['redacted']} redacted, {c['review']} review, "
        f"{c['failed']} failed, {c['skipped']} unchanged), {c['pages']} pages, "
        f"{c['findings']} findings ({types}); manifest {manifest_path}"
    )


def say(message: str) -> None:
    """A timestamped line on stderr, for the long-running commands."""
    print(f"tabir: {datetime.now().strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def report_problems(files: Iterable[dict], emit: Callable[[str], None]) -> None:
    """One line per file that went to review/ or failed/, with its reason."""
    for entry in files:
        if entry["status"] in ("review", "failed"):
            emit(f"  {entry['status']}: {entry['input']}: {entry['reason']}")


def config_parameter(path: Path | None) -> str | None:
    """The policy path as a flow parameter: absolute, since a deployment run
    or a worker may start in another folder."""
    return str(path.resolve()) if path else None
