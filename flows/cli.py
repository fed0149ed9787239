"""The `tabir` command: parses the command line and dispatches to one
module per command (flows/commands/). Exit codes and console lines:
flows/console.py."""

from __future__ import annotations

import argparse
import sys

from tabir.flows.commands import deploy, report, review, run, scan, serve, watch
from tabir.flows.console import (EXIT_FAILED, EXIT_INTERNAL, EXIT_MISSING_DEPENDENCY, EXIT_OK, EXIT_REVIEW,  # noqa: F401
                           EXIT_REVIEW_AND_FAILED, EXIT_USAGE, exit_code_for, summary_line)

COMMANDS = {"run": run, "scan": scan, "serve": serve, "watch": watch, "deploy": deploy, "review": review,
            "report": report}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tabir", description="Offline redaction of personal data.")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS.values():
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from tabir.redactors.errors import MissingDependency

    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command].run(args)
    except MissingDependency as exc:
        print(f"tabir: missing dependency: {exc}", file=sys.stderr)
        return EXIT_MISSING_DEPENDENCY
    except KeyboardInterrupt:
        print("tabir: interrupted; nothing half-written was published", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
