"""The per-run journal: one JSON line per finished input, fsynced before the
original leaves for the archive. A drain killed half-way has no manifest yet;
its journal is turned into one (marked interrupted) when its claims are
recovered, so every processed input stays on record."""

from __future__ import annotations

import json
import os
import socket
from datetime import datetime
from pathlib import Path

from ..config import Config
from ..manifest import FileRecord, build_manifest, utc_now, write_manifest
from ..publish import OutputLayout


class RunJournal:
    def __init__(self, layout: OutputLayout, run_id: str):
        self.layout = layout
        self.run_id = run_id
        self.path = journal_path(layout, run_id)

    def append(self, record: FileRecord) -> None:
        line = json.dumps(record.to_json(), ensure_ascii=False) + "\n"
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def finish(self, config: Config, started: datetime, interrupted: bool = False) -> dict | None:
        """Write the run's manifest (when it processed anything) and drop the journal."""
        records = read_journal(self.path)
        manifest = None
        if records:
            manifest = build_manifest(self.run_id, config, started, utc_now(), records)
            manifest["kind"] = "drain"
            manifest["node"] = node_name()
            if interrupted:
                manifest["interrupted"] = True
            write_manifest(self.layout, manifest)
        self.path.unlink(missing_ok=True)
        return manifest


def node_name() -> str:
    """Which machine drained: TABIR_NODE, else the host name (several workers
    share one output folder; the manifest says who did what)."""
    return os.environ.get("TABIR_NODE") or socket.gethostname()


def journal_path(layout: OutputLayout, run_id: str) -> Path:
    return layout.manifests / f"{run_id}.jsonl"


def read_journal(path: Path) -> list[FileRecord]:
    """The records of a journal; a line cut short by a crash is ignored (its
    input was not archived yet and is processed again)."""
    records = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    for line in lines:
        try:
            records.append(FileRecord(**json.loads(line)))
        except (ValueError, TypeError):
            continue
    return records


def finish_interrupted(layout: OutputLayout, config: Config, run_id: str, started: datetime) -> dict | None:
    """The manifest of a drain that died; None when it left no journal."""
    journal = RunJournal(layout, run_id)
    if not journal.path.exists():
        return None
    return journal.finish(config, started, interrupted=True)
