"""The (video, lang, stage) task graph and each task's freshness."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.cache import TaskState, canonical_hash, read_json
from pipeline.errors import MediaError, PipelineError
from pipeline.stages import Stage, all_stages
from pipeline.workspace import Task, Workspace

STAGES: dict[str, Stage] = {s.name: s for s in all_stages()}
ORDER = ["extract", "transcribe", "translate", "narrate", "render"]  # "sample" replaces render


def plan(ws: Workspace, videos: list[str], langs: list[str], only: list[str] | None = None,
         sample: bool = False) -> list[Task]:
    """Tasks in stage-major order (every extract, then every transcribe, ...): each model is
    loaded once per run and memory stays flat."""
    tasks = []
    order = [("sample" if sample and n == "render" else n) for n in ORDER]
    for name in order:
        if only and name not in only and not (name == "sample" and "render" in only):
            continue
        stage = STAGES[name]
        for video in videos:
            if stage.per_lang:
                tasks.extend(Task(name, video, lang) for lang in langs)
            else:
                tasks.append(Task(name, video))
    # the master carries every language: planned when all of them are in this run
    if (ws.config.render.master and not sample and (not only or "master" in only)
            and set(ws.config.languages) <= set(langs)):
        tasks.extend(Task("master", video) for video in videos)
    return tasks


def state_path(ws: Workspace, task: Task) -> Path:
    suffix = f".{task.lang}" if task.lang else ""
    return ws.state_dir(task.video) / f"{task.stage}{suffix}.json"


def failed_path(ws: Workspace, task: Task) -> Path:
    return state_path(ws, task).with_suffix(".failed.json")


def fingerprint(ws: Workspace, task: Task) -> str:
    """Hash of what determines the task's result; raises when an input is missing."""
    stage = STAGES[task.stage]
    inputs = {name: _content_hash(ws, path) for name, path in sorted(stage.inputs(ws, task).items())}
    return canonical_hash({"stage": stage.name, "version": stage.version,
                           "params": stage.params(ws, task), "inputs": inputs})


def _content_hash(ws: Workspace, path: Path) -> str:
    try:
        return ws.hashes.sha256(path)
    except FileNotFoundError:
        raise MediaError(f"{path}: file not found") from None
    except OSError as e:
        raise MediaError(f"{path}: cannot be read ({e.strerror}); check the path and its "
                         "permissions, or remove it from the inputs") from None


@dataclass
class Evaluation:
    status: str  # done | edited | stale | missing | failed
    fingerprint: str | None = None
    edited: list[Path] = field(default_factory=list)
    cause: str = ""


def edited_files(ws: Workspace, task: Task, state: TaskState | None) -> list[Path]:
    """Editable outputs whose content differs from what the stage wrote."""
    found = []
    for path in STAGES[task.stage].editable(ws, task):
        if not path.exists():
            continue
        written = state.outputs.get(ws.rel(path)) if state else None
        if written != ws.hashes.sha256(path):
            found.append(path)
    return found


def evaluate(ws: Workspace, task: Task) -> Evaluation:
    stage = STAGES[task.stage]
    state = TaskState.load(state_path(ws, task))
    failure = read_json(failed_path(ws, task))
    try:
        fp = fingerprint(ws, task)
    except (OSError, PipelineError) as e:
        status = "failed" if failure else ("stale" if state else "missing")
        return Evaluation(status, None, [], failure.get("cause", "") if failure else str(e))
    if failure and (state is None or state.fingerprint != fp):
        return Evaluation("failed", fp, [], failure.get("cause", ""))
    if state is None:
        return Evaluation("missing", fp)
    if state.fingerprint != fp:
        return Evaluation("stale", fp, edited_files(ws, task, state))
    editable = {ws.rel(p) for p in stage.editable(ws, task)}
    for path in stage.outputs(ws, task):
        rel = ws.rel(path)
        if not path.exists():
            return Evaluation("stale", fp, edited_files(ws, task, state), f"{rel} is missing")
        if rel not in editable and ws.hashes.sha256(path) != state.outputs.get(rel):
            return Evaluation("stale", fp, edited_files(ws, task, state), f"{rel} changed")
    edited = edited_files(ws, task, state)
    return Evaluation("edited" if edited else "done", fp, edited)
