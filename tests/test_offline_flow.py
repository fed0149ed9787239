"""The Prefect flow end to end, in-process, with the network blocked: only
loopback (Prefect's embedded API) may be reached. Also proves the detector
loads its model and validates e-mail domains without a download."""

from __future__ import annotations

import socket

import pytest

from tabir.redactors.detect.presidio_text import PresidioDetector

from .conftest import PLANTED
from .pdf_inspect import all_text, contains

pytestmark = pytest.mark.slow

_LOOPBACK = ("127.", "::1", "localhost", "0.0.0.0")


class NetworkGuard:
    """Refuses every connection and name lookup that is not loopback."""

    def __init__(self, monkeypatch):
        self.attempts: list[str] = []
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        real_getaddrinfo = socket.getaddrinfo
        guard = self

        def allowed(address) -> bool:
            if isinstance(address, (str, bytes)):  # a unix socket path
                return True
            host = str(address[0])
            return host.startswith(_LOOPBACK)

        def connect(sock, address):
            if not allowed(address):
                guard.attempts.append(str(address))
                raise OSError(f"network blocked by test: {address}")
            return real_connect(sock, address)

        def connect_ex(sock, address):
            if not allowed(address):
                guard.attempts.append(str(address))
                return 111
            return real_connect_ex(sock, address)

        def getaddrinfo(host, *args, **kwargs):
            if host is not None and not str(host).startswith(_LOOPBACK):
                guard.attempts.append(f"lookup {host}")
                raise socket.gaierror(f"network blocked by test: {host}")
            return real_getaddrinfo(host, *args, **kwargs)

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)



def test_guard_really_blocks(monkeypatch):
    guard = NetworkGuard(monkeypatch)
    with pytest.raises(OSError):
        socket.create_connection(("pypi.org", 443), timeout=2)
    assert guard.attempts


def test_detector_builds_and_finds_email_offline(monkeypatch, config):
    guard = NetworkGuard(monkeypatch)
    detector = PresidioDetector(config.detection)
    text = "Hubungi budi.santoso@gmail.com atau kantor@dinsos.go.id"
    found = {text[s.start:s.end] for s in detector.detect(text) if s.entity_type == "EMAIL_ADDRESS"}
    assert found == {"budi.santoso@gmail.com", "kantor@dinsos.go.id"}
    assert guard.attempts == []


def test_flow_redacts_the_inbox_with_network_blocked(monkeypatch, prefect_api, inbox, tmp_path, config):
    from tabir.flows.run import redact_inbox

    guard = NetworkGuard(monkeypatch)
    out = tmp_path / "out"
    # One process: the guard patches this process's sockets, and worker
    # processes (redactors/workers.py) would start without it.
    manifest = redact_inbox(inbox, out, config, workers=1)
    assert guard.attempts == []
    assert manifest["counts"]["redacted"] == 3
    for path in (out / "redacted").iterdir():
        text = all_text(path.read_bytes())
        assert not any(contains(text, value) for value in PLANTED)
    assert (out / "manifests" / "latest.json").exists()
