"""`tabir review OUT`: the local review desk (flows/desk/ over redactors/review/)."""

from __future__ import annotations

import argparse
import secrets
import socket
import sys
from pathlib import Path

from tabir.flows.console import EXIT_OK, EXIT_USAGE, load_policy


def add_parser(sub) -> None:
    review = sub.add_parser("review", help="the review desk: see, correct and approve a run's outputs in a browser")
    review.add_argument("out", type=Path, help="the output folder of `tabir run` or the service")
    review.add_argument("--originals", type=Path, action="append", default=[], metavar="DIR",
                        help="where originals are (the inbox of `tabir run`); the service's inbox and "
                             "archive from --config are added. Repeatable")
    review.add_argument("--config", type=Path, default=None, help="the policy the run used")
    review.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    review.add_argument("--port", type=int, default=0, help="port (default: any free port)")


def run(args: argparse.Namespace) -> int:
    config = load_policy(args.config)
    if config is None:
        return EXIT_USAGE
    if not (args.out / "manifests").is_dir():
        print(f"tabir: {args.out}: not an output folder of Tabir (no manifests/)", file=sys.stderr)
        return EXIT_USAGE
    import uvicorn

    from tabir.flows.desk.app import create_app
    from tabir.redactors.review.desk import ReviewDesk
    from tabir.redactors.service.settings import service_settings

    settings = service_settings(config)
    originals = list(args.originals) + [p for p in (settings.inbox, settings.archive) if p is not None]
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"tabir: warning: the desk shows originals; listening on {args.host} lets other machines reach it "
              "(the access token still guards it; use only on a trusted network)", file=sys.stderr)
    port = args.port or _free_port(args.host)
    token = secrets.token_urlsafe(32)
    print(f"http://{args.host}:{port}/?token={token}", flush=True)
    app = create_app(ReviewDesk(args.out, config, originals), token)
    uvicorn.run(app, host=args.host, port=port, log_level="warning")
    return EXIT_OK


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
