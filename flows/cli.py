"""The `tabir` command: parses the command line and dispatches to one
module per command (flows/commands/). Exit codes and console lines:
flows/console.py."""

from __future__ import annotations

import argparse
import atexit
import logging
import os
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


class _EndWithoutTeardown:
    """An exit handler, registered before any other Tabir or Prefect one so
    that it runs after them all (last in, first out): once they have run
    (Prefect's log and event queues drained, the embedded API stopped), it
    flushes the logs and the console and ends the process with the
    command's code, without the interpreter's teardown, which frees every
    model object and module one by one: 0.5 s of a 4.1 s one-page `tabir
    run` (bench/whole_process.py --fixed-cost-only). Nothing is lost by
    it: every output and manifest is already written and renamed into place
    (the same guarantee that makes a kill -9 at any moment safe). Only for
    a command that returned: after an uncaught exception (`code` None) the
    interpreter ends the usual way."""

    def __init__(self) -> None:
        self.code: int | None = None

    def __call__(self) -> None:
        if self.code is None:
            return
        logging.shutdown()  # registered before this handler, so it would run after it
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # closed or broken (a pipe whose reader left)
                pass
        os._exit(self.code)


def console() -> None:
    """The installed `tabir` command and `python -m tabir.flows.cli`. Tests
    call main() instead, which leaves their process's exit alone."""
    ending = _EndWithoutTeardown()
    atexit.register(ending)
    ending.code = main()
    sys.exit(ending.code)


if __name__ == "__main__":
    console()
