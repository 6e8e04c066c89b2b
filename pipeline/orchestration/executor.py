"""Runs the task graph in this process, each unit once its inputs are done, isolating each
item's failure.

The pieces here (a unit of tasks attempted, its outcomes recorded) are what the Dask
executor runs on its workers too, so both follow the same rules.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import threading
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from pipeline.cache import TaskState, utc_stamp, write_json_atomic
from pipeline.engines.pool import EnginePool
from pipeline.errors import EditConflict, PipelineError
from pipeline.orchestration.graph import edited_files, evaluate
from pipeline.orchestration.options import RunOptions
from pipeline.orchestration.progress import Reporter
from pipeline.orchestration.registry import Registry
from pipeline.stages.base import Job, Result, RunContext, Stage
from pipeline.workspace import Task, Workspace


class Done(str, Enum):
    """What happened to a task in this run."""

    RAN = "ran"
    CACHED = "cached"  # fresh: nothing to do
    FAILED = "failed"
    SKIPPED = "skipped"  # a task it reads from failed
    KEPT = "kept"  # --keep-edits: a hand edit became the output, instead of a rerun over it


@dataclass
class Outcome:
    task: Task
    status: Done
    seconds: float = 0.0
    cause: str = ""
    warnings: list[str] = field(default_factory=list)
    note: str = ""  # what a task that ran says about its work


def backup_edit(path: Path) -> Path:
    """Keep a hand edit as <name>.edited-<UTC timestamp><suffix> before --force replaces it."""
    target = path.with_name(f"{path.stem}.edited-{utc_stamp()}{path.suffix}")
    shutil.copy2(path, target)
    return target


def run_unit(ws: Workspace, registry: Registry, tasks: list[Task], pool: EnginePool,
             options: RunOptions) -> list[Outcome]:
    """Tasks of one stage and one video. The pending ones go to the stage together (render
    makes every language from one decode); each keeps its own state, failure and outcome."""
    stage = registry.stage(tasks[0].stage)
    force, keep_edits = options.force, options.keep_edits
    start = time.perf_counter()
    outcomes: dict[Task, Outcome] = {}
    pending: dict[Task, tuple[Job[Any], str]] = {}
    for task in tasks:
        ev = evaluate(ws, registry, task)
        if ev.status.fresh and not force:
            outcomes[task] = Outcome(task, Done.CACHED)
            continue
        try:
            if ev.job is None or ev.fingerprint is None:
                raise PipelineError(ev.cause or "inputs are missing")
            edits = edited_files(ws, registry, task, TaskState.load(ws.paths.state(task)))
            if edits and keep_edits and not force:
                keep(ws, registry, ev.job, ev.fingerprint, edits)
                outcomes[task] = Outcome(task, Done.KEPT)
                continue
            _protect_edits(task, edits, force)
            pending[task] = (ev.job, ev.fingerprint)
        except Exception as e:
            outcomes[task] = _failed(ws, task, e, start)
    if pending:
        ctx = RunContext(ws.paths, pool, force=force,
                         threads=ws.config.executor.threads or os.cpu_count() or 1)
        for task in pending:
            write_json_atomic(ws.paths.running(task), {"at": utc_stamp()})
        results = stage.run_many(ctx, [job for job, _ in pending.values()])
        share = (time.perf_counter() - start) / len(pending)
        for (task, (job, fp)), result in zip(pending.items(), results):
            if isinstance(result, BaseException):
                outcomes[task] = _failed(ws, task, result, start)
                continue
            try:
                record(ws, registry, job, fp, result)
            except Exception as e:
                outcomes[task] = _failed(ws, task, e, start)
                continue
            outcomes[task] = Outcome(task, Done.RAN, share, warnings=result.warnings,
                                    note=result.note)
    return [outcomes[t] for t in tasks]


def record(ws: Workspace, registry: Registry, job: Job[Any], fingerprint: str,
           result: Result) -> None:
    """The task's state, written last: what it wrote (hashes) under what fingerprint, and its
    detail beside it (tagged with the fingerprint). A hand-edited output recorded here is the
    task's output from now on (the new baseline)."""
    stage, task = registry.stage(job.task.stage), job.task
    written = {ws.paths.rel(p): ws.hashes.sha256(p)
               for p in stage.outputs(ws.paths, task, job.params) if p.exists()}
    editable = [ws.paths.rel(p) for p in stage.editable(ws.paths, task)]
    if result.detail is not None:
        write_json_atomic(ws.paths.detail(task), {"fingerprint": fingerprint,
                                                  **result.detail.to_dict()})
    else:
        ws.paths.detail(task).unlink(missing_ok=True)
    TaskState(fingerprint, written, editable, utc_stamp(), result.extra).save(ws.paths.state(task))
    ws.paths.failure(task).unlink(missing_ok=True)
    ws.paths.running(task).unlink(missing_ok=True)


