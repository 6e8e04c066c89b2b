"""The (stage, video, lang) tasks of a run, and each task's freshness.

A task is fresh when the fingerprint of its job (stage, version, parameters, content hashes
of its inputs) equals the one recorded when it last succeeded and every output it wrote is
still there with the same hash; an editable output whose hash differs was edited by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from pipeline.cache import TaskState, canonical_hash, read_json
from pipeline.config import Config
from pipeline.errors import MediaError, PipelineError
from pipeline.orchestration.registry import Registry
from pipeline.stages.base import Job
from pipeline.workspace import Task, Workspace


class Status(str, Enum):
    DONE = "done"  # fresh
    EDITED = "edited"  # fresh, and an editor changed one of its outputs (kept)
    STALE = "stale"  # ran before, but its inputs or parameters changed, or an output is gone
    MISSING = "missing"  # never ran (or cannot be described yet: an input is missing)
    FAILED = "failed"  # its last run failed, and nothing changed since

    @property
    def fresh(self) -> bool:
        return self in (Status.DONE, Status.EDITED)


def plan(registry: Registry, config: Config, videos: list[str], langs: list[str],
         only: list[str] | None = None, sample: bool = False) -> list[Task]:
    """Tasks in stage-major order (every extract, then every transcribe, ...): each model is
    loaded once per run and memory stays flat. A per-video stage that reads every language
    (the master) is planned when all of them are in this run."""
    tasks: list[Task] = []
    for info in registry.table:
        if info.runs_in == ("full" if sample else "sample"):
            continue
        if only and info.name not in only and info.stands_for not in only:
            continue
        if not registry.stage(info.name).wanted(config):
            continue
        for video in videos:
            if info.per_lang:
                tasks.extend(Task(info.name, video, lang) for lang in langs)
            elif any(registry.info(n).per_lang for n in info.needs):
                if set(config.languages) <= set(langs):
                    tasks.append(Task(info.name, video))
            else:
                tasks.append(Task(info.name, video))
    return tasks


def describe(ws: Workspace, registry: Registry, task: Task) -> tuple[Job[Any], str]:
    """The task's job and its fingerprint; PipelineError when it cannot be described yet
    (an input is missing, no engine for it)."""
    stage = registry.stage(task.stage)
    params = stage.params(ws, task)
    inputs = stage.inputs(ws, task, params)
    digests = {name: _content_hash(ws, path) for name, path in sorted(inputs.items())}
    fingerprint = canonical_hash({"stage": stage.name, "version": stage.version,
                                  "params": params, "inputs": digests})
    return Job(task, params, inputs, digests), fingerprint


def _content_hash(ws: Workspace, path: Path) -> str:
    try:
        return ws.hashes.sha256(path)
    except FileNotFoundError:
        raise MediaError(f"{path}: file not found") from None
    except OSError as e:
        raise MediaError(f"{path}: cannot be read ({e.strerror}); check the path and its "
                         "permissions, or remove it from the inputs") from None


@dataclass(frozen=True)
class Evaluation:
    status: Status
    job: Job[Any] | None = None
    fingerprint: str | None = None
    cause: str = ""


def edited_files(ws: Workspace, registry: Registry, task: Task,
                 state: TaskState | None) -> list[Path]:
    """Editable outputs whose content differs from what the stage wrote (none while the
    task's `running` mark is there: a run killed between its outputs and its state left
    them, the pipeline's own work; the task runs again and records them)."""
    if ws.paths.running(task).exists():
        return []
    found = []
    for path in registry.stage(task.stage).editable(ws.paths, task):
        if not path.exists():
            continue
        written = state.outputs.get(ws.paths.rel(path)) if state else None
        if written != ws.hashes.sha256(path):
            found.append(path)
    return found


def evaluate(ws: Workspace, registry: Registry, task: Task) -> Evaluation:
    stage = registry.stage(task.stage)
    state = TaskState.load(ws.paths.state(task))
    failure = read_json(ws.paths.failure(task))
    try:
        job, fp = describe(ws, registry, task)
    except (OSError, PipelineError) as e:
        status = Status.FAILED if failure else (Status.STALE if state else Status.MISSING)
        return Evaluation(status, None, None, failure.get("cause", "") if failure else str(e))
    if failure and (state is None or state.fingerprint != fp):
        return Evaluation(Status.FAILED, job, fp, failure.get("cause", ""))
    if state is None:
        return Evaluation(Status.MISSING, job, fp)
    if state.fingerprint != fp:
        return Evaluation(Status.STALE, job, fp)
    editable = {ws.paths.rel(p) for p in stage.editable(ws.paths, task)}
    for path in stage.outputs(ws.paths, task, job.params):
        rel = ws.paths.rel(path)
        if not path.exists():
            return Evaluation(Status.STALE, job, fp, f"{rel} is missing")
        if rel not in editable and ws.hashes.sha256(path) != state.outputs.get(rel):
            return Evaluation(Status.STALE, job, fp, f"{rel} changed")
    for path, record in stage.records(ws.paths, task, job.params).items():
        if ws.read_record(path, record) is None:
            return Evaluation(Status.STALE, job, fp, f"{ws.paths.rel(path)} is not a valid "
                              f"{getattr(record, '__name__', 'record')}: {task.stage} makes it again")
    edited = edited_files(ws, registry, task, state)
    return Evaluation(Status.EDITED if edited else Status.DONE, job, fp)
