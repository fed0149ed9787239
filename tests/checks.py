"""Verification as the pipeline runs it, for tests that call a format
handler directly."""

from __future__ import annotations


def verified(handler, result, config) -> list[str]:
    """The problems `handler` finds when it re-checks `result`, under `config`."""
    from tabir.redactors.detect.factory import detector_for
    from tabir.redactors.formats import RedactionContext

    ctx = RedactionContext(detector_for(config), config)
    return handler.verify(result.output, result.sensitive_values(), result.inserted, ctx)
