"""`tabir report OUT --html FILE`: a self-contained HTML report of a run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tabir.flows.console import EXIT_OK, EXIT_USAGE


def add_parser(sub) -> None:
    report = sub.add_parser("report", help="a self-contained HTML report of a run (no originals, no values)")
    report.add_argument("out", type=Path, help="the output folder")
    report.add_argument("--run", default=None, metavar="ID", help="the run (default: the latest)")
    report.add_argument("--html", type=Path, required=True, metavar="FILE", help="where to write the report")


def run(args: argparse.Namespace) -> int:
    from tabir.redactors.review.report import build_report

    try:
        text = build_report(args.out, args.run)
    except FileNotFoundError as exc:
        print(f"tabir: {exc}", file=sys.stderr)
        return EXIT_USAGE
    args.html.write_text(text, encoding="utf-8")
    print(f"tabir: report written to {args.html}")
    return EXIT_OK
