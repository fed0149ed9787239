"""A worker task that dies on one chosen file, as a crash in a PDF library
would (imported by name in the spawned worker processes)."""

from __future__ import annotations

import os

from tabir.redactors import workers

POISON = "racun"  # a file whose name holds this kills every worker that takes it


def die_on_poison(rel, data):
    if POISON in str(rel):
        os._exit(9)
    return workers._redact_in_worker(rel, data)