def keep(ws: Workspace, registry: Registry, job: Job[Any], fingerprint: str,
         edits: list[Path]) -> None:
    """Hand edits become the task's output as they are, under its current fingerprint."""
    result = registry.stage(job.task.stage).kept(ws.paths, job)
    result.extra["kept_edits"] = [ws.paths.rel(p) for p in edits]
    record(ws, registry, job, fingerprint, result)


def _protect_edits(task: Task, edits: list[Path], force: bool) -> None:
    """Hand edits the task would replace are refused, or kept aside under --force."""
    for path in edits:
        if not force:
            raise EditConflict(
                f"{path} was edited by hand and {task.stage} would replace it because its "
                f"inputs changed; run with --keep-edits to keep the edit as it is, or with "
                f"--force to save a copy as {path.stem}.edited-<time>{path.suffix} and "
                "regenerate")
        backup_edit(path)


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
        write_json_atomic(ws.paths.failure(task), record)
        ws.paths.running(task).unlink(missing_ok=True)  # it ended: a later edit is an edit
    except OSError:
        pass  # a full disk: the summary still names the cause
    return Outcome(task, Done.FAILED, time.perf_counter() - start, cause)


def attempt(ws: Workspace, registry: Registry, unit: list[Task], pool: EnginePool,
            options: RunOptions, failed: set[Task]) -> list[Outcome]:
    """A unit as any executor runs it: skipped after a failed dependency (`failed`: the tasks
    that failed or were skipped so far), refused when --only asks for a stage whose inputs
    are not done, otherwise run."""
    outcomes: dict[Task, Outcome] = {}
    runnable = []
    for task in unit:
        if registry.blocked(task, failed, ws.config.languages):
            outcomes[task] = Outcome(task, Done.SKIPPED, cause="an earlier stage of this item failed")
        elif options.only and (unmet := _unmet_deps(ws, registry, task)):
            outcomes[task] = Outcome(task, Done.FAILED,
                                     cause=f"run {unmet} first (--only {task.stage} needs it done)")
        else:
            runnable.append(task)
    if runnable:
        outcomes.update((o.task, o) for o in run_unit(ws, registry, runnable, pool, options))
    return [outcomes[t] for t in unit]


def _unmet_deps(ws: Workspace, registry: Registry, task: Task) -> str:
    for dep in registry.deps(task, ws.config.languages):
        if not evaluate(ws, registry, dep).status.fresh:
            return f"{dep.stage} for {dep.label}"
    return ""


def units(registry: Registry, tasks: list[Task]) -> list[list[Task]]:
    """Tasks in the groups that run together, in plan order: a stage that shares work across
    languages (render) gets one group per video, every other task runs alone."""
    groups: dict[tuple[str, str] | Task, list[Task]] = {}
    for task in tasks:
        key = (task.stage, task.video) if registry.stage(task.stage).shared_per_video else task
        groups.setdefault(key, []).append(task)
    return list(groups.values())


def unit_label(unit: list[Task]) -> str:
    if len(unit) == 1:
        return unit[0].label
    return f"{unit[0].video}/{','.join(t.lang or '' for t in unit)}"


def report(reporter: Reporter, out: Outcome) -> None:
    for w in out.warnings:
        reporter.warn(f"{out.task.stage} {out.task.label}: {w}")
    reporter.task_done(out.task.stage, out.task.label, out.status.value, out.seconds,
                      out.cause or out.note)


