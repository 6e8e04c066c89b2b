"""Runs the task graph in this process, stage-major, isolating each item's failure."""

from __future__ import annotations

import errno
import json
import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.cache import TaskState, utc_stamp, write_json_atomic
from pipeline.engines import asr, mt, tts
from pipeline.errors import EditConflict, PipelineError
from pipeline.graph import STAGES, evaluate, failed_path, state_path
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
    stage = STAGES[task.stage]
    start = time.perf_counter()
    ev = evaluate(ws, task)
    if ev.status in ("done", "edited") and not force:
        return Outcome(task, "cached")
    try:
        if ev.fingerprint is None:
            raise PipelineError(ev.cause or "inputs are missing")
        state = TaskState.load(state_path(ws, task))
        from pipeline.graph import edited_files

        for path in edited_files(ws, task, state):
            if not force:
                raise EditConflict(
                    f"{path} was edited by hand and {task.stage} would replace it because its "
                    f"inputs changed; keep it (do nothing), or rerun with --force to save a copy "
                    f"as {path.stem}.edited-<time>{path.suffix} and regenerate")
            backup_edit(path)
        result = stage.run(ws, task, engines)
        outputs = {ws.rel(p): ws.hashes.sha256(p) for p in stage.outputs(ws, task) if p.exists()}
        TaskState(ev.fingerprint, outputs, [ws.rel(p) for p in stage.editable(ws, task)],
                  utc_stamp(), result.extra).save(state_path(ws, task))
    except PipelineError as e:
        return _failed(ws, task, str(e), start)
    except OSError as e:
        if e.errno == errno.ENOSPC:
            return _failed(ws, task, f"no space left on the device of {ws.out} while writing "
                           f"{task.stage} outputs; free some space and run again", start)
        cause = f"cannot read or write a file in {task.stage}: {e}"
        return _failed(ws, task, cause, start, traceback.format_exc())
    except Exception as e:  # an engine crash must not stop the batch
        cause = f"internal error in {task.stage}: {type(e).__name__}: {e}"
        return _failed(ws, task, cause, start, traceback.format_exc())
    failed_path(ws, task).unlink(missing_ok=True)
    return Outcome(task, "ran", time.perf_counter() - start, warnings=result.warnings)


def _failed(ws: Workspace, task: Task, cause: str, start: float, trace: str = "") -> Outcome:
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


def attempt(ws: Workspace, task: Task, engines: Engines, force: bool, only: list[str] | None,
            blocked: bool) -> Outcome:
    """One task as any executor runs it: skipped after a failed dependency, refused when
    --only asks for a stage whose inputs are not done, otherwise run_task."""
    if blocked:
        return Outcome(task, "skipped", cause="an earlier stage of this item failed")
    if only and (unmet := _unmet_deps(ws, task)):
        return Outcome(task, "failed", cause=f"run {unmet} first (--only {task.stage} needs it done)")
    return run_task(ws, task, engines, force)


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
        for task in batch:
            reporter.task_started(task.label)
            out = attempt(ws, task, engines, force, only, _blocked_by(task, failed))
            if out.status in ("failed", "skipped"):
                failed.add((task.video, task.lang))
            report(reporter, out)
            outcomes.append(out)
        ws.hashes.save()
    return outcomes


def _unmet_deps(ws: Workspace, task: Task) -> str:
    for dep in STAGES[task.stage].deps(ws, task):
        if evaluate(ws, dep).status not in ("done", "edited"):
            return f"{dep.stage} for {dep.label}"
    return ""


def outcomes_json(outcomes: list[Outcome]) -> str:
    return json.dumps([{"stage": o.task.stage, "video": o.task.video, "lang": o.task.lang,
                        "status": o.status, "seconds": round(o.seconds, 3), "cause": o.cause}
                       for o in outcomes], indent=2)
