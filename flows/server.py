"""Prefect servers as child processes of Tabir's commands.

LocalPrefectServer: a full server for `tabir serve`. Prefect's embedded API
runs no scheduler (a cron deployment gets no runs), so the nightly schedule
needs a real server. It keeps its SQLite database under the service's data
folder.

EmbeddedApi: the embedded API of `tabir run`, started by Tabir rather than
by Prefect's client so that it boots while the models load.

Both listen on 127.0.0.1 only and die with their parent: PR_SET_PDEATHSIG,
so even a kill -9 of the command leaves no server holding a port."""

from __future__ import annotations

import atexit
import ctypes
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: stop() still ends it on a clean exit


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _healthy(api_url: str) -> bool:
    try:
        # No proxy: the server is on loopback, and an http_proxy setting
        # must not send the health check (or anything) off the machine.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{api_url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class _ServerChild:
    """A Prefect server process on 127.0.0.1, started by a subclass."""

    grace = 5.0  # seconds between terminate and kill when it is stopped
    what = "the Prefect server"
    see = ""  # where to look when it fails, appended to errors

    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def healthy(self) -> bool:
        return _healthy(self.api_url)

    def wait_until_healthy(self, timeout: float, interval: float = 0.1) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise RuntimeError(f"{self.what} stopped at start-up (exit code {code}){self.see}")
            if self.healthy():
                return
            time.sleep(interval)
        self.stop()
        raise RuntimeError(f"{self.what} did not answer within {timeout:.0f} s{self.see}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(self.grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class LocalPrefectServer(_ServerChild):
    grace = 15.0

    def __init__(self, home: Path, port: int, ui: bool, log_file: Path, extra_env: dict[str, str] | None = None):
        super().__init__(port or free_port())
        self.extra_env = extra_env or {}
        self.home = home
        self.ui = ui
        self.log_file = log_file
        self.see = f"; see {log_file}"

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "PREFECT_HOME": str(self.home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_UI_ENABLED": "true" if self.ui else "false",
            "PREFECT_UI_ENABLED": "true" if self.ui else "false",
            "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
        })
        env.pop("PREFECT_API_URL", None)
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 120.0) -> None:
        if port_in_use(self.port):
            raise RuntimeError(
                f"port {self.port} on 127.0.0.1 is in use; set service.server.port to a free port (0: any)"
            )
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        log = open(self.log_file, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.environment(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        log.close()
        self.wait_until_healthy(timeout, interval=0.5)


class EmbeddedApi(_ServerChild):
    """Prefect's embedded API: the app, flags and database (PREFECT_HOME)
    Prefect's client starts on its own when no PREFECT_API_URL is set, but
    started without waiting and without importing Prefect's server here.

    Left to Prefect, the first flow call imports the server's modules in
    this process (about 4 s) and then waits for the server (about 5 s)
    before any work begins. Started first thing, the server boots on the
    other core while this process imports and loads the models, and the
    flow waits only for what is left (`wait_until_healthy`)."""

    what = "Prefect's embedded API"

    def __init__(self) -> None:
        super().__init__(free_port())

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("PREFECT_API_URL", None)
        # What Prefect's SubprocessASGIServer sets: no UI, the ephemeral
        # app (no background services, no scheduler).
        env.update({"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1",
                    # Offline: the server's telemetry service must not try
                    # to reach the network (it did, before this was set).
                    "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"})
        return env

    def start(self) -> str:
        """Starts the server and returns its API URL; does not wait for it."""
        prefect = importlib.util.find_spec("prefect")
        if prefect is None or not prefect.origin:
            raise RuntimeError("Prefect is not installed")
        app_dir = Path(prefect.origin).parent.parent
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir), "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "error", "--lifespan", "on"],
            env=self.environment(), stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent,
        )
        # Registered before Prefect registers its own exit handlers, so it
        # runs after them (atexit is last in, first out): the last logs and
        # events reach the server before it stops.
        atexit.register(self.stop)
        return self.api_url