def slots(threads: int) -> int:
    """Units run side by side in this process: two fill each other's idle time (a render's
    encoders while a version is heard back, hearing while the sound is mixed), more only on
    machines with cores to spare (a unit keeps about two busy itself)."""
    return max(min(threads, 2), threads // 2)


def execute(ws: Workspace, registry: Registry, tasks: list[Task], reporter: Reporter,
            options: RunOptions = RunOptions(), pool: EnginePool | None = None) -> list[Outcome]:
    """In this process: a unit starts as soon as the units it reads from are done (a
    version's render while another is still heard back), at most `slots` at once, the
    earliest in plan order first; each model is loaded once (the engine pool), and the
    models the plan will need are loaded ahead on a spare thread (`Stage.warm`)."""
    pool = pool or EnginePool()
    plan_units = units(registry, tasks)
    for name in registry.order:
        count = sum(1 for t in tasks if t.stage == name)
        if count:
            reporter.stage(name, count)
    owner = {t: i for i, unit in enumerate(plan_units) for t in unit}
    langs = ws.config.languages
    needs = [{owner[d] for t in unit for d in registry.deps(t, langs) if d in owner} - {i}
             for i, unit in enumerate(plan_units)]
    threads = ws.config.executor.threads or os.cpu_count() or 1
    warming = warm_ahead(ws, registry, tasks, pool, threads, options)
    outcomes: dict[Task, Outcome] = {}
    failed: set[Task] = set()
    waiting = list(range(len(plan_units)))
    done: set[int] = set()
    try:
        with ThreadPoolExecutor(slots(threads), thread_name_prefix="unit") as workers:
            running: dict[Future[list[Outcome]], int] = {}
            while waiting or running:
                for i in [i for i in waiting if needs[i] <= done][: slots(threads) - len(running)]:
                    waiting.remove(i)
                    reporter.task_started(unit_label(plan_units[i]), plan_units[i][0].stage)
                    running[workers.submit(attempt, ws, registry, plan_units[i], pool, options,
                                           set(failed))] = i
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    done.add(running.pop(future))
                    for out in future.result():
                        if out.status in (Done.FAILED, Done.SKIPPED):
                            failed.add(out.task)
                        report(reporter, out)
                        outcomes[out.task] = out
                ws.hashes.save()
    finally:
        warming.stop()
    return [outcomes[t] for t in tasks]


class Warming:
    """The background loading of the engines a run's pending tasks will need."""

    def __init__(self, thread: threading.Thread | None = None) -> None:
        self.thread = thread
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join()


def warm_ahead(ws: Workspace, registry: Registry, tasks: list[Task], pool: EnginePool,
               threads: int, options: RunOptions) -> Warming:
    """Load, on a thread of its own and in plan order, the engines of the tasks this run will
    run (`Stage.warm`: the narrator's voice, the hearing model), so that a unit finds its
    model loaded instead of loading it on its critical path (an editor's one-line rerun
    loads Kokoro and Whisper base; a cold run loads them while the source is transcribed).
    Best effort: a task whose parameters cannot be known yet is passed over."""
    warming = Warming()
    if threads < 2:
        return warming
    ctx = RunContext(ws.paths, pool, force=options.force, threads=threads)

    def load() -> None:
        langs = ws.config.languages
        stale: set[Task] = set()  # tasks that will run: not fresh, or reading one that will
        for task in tasks:
            if warming.stopping.is_set():
                return
            stage = registry.stage(task.stage)
            try:
                if options.force or any(d in stale for d in registry.deps(task, langs)):
                    stale.add(task)  # its inputs change before it runs (an edit's hearing)
                    ev = None
                else:
                    ev = evaluate(ws, registry, task)
                    if ev.status.fresh:
                        continue
                    stale.add(task)
                if type(stage).warm is not Stage.warm:
                    # before its inputs exist (a cold run) the parameters alone name the engine
                    stage.warm(ctx, task, ev.job.params if ev and ev.job else stage.params(ws, task))
            except Exception:  # the task itself will meet and report what failed here
                continue

    warming.thread = threading.Thread(target=load, name="warm", daemon=True)
    warming.thread.start()
    return warming


def outcomes_json(outcomes: list[Outcome]) -> str:
    return json.dumps([{"stage": o.task.stage, "video": o.task.video, "lang": o.task.lang,
                        "status": o.status.value, "seconds": round(o.seconds, 3), "cause": o.cause}
                       for o in outcomes], indent=2)
