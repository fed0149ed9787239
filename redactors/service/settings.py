"""The service section of the configuration, with its folders resolved."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import Config
from ..errors import ConfigError


@dataclass(frozen=True)
class ServiceSettings:
    inbox: Path | None
    out: Path | None
    archive: Path
    archive_retention_days: float
    data_dir: Path
    cache_dir: Path
    quiet_seconds: float
    rescan_seconds: float
    polling: bool
    poll_interval_seconds: float
    claim_lease_seconds: float
    cron: str | None
    timezone: str
    server_port: int
    server_ui: bool


def service_settings(config: Config, inbox: Path | None = None, out: Path | None = None,
                     archive: Path | None = None) -> ServiceSettings:
    """The service settings of `config`; folders given on the command line
    win over the file's."""
    raw = config.raw.get("service", {})
    base = Path(config.source).resolve().parent

    def folder(value: str | Path | None) -> Path | None:
        if value is None:
            return None
        path = Path(value).expanduser()
        return (path if path.is_absolute() else base / path).resolve()

    data_dir = folder(raw["data_dir"])
    schedule = raw.get("schedule") or {}
    timezone = schedule.get("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{config.source}: key 'service.schedule.timezone': unknown time zone {timezone!r} "
            "(use a name like Asia/Jakarta)"
        ) from None
    return ServiceSettings(
        inbox=folder(inbox) if inbox is not None else folder(raw.get("inbox")),
        out=folder(out) if out is not None else folder(raw.get("out")),
        archive=folder(archive) if archive is not None else folder(raw["archive"]),
        archive_retention_days=float(raw["archive_retention_days"]),
        data_dir=data_dir,
        cache_dir=folder(raw.get("cache_dir")) or data_dir / "cache",
        quiet_seconds=float(raw["quiet_seconds"]),
        rescan_seconds=float(raw["rescan_seconds"]),
        polling=bool(raw["polling"]),
        poll_interval_seconds=float(raw["poll_interval_seconds"]),
        claim_lease_seconds=float(raw["claim_lease_seconds"]),
        cron=schedule.get("cron"),
        timezone=timezone,
        server_port=int(raw["server"]["port"]),
        server_ui=bool(raw["server"]["ui"]),
    )
