"""The stages the runner knows: the stage table joined with one object per stage.

The graph and both executors take a Registry as an argument, so tests can run the real
runner over stages of their own (no patching of module globals)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.stage_table import TABLE, StageInfo
from pipeline.stages.base import Stage
from pipeline.workspace import Task


@dataclass(frozen=True)
class Registry:
    table: tuple[StageInfo, ...]
    stages: dict[str, Stage[Any]]

    def __post_init__(self) -> None:
        missing = [s.name for s in self.table if s.name not in self.stages]
        if missing:
            raise ValueError(f"no stage object for {', '.join(missing)}")

    @property
    def order(self) -> list[str]:
        return [s.name for s in self.table]

    def info(self, name: str) -> StageInfo:
        return next(s for s in self.table if s.name == name)

    def stage(self, name: str) -> Stage[Any]:
        return self.stages[name]

    def deps(self, task: Task, languages: list[str]) -> list[Task]:
        """The tasks whose outputs this task reads: the same video (and language); a
        per-video stage that reads a per-language one reads every language."""
        found = []
        for need in self.info(task.stage).needs:
            if not self.info(need).per_lang:
                found.append(Task(need, task.video))
            elif task.lang:
                found.append(Task(need, task.video, task.lang))
            else:
                found.extend(Task(need, task.video, lang) for lang in languages)
        return found

    def blocked(self, task: Task, failed: set[Task], languages: list[str]) -> bool:
        """The skip-after-failure rule of every executor: a task whose input task failed (or
        was skipped itself) is skipped."""
        return any(d in failed for d in self.deps(task, languages))


def default_registry(sample_seconds: float | None = None) -> Registry:
    """The pipeline's stages; `sample_seconds` for a `run --sample` (the excerpt rendered, and
    narrated: only its lines are synthesized)."""
    from pipeline.stages.captions import Captions
    from pipeline.stages.extract import Extract
    from pipeline.stages.hear import Hear
    from pipeline.stages.listen import Listen
    from pipeline.stages.master import Master
    from pipeline.stages.narrate import Narrate
    from pipeline.stages.render import Render, Sample
    from pipeline.stages.scan import Scan
    from pipeline.stages.transcribe import Transcribe
    from pipeline.stages.translate import Translate

    stages: list[Stage[Any]] = [Extract(), Listen(), Scan(), Transcribe(), Translate(), Narrate(sample_seconds),
                                Captions(), Render(), Sample(sample_seconds or 10.0), Hear(), Master()]
    return Registry(TABLE, {s.name: s for s in stages})
