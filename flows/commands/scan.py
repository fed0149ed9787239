"""`tabir scan --jsonl`: detection on JSON lines from stdin, no redaction."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tabir.flows.console import EXIT_OK, EXIT_USAGE, load_policy


def add_parser(sub) -> None:
    scan = sub.add_parser("scan", help="detect personal data in text lines on stdin (no redaction)")
    scan.add_argument("--jsonl", action="store_true", required=True,
                      help='read {"id", "text"} JSON lines on stdin, write {"id", "entities"} JSON lines')
    scan.add_argument("--config", type=Path, default=None, help="policy YAML overlaid on config/default.yaml")


def run(args: argparse.Namespace) -> int:
    """Same detector and policy as `tabir run`, without Prefect (a filter
    should start fast and print nothing but its JSON lines)."""
    from tabir.redactors.detect.factory import detector_for
    from tabir.redactors.scan import scan_jsonl

    config = load_policy(args.config)
    if config is None:
        return EXIT_USAGE
    detector = detector_for(config)
    for line in scan_jsonl(detector, sys.stdin):
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
    return EXIT_OK
