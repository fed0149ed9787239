"""A progress bar on a terminal (rich), nothing when output is redirected."""

from __future__ import annotations

import sys
from contextlib import contextmanager


class _Silent:
    def advance(self, label: str) -> None:
        pass


class _Bar:
    def __init__(self, progress, task_id):
        self._progress = progress
        self._task = task_id

    def advance(self, label: str) -> None:
        self._progress.update(self._task, advance=1, description=label[-40:])


@contextmanager
def progress_bar(total: int):
    if not sys.stderr.isatty() or total == 0:
        yield _Silent()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        yield _Bar(progress, progress.add_task("redacting", total=total))
