"""Progress: a bar per stage on a terminal, plain lines elsewhere (CI, pipes)."""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO


def interactive(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("CI")


class Reporter:
    """Receives stage and task events from the executor."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self._progress: Any = None
        self._bars: dict[str, Any] = {}
        self._current: str | None = None
        if interactive(self.stream):
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("{task.description:<12}"), BarColumn(),
                                      MofNCompleteColumn(), TimeElapsedColumn(),
                                      TextColumn("{task.fields[item]}"),
                                      console=Console(file=self.stream))
            self._progress.start()

    def stage(self, name: str, total: int) -> None:
        if self._progress is not None:
            self._bars[name] = self._progress.add_task(name, total=total, item="")
        self._current = name

    def task_started(self, label: str, stage: str | None = None) -> None:
        bar = self._bars.get(stage or self._current or "")
        if self._progress is not None and bar is not None:
            self._progress.update(bar, item=label)

    def task_done(self, stage: str, label: str, outcome: str, seconds: float, note: str = "") -> None:
        if self._progress is not None and stage in self._bars:
            self._progress.advance(self._bars[stage])
            if outcome == "failed":
                self._progress.console.print(f"[red]failed[/red] {stage} {label}: {note}")
        elif outcome != "cached":
            extra = f"  {note}" if note else ""
            print(f"{stage:<10} {label:<32} {outcome:<7} {seconds:6.1f}s{extra}",
                  file=self.stream, flush=True)

    def warn(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.print(f"[yellow]warning[/yellow] {text}")
        else:
            print(f"warning: {text}", file=self.stream, flush=True)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
