"""The watcher wakes a drain on a drop (inotify, or polling for network
shares), ignores its own claims, and rescans on a timer anyway."""

from __future__ import annotations

import threading
import time

import pytest

from tabir.flows.watcher import InboxWatcher
from tabir.redactors.service.claims import CLAIMS_DIRNAME

from .service_helpers import wait_until


class CountingDrain:
    def __init__(self):
        self.calls: list[float] = []

    def __call__(self):
        self.calls.append(time.monotonic())
        return None


def start(watcher: InboxWatcher) -> threading.Thread:
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("polling", [False, True])
def test_a_drop_wakes_a_drain_within_seconds(tmp_path, polling):
    drain = CountingDrain()
    watcher = InboxWatcher(tmp_path, drain, rescan_seconds=60, polling=polling, poll_interval=0.5)
    thread = start(watcher)
    try:
        assert wait_until(lambda: len(drain.calls) == 1, 5)  # the start-up drain
        time.sleep(1.0)
        dropped = time.monotonic()
        (tmp_path / "new.pdf").write_bytes(b"%PDF")
        assert wait_until(lambda: len(drain.calls) >= 2, 5)
        assert drain.calls[1] - dropped < 3
    finally:
        watcher.request_stop()
        thread.join(10)
    assert not thread.is_alive()


def test_own_claims_do_not_wake_it_and_the_rescan_does(tmp_path):
    claims = tmp_path / CLAIMS_DIRNAME
    claims.mkdir()
    drain = CountingDrain()
    watcher = InboxWatcher(tmp_path, drain, rescan_seconds=2.0)
    thread = start(watcher)
    try:
        assert wait_until(lambda: len(drain.calls) == 1, 5)
        (claims / "claimed.pdf").write_bytes(b"x")  # what a claim looks like
        time.sleep(1.0)
        assert len(drain.calls) == 1
        assert wait_until(lambda: len(drain.calls) == 2, 4)  # the periodic rescan
        assert drain.calls[1] - drain.calls[0] >= 1.9
    finally:
        watcher.request_stop()
        thread.join(10)
