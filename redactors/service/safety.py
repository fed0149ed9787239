"""Refuse to start the service with folders that would loop, leak or let a
staff member change the policy (after OCRmyPDF's watched-folder rules).

The inbox is writable by many people and Tabir publishes what it reads, so:
no output or private folder inside the inbox (outputs would be read again as
inputs), no archive or cache inside the published output (originals would be
published), nothing overlapping the installation, and a configuration file
that only its owner can change, kept outside every data folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .settings import ServiceSettings

INSTALL_ROOT = Path(__file__).resolve().parents[2]


def _overlap(a: Path, b: Path) -> bool:
    return a == b or a in b.parents or b in a.parents


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def folder_problems(settings: ServiceSettings, config_file: Path | None,
                    install_root: Path = INSTALL_ROOT) -> list[str]:
    """Every reason the service must not start; empty when it may."""
    problems: list[str] = []
    if settings.inbox is None or settings.out is None:
        return ["the inbox and the output folder must be given (service.inbox and service.out, "
                "or INBOX and --out)"]
    inbox = settings.inbox
    if not inbox.is_dir():
        problems.append(f"{inbox}: the inbox is not a folder")
    named = {
        "output folder": settings.out,
        "archive": settings.archive,
        "data folder": settings.data_dir,
        "cache folder": settings.cache_dir,
    }
    for name, path in named.items():
        if _overlap(path, inbox):
            problems.append(f"{path}: the {name} must not lie inside the inbox {inbox}, "
                            "nor the inbox inside it (files would be read again as inputs)")
        if _overlap(path, install_root):
            problems.append(f"{path}: the {name} must not overlap Tabir's installation {install_root}")
    for name in ("archive", "data folder", "cache folder"):
        if _overlap(named[name], settings.out):
            problems.append(f"{named[name]}: the {name} must not overlap the output folder {settings.out} "
                            "(publication teams read the output folder; originals and caches are private)")
    if config_file is not None:
        problems.extend(config_file_problems(config_file, [inbox, *named.values()]))
    return problems


def config_file_problems(config_file: Path, data_folders: list[Path]) -> list[str]:
    path = config_file.resolve()
    problems = []
    for folder in data_folders:
        if _inside(path, folder):
            problems.append(f"{config_file}: the configuration file must not lie in the data folder {folder} "
                            "(whoever can write there could change the policy)")
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return problems + [f"{config_file}: cannot read the configuration file: {exc.strerror}"]
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        problems.append(f"{config_file}: the configuration file is writable by group or others "
                        f"(mode {stat.filemode(mode)}); run: chmod go-w '{config_file}'")
    return problems


def private_folder(path: Path) -> Path:
    """Create `path` (or tighten it) so only the service account can enter it:
    the archive holds originals with personal data."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o700)
    return path


def load_safe_settings(config_path: Path | None, inbox: Path | None = None, out: Path | None = None,
                       archive: Path | None = None):
    """(policy, service settings) for a service command or a drain; raises
    ConfigError when the policy is invalid or the folders are unsafe (the
    same check whether a person starts the service or a worker runs a drain)."""
    from ..config import load_config
    from ..errors import ConfigError
    from .settings import service_settings

    config = load_config(config_path)
    settings = service_settings(config, inbox, out, archive)
    problems = folder_problems(settings, config_path)
    if problems:
        raise ConfigError("refusing to start:\n  " + "\n  ".join(problems))
    return config, settings
