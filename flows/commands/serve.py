"""`tabir serve`: the service in one command. A local Prefect server (unless
PREFECT_API_URL points at one), the drain deployment with its nightly cron
(each nightly run is a fresh process), and the watcher, which drains in this
process when files land."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import threading
from pathlib import Path

from tabir.flows.console import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, config_parameter, say

from .service_common import SERVICE_HELP, add_deployment_option, load_service, watcher_drain


def add_parser(sub) -> None:
    serve = sub.add_parser("serve", help="the service: watched inbox + nightly run on a local Prefect server")
    serve.add_argument("--config", type=Path, default=None, help=SERVICE_HELP)
    serve.add_argument("--verbose", action="store_true", help="show Prefect's logs")
    add_deployment_option(serve)


def run(args: argparse.Namespace) -> int:
    settings, problem = load_service(args)
    if problem:
        print(f"tabir: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from tabir.redactors.service.safety import private_folder

    for folder in (settings.data_dir, settings.archive, settings.cache_dir):
        private_folder(folder)
    os.environ.setdefault("PREFECT_HOME", str(settings.data_dir / "prefect"))
    from tabir.flows import prefect_env

    # Prefect's settings first: the server started next inherits them.
    prefect_env.configure(verbose=args.verbose)
    os.environ["NO_PROXY"] = ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1", "localhost"]))
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        from tabir.flows.server import LocalPrefectServer

        server = LocalPrefectServer(settings.data_dir / "prefect", settings.server_port, settings.server_ui,
                                    settings.data_dir / "prefect-server.log")
        say(f"starting the local Prefect server on {server.api_url}")
        try:
            server.start()
        except RuntimeError as exc:
            print(f"tabir: {exc}", file=sys.stderr)
            return EXIT_USAGE
        os.environ["PREFECT_API_URL"] = server.api_url
        if settings.server_ui:
            say(f"Prefect UI: http://127.0.0.1:{server.port}")
    try:
        return _serve(args, settings)
    finally:
        if server is not None:
            server.stop()


def _serve(args: argparse.Namespace, settings) -> int:
    from prefect.schedules import Cron

    from tabir.flows.drain import drain_inbox
    from tabir.flows.watcher import InboxWatcher

    schedules = [Cron(settings.cron, timezone=settings.timezone)] if settings.cron else []
    deployment = drain_inbox.to_deployment(
        name="tabir",
        parameters={"config_path": config_parameter(args.config)},
        schedules=schedules,
        description="Drain the Tabir inbox: redact, publish, archive.",
    )
    drain = watcher_drain(args, settings)
    runner = _RunnerThread(deployment)
    runner.start()
    watcher = InboxWatcher(settings.inbox, drain, settings.rescan_seconds, settings.polling,
                           settings.poll_interval_seconds)
    watching = threading.Thread(target=watcher.run, name="tabir-watcher", daemon=True)
    watching.start()
    when = f"cron '{settings.cron}' ({settings.timezone})" if settings.cron else "no schedule"
    say(f"serving: watching {settings.inbox} -> {settings.out}; nightly drain: {when}")

    # The main thread only waits for a signal; Prefect's runner and the
    # watcher run in their own threads so a SIGTERM stops both cleanly.
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.wait(1.0):
        if not runner.is_alive() or not watching.is_alive():
            say("a part of the service stopped unexpectedly; shutting down")
            break
    say("stopping (a file being processed is finished first)")
    watcher.request_stop()
    runner.request_stop()
    watching.join(timeout=300)
    runner.join(timeout=30)
    say("stopped")
    return EXIT_OK if stop.is_set() else EXIT_INTERNAL


class _RunnerThread(threading.Thread):
    """Prefect's Runner serving the nightly deployment, on its own event loop
    (in a thread it leaves the process's signal handlers alone)."""

    def __init__(self, deployment):
        super().__init__(name="tabir-prefect-runner", daemon=True)
        self.deployment = deployment
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._stopping = threading.Event()

    def run(self) -> None:
        from prefect.runner import Runner

        async def main() -> None:
            self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
            runner = Runner(name="tabir", pause_on_shutdown=False)
            await runner.aadd_deployment(self.deployment)
            if self._stopping.is_set():
                return
            await runner.start()

        try:
            asyncio.run(main())
        except asyncio.CancelledError:
            pass
        except Exception as exc:
            say(f"the Prefect runner failed: {type(exc).__name__}: {exc}")

    def request_stop(self) -> None:
        self._stopping.set()
        if self._loop is not None and self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)
