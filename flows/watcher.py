"""Run a drain soon after files land in the inbox, and on a timer anyway.

watchdog reports file-system events (inotify; a polling observer for SMB/NFS
shares, where the kernel does not see other machines' writes). Events are
only a hint: the drain itself decides what is complete (quiet period) and
claims it, and a full rescan runs every rescan_seconds because events are
missed on network shares and while the service is down.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from tabir.redactors.service.claims import CLAIMS_DIRNAME

# A drain returns when the next waiting file may be quiet (None: none waits).
Drain = Callable[[], "float | None"]

# Never start drains closer together than this (a copy of many files fires
# thousands of events; one drain takes them all).
MIN_GAP_SECONDS = 0.3


class _Nudge(FileSystemEventHandler):
    def __init__(self, inbox: Path, wake: threading.Event):
        self.claims = str(inbox / CLAIMS_DIRNAME)
        self.wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("deleted", "opened", "closed_no_write"):
            return
        # Our own claims (renames into the claim folder) are not news.
        target = getattr(event, "dest_path", "") or event.src_path
        if str(target).startswith(self.claims):
            return
        self.wake.set()


class InboxWatcher:
    def __init__(self, inbox: Path, drain: Drain, rescan_seconds: float,
                 polling: bool = False, poll_interval: float = 2.0):
        self.inbox = inbox
        self.drain = drain
        self.rescan_seconds = rescan_seconds
        self.wake = threading.Event()
        self.stop = threading.Event()
        observer_cls = PollingObserver if polling else Observer
        self.observer = observer_cls(timeout=poll_interval) if polling else observer_cls()
        self.observer.schedule(_Nudge(inbox, self.wake), str(inbox), recursive=True)

    def run(self) -> None:
        """Drain at once (files left from before), then on every nudge, when
        a waiting file should be quiet, and every rescan_seconds."""
        self.observer.start()
        try:
            next_check: float | None = 0.0
            while not self.stop.is_set():
                timeout = self.rescan_seconds if next_check is None else min(next_check, self.rescan_seconds)
                self.wake.wait(max(0.0, timeout))
                if self.stop.is_set():
                    break
                self.wake.clear()
                started = time.monotonic()
                next_check = self.drain()
                if next_check is not None:
                    next_check += 0.05  # land just after the quiet period ends
                pause = MIN_GAP_SECONDS - (time.monotonic() - started)
                if pause > 0:
                    self.stop.wait(pause)
        finally:
            self.observer.stop()
            self.observer.join(timeout=10)

    def request_stop(self) -> None:
        self.stop.set()
        self.wake.set()
