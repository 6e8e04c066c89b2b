"""What one run is asked to do: the options the CLI (or the review desk) sets, as ONE frozen
object handed from the runner to the executors and on to each unit of tasks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunOptions:
    videos: tuple[str, ...] = ()  # none: every video
    langs: tuple[str, ...] = ()  # none: every configured language
    only: tuple[str, ...] = ()  # run just these stages (their inputs must be done)
    force: bool = False  # rerun even what is fresh (hand edits kept aside first)
    keep_edits: bool = False  # a hand edit whose inputs changed becomes the output as it is
    strict: bool = False  # QA findings fail their item
    sample: float | None = None  # seconds: render excerpts into outputs/_samples/
    jobs: int | None = None  # local workers (the runner settles it before executing)
    scheduler: str | None = None  # a Dask scheduler's address
