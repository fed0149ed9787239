"""`tabir run INBOX --out OUT`: redact every file under INBOX once, then exit."""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from pathlib import Path

from tabir.flows.console import EXIT_INTERNAL, EXIT_USAGE, exit_code_for, load_policy, report_problems, summary_line


def add_parser(sub) -> None:
    run = sub.add_parser("run", help="redact every file under INBOX once, then exit")
    run.add_argument("inbox", type=Path, help="folder with the documents to redact (read only)")
    run.add_argument("--out", type=Path, required=True, help="output folder (redacted/, review/, failed/, manifests/)")
    run.add_argument("--config", type=Path, default=None, help="policy YAML overlaid on config/default.yaml")
    run.add_argument("--workers", type=int, default=None, metavar="N",
                     help="processes that redact at once (default: the policy's processes.workers, "
                          "0 = one per CPU core; 1 = none)")
    run.add_argument("--verbose", action="store_true", help="show Prefect's logs")


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


def run(args: argparse.Namespace) -> int:
    from tabir.flows import prefect_env

    problem = check_folders(args.inbox, args.out)
    if args.workers is not None and args.workers < 0:
        problem = f"--workers {args.workers}: give 0 (one per core) or more"
    if problem:
        print(f"tabir: {problem}", file=sys.stderr)
        return EXIT_USAGE
    config = load_policy(args.config)
    if config is None:
        return EXIT_USAGE
    # The embedded API boots in its own process while this one imports
    # and loads the models (start-up: bench/whole_process.py).
    # Prefect's settings first: the server started next inherits them.
    prefect_env.configure(verbose=args.verbose)
    api = prefect_env.start_embedded_api()
    from tabir.redactors.errors import ConfigError

    from tabir.flows.run import close_started_pools, load_models, redact_inbox

    try:
        load_models(args.inbox, args.out, config, args.workers)
        if api is not None:
            try:
                api.wait_until_healthy(prefect_env.startup_timeout())
            except RuntimeError as exc:  # nothing was read or written yet
                print(f"tabir: {exc}", file=sys.stderr)
                return EXIT_INTERNAL
        with prefect_env.no_heartbeats() if api is not None else nullcontext():
            manifest = redact_inbox(args.inbox, args.out, config, args.workers)
    except ConfigError as exc:  # e.g. the manifest secret inside the output folder
        print(f"tabir: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        close_started_pools()
    manifest_path = args.out / "manifests" / f"{manifest['run_id']}.json"
    print(summary_line(manifest, manifest_path))
    report_problems(manifest["files"], lambda line: print(line, file=sys.stderr))
    return exit_code_for(manifest["counts"])
