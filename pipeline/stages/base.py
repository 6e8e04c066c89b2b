"""What every stage is: a function of its input files and a frozen parameters object.

A stage builds its parameters once from the config (and from facts upstream stages recorded,
such as the transcript's language) into a frozen dataclass. The runner fingerprints exactly
that object with the content hashes of the stage's inputs; `run()` reads only the job it is
given (parameters, input paths) and the run context (output layout, loaded engines), never
the config, so what the fingerprint covers is what the result depends on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

if TYPE_CHECKING:
    from pipeline.records import Reader, Record
    from pipeline.config import Config
    from pipeline.engines.pool import EnginePool
    from pipeline.workspace import Layout, Task, Workspace

P = TypeVar("P")


@dataclass
class Result:
    """What a stage reports besides its files (goes into the state and the manifest)."""

    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    note: str = ""  # one line for the run's log ("1 of 9 line(s) synthesized")
    # larger records kept beside the state (`Layout.detail`), read only by who needs them: a
    # freshness check of every task reads the state, not these
    detail: Record | None = None


@dataclass(frozen=True)
class Job(Generic[P]):
    """One task ready to run: its parameters, its input files and their content hashes."""

    task: Task
    params: P
    inputs: dict[str, Path]
    digests: dict[str, str]


@dataclass(frozen=True)
class RunContext:
    """Where outputs go, the engines loaded in this process, and how much work a stage may
    do at once here (threads: narration synthesizes that many lines side by side)."""

    paths: Layout
    engines: EnginePool
    force: bool = False  # `run --force`: no partial reuse inside a task (render's profiles)
    threads: int = 1


def settled(futures: Iterable[Future[Result]]) -> list[Result | Exception]:
    """Each future's result, or the exception that failed it (one failure stops no other):
    what `run_many` returns for tasks run side by side."""
    results: list[Result | Exception] = []
    for future in futures:
        try:
            results.append(future.result())
        except Exception as e:
            results.append(e)
    return results


class Stage(ABC, Generic[P]):
    name: ClassVar[str]
    version: ClassVar[int]
    # True: the pending tasks of one video are handed to run_many together (shared work)
    shared_per_video: ClassVar[bool] = False

    def wanted(self, config: Config) -> bool:
        """Whether the project has this stage at all (the master only when configured)."""
        return True

    @abstractmethod
    def params(self, ws: Workspace, task: Task) -> P:
        """Everything besides input files that decides the result, engine identity included;
        raises PipelineError (with the fix) when the task cannot be described yet."""

    @abstractmethod
    def inputs(self, ws: Workspace, task: Task, params: P) -> dict[str, Path]:
        """The files the stage reads (content-hashed into the fingerprint)."""

    @abstractmethod
    def outputs(self, paths: Layout, task: Task, params: P) -> list[Path]:
        """The files the stage writes."""

    def records(self, paths: Layout, task: Task, params: P) -> dict[Path, Reader[Any]]:
        """Outputs that are typed records (pipeline/records.py), each with its class: one that
        does not read back as its record is a cache miss (the task is stale and runs again)."""
        return {}

    def editable(self, paths: Layout, task: Task) -> list[Path]:
        """Outputs editors may change by hand (never overwritten without --force)."""
        return []

    def kept(self, paths: Layout, job: Job[P]) -> Result:
        """What the task records when a hand edit is kept as its output (`run --keep-edits`,
        the review desk's "keep mine") instead of running it."""
        return Result()

    def warm(self, ctx: RunContext, task: Task, params: P) -> None:
        """Load the engines a task with these parameters will use, ahead of its turn (the
        executor calls it on a spare thread while earlier stages run; loading twice is
        impossible: the engine pool loads each model once)."""

    def run(self, ctx: RunContext, job: Job[P]) -> Result:
        """One task's work; a stage that shares work between tasks overrides run_many."""
        raise NotImplementedError

    def run_many(self, ctx: RunContext, jobs: list[Job[P]]) -> list[Result | Exception]:
        """Each task's result, or the exception that failed it (one failure stops no other)."""
        results: list[Result | Exception] = []
        for job in jobs:
            try:
                results.append(self.run(ctx, job))
            except Exception as e:
                results.append(e)
        return results
