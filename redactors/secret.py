"""The per-installation key for the keyed hashes in manifests.

A manifest must let an auditor check "was this NIK redacted in that file?"
without holding the NIK itself: HMAC-SHA256(secret, value). A plain hash of a
16-digit NIK or a phone number is reversed by trying every candidate, so the
key is what protects the values, and it lives outside the output folder,
readable by the service account only.
"""

from __future__ import annotations

import hmac
import os
import secrets
from hashlib import sha256
from pathlib import Path

from .detect.propagate import normalise
from .errors import ConfigError


def load_or_create_secret(path: Path, forbidden_root: Path | None = None) -> bytes:
    path = path.expanduser().resolve()
    if forbidden_root is not None:
        root = forbidden_root.resolve()
        if path == root or root in path.parents:
            raise ConfigError(
                f"{path}: the manifest secret must not lie inside the output folder {root}"
            )
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
    key = path.read_bytes()
    if len(key) < 16:
        raise ConfigError(f"{path}: the manifest secret is shorter than 16 bytes")
    return key


class ValueHasher:
    def __init__(self, key: bytes):
        self._key = key

    def __call__(self, value: str) -> str:
        """Keyed hash of the normalised value (case and spacing do not matter)."""
        return hmac.new(self._key, normalise(value).encode("utf-8"), sha256).hexdigest()

    def exact(self, text: str) -> str:
        """Keyed hash of `text` as it is (a path: "Siti.pdf" and "siti.pdf"
        are two files)."""
        return hmac.new(self._key, b"exact:" + text.encode("utf-8"), sha256).hexdigest()
