"""Stages: each is a function of its input files and parameters, described for the runner.

A stage names its inputs (content-hashed), its parameters (everything else that changes the
result, engine identity included), its outputs, which outputs editors may change, and its
dependencies. The runner fingerprints that description; the stage only does the work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.executor import Engines
    from pipeline.workspace import Task, Workspace


@dataclass
class Result:
    """What a stage reports besides its files (goes into the state and the manifest)."""

    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


class Stage:
    name: str = ""
    version: int = 1
    per_lang: bool = False
    # True: the pending tasks of one video are handed to run_many together (shared work)
    shared_per_video: bool = False

    def deps(self, ws: Workspace, task: Task) -> list[Task]:
        return []

    def inputs(self, ws: Workspace, task: Task) -> dict[str, Path]:
        raise NotImplementedError

    def params(self, ws: Workspace, task: Task) -> dict[str, Any]:
        return {}

    def outputs(self, ws: Workspace, task: Task) -> list[Path]:
        raise NotImplementedError

    def editable(self, ws: Workspace, task: Task) -> list[Path]:
        return []

    def run(self, ws: Workspace, task: Task, engines: Engines) -> Result:
        """One task's work; a stage that shares work between tasks overrides run_many."""
        raise NotImplementedError

    def run_many(self, ws: Workspace, tasks: list[Task], engines: Engines) -> list[Result | Exception]:
        """Each task's result, or the exception that failed it (one failure stops no other)."""
        results: list[Result | Exception] = []
        for task in tasks:
            try:
                results.append(self.run(ws, task, engines))
            except Exception as e:
                results.append(e)
        return results


def all_stages() -> list[Stage]:
    """The stages in pipeline order."""
    from pipeline.stages.extract import Extract
    from pipeline.stages.master import Master
    from pipeline.stages.narrate import Narrate
    from pipeline.stages.render import Render, Sample
    from pipeline.stages.transcribe import Transcribe
    from pipeline.stages.translate import Translate

    return [Extract(), Transcribe(), Translate(), Narrate(), Render(), Sample(), Master()]
