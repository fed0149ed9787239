"""The `tabir` command: parses the command line and dispatches. Exit codes
and console lines: flows/console.py."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flows.console import (EXIT_FAILED, EXIT_INTERNAL, EXIT_MISSING_DEPENDENCY, EXIT_OK, EXIT_REVIEW,  # noqa: F401
                           EXIT_REVIEW_AND_FAILED, EXIT_USAGE, exit_code_for, summary_line)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tabir", description="Offline redaction of personal data.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="redact every file under INBOX once, then exit")
    run.add_argument("inbox", type=Path, help="folder with the documents to redact (read only)")
    run.add_argument("--out", type=Path, required=True, help="output folder (redacted/, review/, failed/, manifests/)")
    run.add_argument("--config", type=Path, default=None, help="policy YAML overlaid on config/default.yaml")
    run.add_argument("--verbose", action="store_true", help="show Prefect's logs")
    scan = sub.add_parser("scan", help="detect personal data in text lines on stdin (no redaction)")
    scan.add_argument("--jsonl", action="store_true", required=True,
                      help='read {"id", "text"} JSON lines on stdin, write {"id", "entities"} JSON lines')
    scan.add_argument("--config", type=Path, default=None, help="policy YAML overlaid on config/default.yaml")
    service_help = "policy YAML with a service: section (inbox, out, archive, schedule)"
    serve = sub.add_parser("serve", help="the service: watched inbox + nightly run on a local Prefect server")
    serve.add_argument("--config", type=Path, default=None, help=service_help)
    serve.add_argument("--verbose", action="store_true", help="show Prefect's logs")
    watch = sub.add_parser("watch", help="watch INBOX in the foreground and redact what lands in it")
    watch.add_argument("inbox", type=Path, nargs="?", default=None, help="the inbox (default: service.inbox)")
    watch.add_argument("--out", type=Path, default=None, help="output folder (default: service.out)")
    watch.add_argument("--archive", type=Path, default=None,
                       help="where originals go once processed (default: service.archive)")
    watch.add_argument("--config", type=Path, default=None, help=service_help)
    watch.add_argument("--once", action="store_true", help="drain what is ready once, then exit")
    watch.add_argument("--verbose", action="store_true", help="show Prefect's logs")
    deploy = sub.add_parser("deploy", help="register the drain on a Prefect process work pool (several machines)")
    deploy.add_argument("--pool", required=True, help="work pool name (created as a process pool if missing)")
    deploy.add_argument("--name", default="shared", help="deployment name (default: shared)")
    deploy.add_argument("--config", type=Path, default=None, help=service_help)
    deploy.add_argument("--verbose", action="store_true", help="show Prefect's logs")
    from flows.review_command import add_commands

    add_commands(sub)
    for command in (serve, watch):
        command.add_argument("--deployment", default=None, metavar="FLOW/NAME",
                             help="on a drop, start a run of this deployment (workers on a pool do the work) "
                                  "instead of draining in this process")
    return parser


def check_folders(inbox: Path, out: Path) -> str | None:
    """Why these folders cannot be used together, or None."""
    if not inbox.is_dir():
        return f"{inbox}: the inbox is not a folder"
    inbox_r, out_r = inbox.resolve(), out.resolve()
    if out_r == inbox_r or inbox_r in out_r.parents:
        return f"{out}: the output folder must not lie inside the inbox {inbox} (outputs would be read as inputs)"
    if out_r in inbox_r.parents:
        return f"{inbox}: the inbox must not lie inside the output folder {out}"
    return None


def cmd_run(args: argparse.Namespace) -> int:
    from flows import prefect_env

    prefect_env.configure(verbose=args.verbose)
    from redactors.config import load_config
    from redactors.errors import ConfigError

    problem = check_folders(args.inbox, args.out)
    if problem:
        print(f"tabir: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"tabir: {exc}", file=sys.stderr)
        return EXIT_USAGE

    from flows.run import redact_inbox

    try:
        manifest = redact_inbox(args.inbox, args.out, config)
    except ConfigError as exc:  # e.g. the manifest secret inside the output folder
        print(f"tabir: {exc}", file=sys.stderr)
        return EXIT_USAGE
    manifest_path = args.out / "manifests" / f"{manifest['run_id']}.json"
    print(summary_line(manifest, manifest_path))
    for entry in manifest["files"]:
        if entry["status"] in ("review", "failed"):
            print(f"  {entry['status']}: {entry['input']}: {entry['reason']}", file=sys.stderr)
    return exit_code_for(manifest["counts"])


def cmd_scan(args: argparse.Namespace) -> int:
    """Same detector and policy as `tabir run`, without Prefect (a filter
    should start fast and print nothing but its JSON lines)."""
    from redactors.config import load_config
    from redactors.errors import ConfigError
    from redactors.pipeline import detector_for
    from redactors.scan import scan_jsonl

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"tabir: {exc}", file=sys.stderr)
        return EXIT_USAGE
    detector = detector_for(config)
    for line in scan_jsonl(detector, sys.stdin):
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    from redactors.errors import MissingDependency

    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "scan":
            return cmd_scan(args)
        if args.command in ("review", "report"):
            from flows import review_command

            return {"review": review_command.cmd_review, "report": review_command.cmd_report}[args.command](args)
        if args.command in ("serve", "watch", "deploy"):
            from flows import service_cli

            return {"serve": service_cli.cmd_serve, "watch": service_cli.cmd_watch,
                    "deploy": service_cli.cmd_deploy}[args.command](args)
    except MissingDependency as exc:
        print(f"tabir: missing dependency: {exc}", file=sys.stderr)
        return EXIT_MISSING_DEPENDENCY
    except KeyboardInterrupt:
        print("tabir: interrupted; nothing half-written was published", file=sys.stderr)
        return 130
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
