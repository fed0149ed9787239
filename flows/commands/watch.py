"""`tabir watch [INBOX]`: the watcher alone in the foreground, on Prefect's
embedded API; it drains in this process when files land (the detector stays
loaded, so a drop is published in seconds)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tabir.flows.console import EXIT_OK, EXIT_USAGE, exit_code_for, report_problems, say

from .service_common import (SERVICE_HELP, add_deployment_option, drain_parameters, load_service, stop_on_sigterm,
                             watcher_drain)


def add_parser(sub) -> None:
    watch = sub.add_parser("watch", help="watch INBOX in the foreground and redact what lands in it")
    watch.add_argument("inbox", type=Path, nargs="?", default=None, help="the inbox (default: service.inbox)")
    watch.add_argument("--out", type=Path, default=None, help="output folder (default: service.out)")
    watch.add_argument("--archive", type=Path, default=None,
                       help="where originals go once processed (default: service.archive)")
    watch.add_argument("--config", type=Path, default=None, help=SERVICE_HELP)
    watch.add_argument("--once", action="store_true", help="drain what is ready once, then exit")
    watch.add_argument("--verbose", action="store_true", help="show Prefect's logs")
    add_deployment_option(watch)


def run(args: argparse.Namespace) -> int:
    from tabir.flows import prefect_env

    prefect_env.configure(verbose=args.verbose)
    settings, problem = load_service(args)
    if problem:
        print(f"tabir: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from tabir.flows.watcher import InboxWatcher

    if args.once:
        return _drain_once(args, settings)
    drain = watcher_drain(args, settings)
    watcher = InboxWatcher(settings.inbox, drain, settings.rescan_seconds, settings.polling,
                           settings.poll_interval_seconds)
    stop_on_sigterm()
    say(f"watching {settings.inbox} -> {settings.out} (Ctrl-C to stop)")
    try:
        watcher.run()
    except KeyboardInterrupt:
        say("stopped; files being processed stay claimed and are returned at the next start")
    return EXIT_OK


def _drain_once(args: argparse.Namespace, settings) -> int:
    """`tabir watch --once`: one drain; the exit code says how it went, as
    for `tabir run`."""
    from tabir.flows.drain import drain_inbox

    summary = drain_inbox(**drain_parameters(args.config, settings))
    counts = summary["counts"]
    print(f"tabir: {len(summary['files'])} file(s): {counts['redacted']} redacted, {counts['review']} review, "
          f"{counts['failed']} failed, {counts['skipped']} unchanged; {summary['waiting']} not complete yet")
    report_problems(summary["files"], lambda line: print(line, file=sys.stderr))
    return exit_code_for(counts)
