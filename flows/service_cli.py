"""`tabir serve` and `tabir watch`: the watched folder, and the nightly run.

serve: a local Prefect server (unless PREFECT_API_URL points at one), the
drain deployment with its nightly cron, and the watcher, in one command.
watch: the watcher alone in the foreground, on Prefect's embedded API.
Both drain in this process when files land (the detector stays loaded, so a
drop is published in seconds); the nightly deployment run is a fresh process.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path

from flows.console import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE


def _say(message: str) -> None:
    print(f"tabir: {datetime.now().strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def _load(args: argparse.Namespace):
    """(settings, None), or (None, why it must not start)."""
    from redactors.config import load_config
    from redactors.errors import ConfigError
    from redactors.service.safety import folder_problems
    from redactors.service.settings import service_settings

    try:
        config = load_config(args.config)
        settings = service_settings(config, getattr(args, "inbox", None), getattr(args, "out", None),
                                    getattr(args, "archive", None))
    except ConfigError as exc:
        return None, str(exc)
    problems = folder_problems(settings, args.config)
    if problems:
        return None, "refusing to start:\n  " + "\n  ".join(problems)
    return settings, None


def _drain_callable(config_path: Path | None, settings, verbose: bool):
    """A drain for the watcher: runs the flow, reports, never raises (the
    watcher must outlive one bad pass; the next pass retries)."""
    from flows.service import drain_inbox
    from redactors.service.drain import inbox_has_work

    params = {
        "config_path": str(config_path.resolve()) if config_path else None,
        "inbox": str(settings.inbox), "out": str(settings.out), "archive": str(settings.archive),
    }

    def drain() -> float | None:
        try:
            if not inbox_has_work(settings.inbox):
                return None
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


def _watcher_drain(args: argparse.Namespace, settings):
    """What the watcher calls: a run of the pool deployment, or a drain here
    (with the detector loaded now, so the first drop is not kept waiting)."""
    if args.deployment:
        from redactors.service.drain import inbox_has_work

        trigger = DeploymentTrigger(args.deployment)
        return lambda: trigger() if inbox_has_work(settings.inbox) else None
    _warm_up(args, settings)
    return _drain_callable(args.config, settings, args.verbose)


def _warm_up(args: argparse.Namespace, settings) -> None:
    """Load the detector now, so the first drop is not kept waiting for it."""
    from flows.service import prepare

    _say("loading the detector")
    prepare(str(args.config.resolve()) if args.config else None, str(settings.inbox), str(settings.out),
            str(settings.archive))


def _drain_once(args: argparse.Namespace, settings) -> int:
    """`tabir watch --once`: one drain; the exit code says how it went, as
    for `tabir run`."""
    from flows.console import exit_code_for
    from flows.service import drain_inbox

    summary = drain_inbox(str(args.config.resolve()) if args.config else None, str(settings.inbox),
                          str(settings.out), str(settings.archive))
    counts = summary["counts"]
    print(f"tabir: {len(summary['files'])} file(s): {counts['redacted']} redacted, {counts['review']} review, "
          f"{counts['failed']} failed, {counts['skipped']} unchanged; {summary['waiting']} not complete yet")
    for entry in summary["files"]:
        if entry["status"] in ("review", "failed"):
            print(f"  {entry['status']}: {entry['input']}: {entry['reason']}", file=sys.stderr)
    return exit_code_for(counts)


def _stop_on_sigterm() -> None:
    def handler(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, handler)


def cmd_watch(args: argparse.Namespace) -> int:
    from flows import prefect_env

    prefect_env.configure(verbose=args.verbose)
    settings, problem = _load(args)
    if problem:
        print(f"tabir: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from flows.watcher import InboxWatcher

    if args.once:
        return _drain_once(args, settings)
    drain = _watcher_drain(args, settings)
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
    settings, problem = _load(args)
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
    drain = _watcher_drain(args, settings)
    runner = _RunnerThread(deployment)
    runner.start()
    watcher = InboxWatcher(settings.inbox, drain, settings.rescan_seconds, settings.polling,
                           settings.poll_interval_seconds)
    watching = threading.Thread(target=watcher.run, name="tabir-watcher", daemon=True)
    watching.start()
    when = f"cron '{settings.cron}' ({settings.timezone})" if settings.cron else "no schedule"
    _say(f"serving: watching {settings.inbox} -> {settings.out}; nightly drain: {when}")

    # The main thread only waits for a signal; Prefect's runner and the
    # watcher run in their own threads so a SIGTERM stops both cleanly.
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.wait(1.0):
        if not runner.is_alive() or not watching.is_alive():
            _say("a part of the service stopped unexpectedly; shutting down")
            break
    _say("stopping (a file being processed is finished first)")
    watcher.request_stop()
    runner.request_stop()
    watching.join(timeout=300)
    runner.join(timeout=30)
    _say("stopped")
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
            _say(f"the Prefect runner failed: {type(exc).__name__}: {exc}")

    def request_stop(self) -> None:
        self._stopping.set()
        if self._loop is not None and self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)


def cmd_deploy(args: argparse.Namespace) -> int:
    """`tabir deploy --pool NAME`: the drain flow as a deployment on a Prefect
    process work pool, for several machines sharing one Prefect server (on
    PostgreSQL), one inbox and one output folder: each machine runs
    `prefect worker start --pool NAME`. The flow is referenced by module path,
    so every worker runs the Tabir installed on its own machine."""
    from flows import prefect_env

    prefect_env.configure(verbose=args.verbose)
    settings, problem = _load(args)
    if problem:
        print(f"tabir: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if not os.environ.get("PREFECT_API_URL"):
        print("tabir: set PREFECT_API_URL to the shared Prefect server (a deployment on the embedded "
              "API would vanish with this command)", file=sys.stderr)
        return EXIT_USAGE
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    from flows.service import drain_inbox

    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(WorkPoolCreate(name=args.pool, type="process"))
        except ObjectAlreadyExists:
            pass
    schedules = [Cron(settings.cron, timezone=settings.timezone)] if settings.cron else []
    deployment_id = drain_inbox.deploy(
        name=args.name,
        work_pool_name=args.pool,
        build=False,
        push=False,
        entrypoint_type=EntrypointType.MODULE_PATH,
        parameters={"config_path": str(args.config.resolve()) if args.config else None},
        schedules=schedules,
        description="Drain the shared Tabir inbox: redact, publish, archive.",
        ignore_warnings=True,
        print_next_steps=False,
    )
    when = f"cron '{settings.cron}' ({settings.timezone})" if settings.cron else "no schedule"
    print(f"tabir: deployment tabir-drain/{args.name} ({deployment_id}) on work pool '{args.pool}', {when}; "
          f"start a worker on each machine: prefect worker start --pool {args.pool}")
    return EXIT_OK


class DeploymentTrigger:
    """The watcher's drain when the work runs on a pool: create a run of the
    deployment, but never pile up more than one run that has not started."""

    def __init__(self, deployment: str):
        self.deployment = deployment
        self.pending = None

    def __call__(self) -> float | None:
        from prefect.client.orchestration import get_client
        from prefect.deployments import run_deployment

        try:
            if self.pending is not None:
                with get_client(sync_client=True) as client:
                    state = client.read_flow_run(self.pending).state
                if state is not None and state.type.value in ("SCHEDULED", "PENDING"):
                    return None
            run = run_deployment(self.deployment, timeout=0)
            self.pending = run.id
            _say(f"started a run of {self.deployment}: {run.name}")
        except Exception as exc:  # the server may be restarting: try at the next nudge
            _say(f"could not start a run of {self.deployment}: {type(exc).__name__}: {exc}")
        return None
