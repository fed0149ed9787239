"""`tabir deploy --pool NAME`: the drain on a Prefect process work pool."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tabir.flows.console import EXIT_OK, EXIT_USAGE, config_parameter

from .service_common import SERVICE_HELP, load_service


def add_parser(sub) -> None:
    deploy = sub.add_parser("deploy", help="register the drain on a Prefect process work pool (several machines)")
    deploy.add_argument("--pool", required=True, help="work pool name (created as a process pool if missing)")
    deploy.add_argument("--name", default="shared", help="deployment name (default: shared)")
    deploy.add_argument("--config", type=Path, default=None, help=SERVICE_HELP)
    deploy.add_argument("--verbose", action="store_true", help="show Prefect's logs")


def run(args: argparse.Namespace) -> int:
    """`tabir deploy --pool NAME`: the drain flow as a deployment on a Prefect
    process work pool, for several machines sharing one Prefect server (on
    PostgreSQL), one inbox and one output folder: each machine runs
    `prefect worker start --pool NAME`. The flow is referenced by module path,
    so every worker runs the Tabir installed on its own machine."""
    from tabir.flows import prefect_env

    prefect_env.configure(verbose=args.verbose)
    settings, problem = load_service(args)
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

    from tabir.flows.drain import drain_inbox

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
        parameters={"config_path": config_parameter(args.config)},
        schedules=schedules,
        description="Drain the shared Tabir inbox: redact, publish, archive.",
        ignore_warnings=True,
        print_next_steps=False,
    )
    when = f"cron '{settings.cron}' ({settings.timezone})" if settings.cron else "no schedule"
    print(f"tabir: deployment tabir-drain/{args.name} ({deployment_id}) on work pool '{args.pool}', {when}; "
          f"start a worker on each machine: prefect worker start --pool {args.pool}")
    return EXIT_OK
