"""Runs the task graph in this process, stage-major, isolating each item's failure."""

from __future__ import annotations

import errno
import json
import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pipeline.cache import TaskState, utc_stamp, write_json_atomic
from pipeline.engines import asr, mt, tts
from pipeline.errors import EditConflict, PipelineError
from pipeline.graph import STAGES, edited_files, evaluate, failed_path, state_path
from pipeline.progress import Reporter
from pipeline.workspace import Task, Workspace


class Engines:
    """Models loaded once per process and reused by every task that needs them."""

    def __init__(self) -> None:
        self._cache: dict[Any, Any] = {}

    def _get(self, key: Any, make: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def recognizer(self, engine: str, options: asr.AsrOptions) -> asr.Recognizer:
        return self._get(("asr", engine, options), lambda: asr.make_recognizer(engine, options))

    def translator(self, engine: str, src: str, tgt: str) -> mt.MachineTranslator:
        return self._get(("mt", engine, src, tgt), lambda: mt.make_translator(engine, src, tgt))

    def voice(self, spec: str, search: list[Path], rate: float = 1.0) -> tts.Voice:
        return self._get(("tts", spec, rate), lambda: tts.make_voice(spec, search, rate))


@dataclass
class Outcome:
    task: Task
    status: str  # ran | cached | failed | skipped
    seconds: float = 0.0
    cause: str = ""
    warnings: list[str] = field(default_factory=list)


def backup_edit(path: Path) -> Path:
    """Keep a hand edit as <name>.edited-<UTC timestamp><suffix> before --force replaces it."""
    target = path.with_name(f"{path.stem}.edited-{utc_stamp()}{path.suffix}")
    shutil.copy2(path, target)
    return target


def run_task(ws: Workspace, task: Task, engines: Engines, force: bool) -> Outcome:
    """Run one task if it is not fresh; record its state; never raise for a PipelineError."""
    return run_tasks(ws, [task], engines, force)[0]


def run_tasks(ws: Workspace, tasks: list[Task], engines: Engines, force: bool) -> list[Outcome]:
    """Tasks of one stage and one video. The pending ones go to the stage together (render
    makes every language from one decode); each keeps its own state, failure and outcome."""
    stage = STAGES[tasks[0].stage]
    start = time.perf_counter()
    outcomes: dict[Task, Outcome] = {}
    pending: dict[Task, str] = {}
    for task in tasks:
        ev = evaluate(ws, task)
        if ev.status in ("done", "edited") and not force:
            outcomes[task] = Outcome(task, "cached")
            continue
        try:
            pending[task] = _ready(ws, task, ev.fingerprint, ev.cause, force)
        except Exception as e:
            outcomes[task] = _failed(ws, task, e, start)
    if pending:
        results = stage.run_many(ws, list(pending), engines)
        share = (time.perf_counter() - start) / len(pending)
        for (task, fp), result in zip(pending.items(), results):
            if isinstance(result, BaseException):
                outcomes[task] = _failed(ws, task, result, start)
                continue
            try:
                written = {ws.rel(p): ws.hashes.sha256(p) for p in stage.outputs(ws, task)
                           if p.exists()}
                TaskState(fp, written, [ws.rel(p) for p in stage.editable(ws, task)],
                          utc_stamp(), result.extra).save(state_path(ws, task))
            except Exception as e:
                outcomes[task] = _failed(ws, task, e, start)
                continue
            failed_path(ws, task).unlink(missing_ok=True)
            outcomes[task] = Outcome(task, "ran", share, warnings=result.warnings)
    return [outcomes[t] for t in tasks]


def _ready(ws: Workspace, task: Task, fingerprint: str | None, cause: str, force: bool) -> str:
    """The fingerprint to record once the task has run; hand edits it would replace are
    refused, or kept aside under --force."""
    if fingerprint is None:
        raise PipelineError(cause or "inputs are missing")
    for path in edited_files(ws, task, TaskState.load(state_path(ws, task))):
        if not force:
            raise EditConflict(
                f"{path} was edited by hand and {task.stage} would replace it because its "
                f"inputs changed; keep it (do nothing), or rerun with --force to save a copy "
                f"as {path.stem}.edited-<time>{path.suffix} and regenerate")
        backup_edit(path)
    return fingerprint


def _cause(ws: Workspace, stage: str, e: BaseException) -> tuple[str, str]:
    """The one-line cause of a task's failure, and a traceback where it was not expected."""
    trace = "".join(traceback.format_exception(e))
    if isinstance(e, PipelineError):
        return str(e), ""
    if isinstance(e, OSError) and e.errno == errno.ENOSPC:
        return (f"no space left on the device of {ws.out} while writing {stage} outputs; "
                "free some space and run again"), ""
    if isinstance(e, OSError):
        return f"cannot read or write a file in {stage}: {e}", trace
    # an engine crash must not stop the batch
    return f"internal error in {stage}: {type(e).__name__}: {e}", trace


def _failed(ws: Workspace, task: Task, error: BaseException, start: float) -> Outcome:
    cause, trace = _cause(ws, task.stage, error)
    cause = " ".join(cause.split())
    record = {"cause": cause, "at": utc_stamp()}
    if trace:
        record["traceback"] = trace
    try:
        write_json_atomic(failed_path(ws, task), record)
    except OSError:
        pass  # a full disk: the summary still names the cause
    return Outcome(task, "failed", time.perf_counter() - start, cause)


def _blocked_by(task: Task, failed: set[tuple[str, str | None]]) -> bool:
    return (task.video, None) in failed or (task.video, task.lang) in failed


def attempt(ws: Workspace, tasks: list[Task], engines: Engines, force: bool,
            only: list[str] | None, blocked: Callable[[Task], bool]) -> list[Outcome]:
    """Tasks of one stage and video as any executor runs them: skipped after a failed
    dependency, refused when --only asks for a stage whose inputs are not done, otherwise
    run_tasks."""
    outcomes: dict[Task, Outcome] = {}
    runnable = []
    for task in tasks:
        if blocked(task):
            outcomes[task] = Outcome(task, "skipped", cause="an earlier stage of this item failed")
        elif only and (unmet := _unmet_deps(ws, task)):
            outcomes[task] = Outcome(task, "failed",
                                     cause=f"run {unmet} first (--only {task.stage} needs it done)")
        else:
            runnable.append(task)
    if runnable:
        outcomes.update((o.task, o) for o in run_tasks(ws, runnable, engines, force))
    return [outcomes[t] for t in tasks]


def units(tasks: list[Task]) -> list[list[Task]]:
    """Tasks in the groups that run together, in plan order: a stage that shares work across
    languages (render) gets one group per video, every other task runs alone."""
    groups: dict[tuple[str, str] | Task, list[Task]] = {}
    for task in tasks:
        key = (task.stage, task.video) if STAGES[task.stage].shared_per_video else task
        groups.setdefault(key, []).append(task)
    return list(groups.values())


def report(reporter: Reporter, out: Outcome) -> None:
    for w in out.warnings:
        reporter.warn(f"{out.task.stage} {out.task.label}: {w}")
    reporter.task_done(out.task.stage, out.task.label, out.status, out.seconds, out.cause)


def execute(ws: Workspace, tasks: list[Task], reporter: Reporter, force: bool = False,
            only: list[str] | None = None) -> list[Outcome]:
    """In this process, stage-major: each model is loaded once and memory stays flat."""
    engines = Engines()
    outcomes: list[Outcome] = []
    failed: set[tuple[str, str | None]] = set()
    for name in STAGES:
        batch = [t for t in tasks if t.stage == name]
        if not batch:
            continue
        reporter.stage(name, len(batch))
        for unit in units(batch):
            reporter.task_started(unit_label(unit))
            for out in attempt(ws, unit, engines, force, only, lambda t: _blocked_by(t, failed)):
                if out.status in ("failed", "skipped"):
                    failed.add((out.task.video, out.task.lang))
                report(reporter, out)
                outcomes.append(out)
        ws.hashes.save()
    return outcomes


def unit_label(unit: list[Task]) -> str:
    if len(unit) == 1:
        return unit[0].label
    return f"{unit[0].video}/{','.join(t.lang or '' for t in unit)}"


def _unmet_deps(ws: Workspace, task: Task) -> str:
    for dep in STAGES[task.stage].deps(ws, task):
        if evaluate(ws, dep).status not in ("done", "edited"):
            return f"{dep.stage} for {dep.label}"
    return ""


def outcomes_json(outcomes: list[Outcome]) -> str:
    return json.dumps([{"stage": o.task.stage, "video": o.task.video, "lang": o.task.lang,
                        "status": o.status, "seconds": round(o.seconds, 3), "cause": o.cause}
                       for o in outcomes], indent=2)
