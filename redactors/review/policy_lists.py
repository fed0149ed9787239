"""The reviewer's policy-wide lists: words never to redact and terms always
to redact, decided at the review desk "for the whole policy". Kept in their
own YAML file (review.policy_lists), private to its owner because the terms
are personal data, and added to detection's allow_list and deny_list every
time the policy is loaded, so the next run follows them too."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from ..errors import ConfigError

ENTITY_TYPE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def read_policy_lists(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    """(allow_list, deny_list) from the file; empty when it does not exist."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return [], {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the reviewer's policy lists: {exc}") from None
    allow, deny = data.get("allow_list", []) if isinstance(data, dict) else None, \
        data.get("deny_list", {}) if isinstance(data, dict) else None
    if not isinstance(allow, list) or not all(isinstance(v, str) and v.strip() for v in allow):
        raise ConfigError(f"{path}: key 'allow_list': must be a list of non-empty strings")
    if not isinstance(deny, dict) or not all(
            isinstance(t, str) and t and set(t) <= ENTITY_TYPE_CHARS and isinstance(v, list)
            and all(isinstance(x, str) and len(x.strip()) >= 2 for x in v) for t, v in deny.items()):
        raise ConfigError(f"{path}: key 'deny_list': must map ENTITY_TYPE to a list of terms (2 characters or more)")
    return allow, deny


def add_to_policy_lists(path: Path, allow: str | None = None, deny: tuple[str, str] | None = None) -> None:
    """Add one allowed word, or one (entity type, term) to deny; written
    atomically, mode 0600."""
    allow_list, deny_list = read_policy_lists(path)
    if allow and allow not in allow_list:
        allow_list.append(allow)
    if deny:
        entity_type, term = deny
        terms = deny_list.setdefault(entity_type, [])
        if term not in terms:
            terms.append(term)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = ("# Written by the Tabir review desk: decisions made for the whole policy.\n"
            + yaml.safe_dump({"allow_list": allow_list, "deny_list": deny_list}, allow_unicode=True, sort_keys=True))
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
