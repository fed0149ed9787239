"""What `tabir serve`, `watch` and `deploy` share: loading the service's
settings with its safety checks, and what the watcher calls when files land
(a drain in this process, or a run of a pool deployment)."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path

from tabir.flows.console import config_parameter, report_problems, say

SERVICE_HELP = "policy YAML with a service: section (inbox, out, archive, schedule)"


def add_deployment_option(command) -> None:
    command.add_argument("--deployment", default=None, metavar="FLOW/NAME",
                         help="on a drop, start a run of this deployment (workers on a pool do the work) "
                              "instead of draining in this process")


def load_service(args: argparse.Namespace):
    """(settings, None), or (None, why it must not start)."""
    from tabir.redactors.errors import ConfigError
    from tabir.redactors.service.safety import load_safe_settings

    try:
        _, settings = load_safe_settings(args.config, getattr(args, "inbox", None), getattr(args, "out", None),
                                         getattr(args, "archive", None))
    except ConfigError as exc:
        return None, str(exc)
    return settings, None


def drain_parameters(config_path: Path | None, settings) -> dict:
    """The drain flow's parameters for these settings."""
    return {"config_path": config_parameter(config_path), "inbox": str(settings.inbox), "out": str(settings.out),
            "archive": str(settings.archive)}


def drain_callable(config_path: Path | None, settings, verbose: bool):
    """A drain for the watcher: runs the flow, reports, never raises (the
    watcher must outlive one bad pass; the next pass retries)."""
    from tabir.flows.drain import drain_inbox
    from tabir.redactors.service.drain import inbox_has_work

    params = drain_parameters(config_path, settings)

    def drain() -> float | None:
        try:
            if not inbox_has_work(settings.inbox):
                return None
            summary = drain_inbox(**params)
        except Exception as exc:  # report, keep watching
            say(f"drain failed: {type(exc).__name__}: {exc}")
            return None
        counts = summary["counts"]
        if summary["recovered"]:
            say(f"returned {len(summary['recovered'])} file(s) left claimed by a stopped run to the inbox")
        if summary["files"] or verbose:
            say(f"{len(summary['files'])} file(s): {counts['redacted']} redacted, {counts['review']} review, "
                f"{counts['failed']} failed, {counts['skipped']} unchanged"
                + (f"; {summary['waiting']} still being written" if summary["waiting"] else ""))
        report_problems(summary["files"], say)
        return summary["next_check_in"]

    return drain


def watcher_drain(args: argparse.Namespace, settings):
    """What the watcher calls: a run of the pool deployment, or a drain here
    (with the detector loaded now, so the first drop is not kept waiting)."""
    if args.deployment:
        from tabir.redactors.service.drain import inbox_has_work

        trigger = DeploymentTrigger(args.deployment)
        return lambda: trigger() if inbox_has_work(settings.inbox) else None
    warm_up(args, settings)
    return drain_callable(args.config, settings, args.verbose)


def warm_up(args: argparse.Namespace, settings) -> None:
    """Load the detector now, so the first drop is not kept waiting for it."""
    from tabir.flows.drain import prepare

    say("loading the detector")
    prepare(**drain_parameters(args.config, settings))


def stop_on_sigterm() -> None:
    def handler(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, handler)


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
            say(f"started a run of {self.deployment}: {run.name}")
        except Exception as exc:  # the server may be restarting: try at the next nudge
            say(f"could not start a run of {self.deployment}: {type(exc).__name__}: {exc}")
        return None
