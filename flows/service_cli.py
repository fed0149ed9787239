"""`tabir serve` and `tabir watch`: the watched folder, and the nightly run.

serve: a local Prefect server (unless PREFECT_API_URL points at one), the
drain deployment with its nightly cron, and the watcher, in one command.
watch: the watcher alone in the foreground, on Prefect's embedded API.
Both drain in this process when files land (the detector stays loaded, so a
drop is published in seconds); the nightly deployment run is a fresh process.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE = 0, 1, 2


def _say(message: str) -> None:
    print(f"tabir: {datetime.now().strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def _load(args: argparse.Namespace):
    """(config, settings) or a usage error message."""
    from redactors.config import load_config
    from redactors.errors import ConfigError
    from redactors.service.safety import folder_problems
    from redactors.service.settings import service_settings

    try:
        config = load_config(args.config)
        settings = service_settings(config, getattr(args, "inbox", None), getattr(args, "out", None),
                                    getattr(args, "archive", None))
    except ConfigError as exc:
        return None, None, str(exc)
    problems = folder_problems(settings, args.config)
    if problems:
        return None, None, "refusing to start:\n  " + "\n  ".join(problems)
    return config, settings, None


def _drain_callable(config_path: Path | None, settings, verbose: bool):
    """A drain for the watcher: runs the flow, reports, never raises (the
    watcher must outlive one bad pass; the next pass retries)."""
    from flows.service import drain_inbox

    params = {
        "config_path": str(config_path.resolve()) if config_path else None,
        "inbox": str(settings.inbox), "out": str(settings.out), "archive": str(settings.archive),
    }

    def drain() -> float | None:
        try:
            summary = drain_inbox(**params)
        except Exception as exc:  # report, keep watching
            _say(f"drain failed: {type(exc).__name__}: {exc}")
            return None
        counts = summary["counts"]
        if summary["recovered"]:
            _say(f"returned {len(summary['recovered'])} file(s) left claimed by a stopped run to the inbox")
        if summary["files"] or verbose:
            _say(f"{len(summary['files'])} file(s): {counts['redacted']} redacted, {counts['review']} review, "
                 f"{counts['failed']} failed, {counts['skipped']} unchanged"
                 + (f"; {summary['waiting']} still being written" if summary["waiting"] else ""))
        for entry in summary["files"]:
            if entry["status"] in ("review", "failed"):
                _say(f"  {entry['status']}: {entry['input']}: {entry['reason']}")
        return summary["next_check_in"]

    return drain


def _stop_on_sigterm() -> None:
    def handler(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, handler)


def cmd_watch(args: argparse.Namespace) -> int:
    from flows import prefect_env

    prefect_env.configure(verbose=args.verbose)
    config, settings, problem = _load(args)
    if problem:
        print(f"tabir: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from flows.watcher import InboxWatcher

    drain = _drain_callable(args.config, settings, args.verbose)
    if args.once:
        drain()
        return EXIT_OK
    watcher = InboxWatcher(settings.inbox, drain, settings.rescan_seconds, settings.polling,
                           settings.poll_interval_seconds)
    _stop_on_sigterm()
    _say(f"watching {settings.inbox} -> {settings.out} (Ctrl-C to stop)")
    try:
        watcher.run()
    except KeyboardInterrupt:
        _say("stopped; files being processed stay claimed and are returned at the next start")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    config, settings, problem = _load(args)
    if problem:
        print(f"tabir: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from redactors.service.safety import private_folder

    for folder in (settings.data_dir, settings.archive, settings.cache_dir):
        private_folder(folder)
    os.environ.setdefault("PREFECT_HOME", str(settings.data_dir / "prefect"))
    os.environ["NO_PROXY"] = ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1", "localhost"]))
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        from flows.server import LocalPrefectServer

        server = LocalPrefectServer(settings.data_dir / "prefect", settings.server_port, settings.server_ui,
                                    settings.data_dir / "prefect-server.log")
        _say(f"starting the local Prefect server on {server.api_url}")
        try:
            server.start()
        except RuntimeError as exc:
            print(f"tabir: {exc}", file=sys.stderr)
            return EXIT_USAGE
        os.environ["PREFECT_API_URL"] = server.api_url
        if settings.server_ui:
            _say(f"Prefect UI: http://127.0.0.1:{server.port}")
    from flows import prefect_env

    prefect_env.configure(verbose=args.verbose)
    try:
        return _serve(args, settings)
    finally:
        if server is not None:
            server.stop()


def _serve(args: argparse.Namespace, settings) -> int:
    from prefect import serve
    from prefect.schedules import Cron

    from flows.service import drain_inbox
    from flows.watcher import InboxWatcher

    schedules = [Cron(settings.cron, timezone=settings.timezone)] if settings.cron else []
    deployment = drain_inbox.to_deployment(
        name="tabir",
        parameters={"config_path": str(args.config.resolve()) if args.config else None},
        schedules=schedules,
        description="Drain the Tabir inbox: redact, publish, archive.",
    )
    watcher = InboxWatcher(settings.inbox, _drain_callable(args.config, settings, args.verbose),
                           settings.rescan_seconds, settings.polling, settings.poll_interval_seconds)
    thread = threading.Thread(target=watcher.run, name="tabir-watcher", daemon=True)
    thread.start()
    when = f"cron '{settings.cron}' ({settings.timezone})" if settings.cron else "no schedule"
    _say(f"serving: watching {settings.inbox} -> {settings.out}; nightly drain: {when}")
    _stop_on_sigterm()
    try:
        serve(deployment, print_starting_message=args.verbose)
    except KeyboardInterrupt:
        pass
    finally:
        watcher.request_stop()
        thread.join(timeout=120)
        _say("stopped")
    return EXIT_OK
