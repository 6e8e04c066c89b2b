"""A run as a library call: lock the outputs folder, plan, execute, check QA, write the
manifest, release the lock. The CLI's `run` and the review desk's rerun of one version both
call `run`: a run narrowed to some versions keeps the other versions' failures in the
manifest and rebuilds a video's master once every language of it is done."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from pipeline.errors import ConfigError
from pipeline.orchestration.executor import Done, Outcome
from pipeline.orchestration.options import RunOptions
from pipeline.orchestration.progress import Reporter
from pipeline.orchestration.registry import Registry, default_registry
from pipeline.workspace import Task, Workspace

# Without --jobs, a run with this many tasks to do gets a local cluster (when the machine
# holds more than one worker); an editor's rerun of a handful stays in this process.
AUTO_POOL_TASKS = 12


class Busy(ConfigError):
    """Another run holds the outputs folder."""


RunRequest = RunOptions  # what a run is asked to do (pipeline/orchestration/options.py)


@dataclass
class RunReport:
    outcomes: list[Outcome]
    failures: list[dict[str, Any]] = field(default_factory=list)
    elapsed: float = 0.0


def select(ws: Workspace, videos: tuple[str, ...], langs: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The videos and languages a run covers (all, unless narrowed); ConfigError for unknowns."""
    for v in videos:
        ws.video(v)
    for lang in langs:
        if lang not in ws.config.languages:
            raise ConfigError(f"--lang {lang!r} is not in languages {ws.config.languages}; add it to "
                              "pipeline.yaml first")
    names = list(videos) or [v.name for v in ws.videos]
    if not names:
        raise ConfigError("inputs: no video files found; " + "; ".join(ws.warnings))
    return names, list(langs) or list(ws.config.languages)


def lock(ws: Workspace, timeout: float = 0) -> FileLock:
    """The outputs folder's run lock, held; Busy when another run holds it."""
    ws.out.mkdir(parents=True, exist_ok=True)
    held = FileLock(str(ws.paths.lock()))
    try:
        held.acquire(timeout=timeout)
    except Timeout:
        raise Busy(f"another `pipeline run` is using {ws.out} (lock {held.lock_file}); "
                   "wait for it to finish") from None
    return held


def retry_command(config_path: Path, video: str, lang: str | None) -> str:
    cmd = f"pipeline run -c {config_path} --video {video}"
    return cmd + (f" --lang {lang}" if lang else "")


def run(config_path: Path, request: RunRequest, reporter: Reporter,
        ws: Workspace | None = None, registry: Registry | None = None) -> RunReport:
    """Run every task the request covers that is not fresh; failures are reported, never
    raised (ConfigError for a bad request, Busy when the folder is locked: nothing ran)."""
    from pipeline.delivery import manifest
    from pipeline.cache import sweep_partials
    from pipeline.config import load_config
    from pipeline.orchestration.graph import plan
    from pipeline.delivery.qa import findings

    if request.jobs is not None and request.jobs < 1:
        raise ConfigError(f"--jobs {request.jobs}: give at least 1")
    if request.sample is not None and not 0 < request.sample <= 600:
        raise ConfigError(f"--sample {request.sample}: give the excerpt length in seconds, 0 to 600")
    ws = ws or Workspace(load_config(config_path))
    registry = registry or default_registry(request.sample)
    videos, langs = select(ws, request.videos, request.langs)
    for w in ws.warnings:
        reporter.warn(w)
    held = lock(ws)
    started = time.perf_counter()
    try:
        swept = sweep_partials(ws.out)
        if swept:
            reporter.warn(f"removed {swept} half-written file(s) left by an interrupted run")
        tasks = plan(registry, ws.config, videos, langs, list(request.only) or None,
                     request.sample is not None)
        outcomes = _execute(ws, registry, config_path, tasks, reporter, request)
        completing = _completing(ws, registry, videos, tasks, request)
        if completing:
            outcomes += _execute(ws, registry, config_path, completing, reporter, request)
        failures = [{"stage": o.task.stage, "video": o.task.video, "lang": o.task.lang,
                     "cause": o.cause, "retry": retry_command(config_path, o.task.video, o.task.lang)}
                    for o in outcomes if o.status == Done.FAILED]
        if request.strict:
            failed_items = {(f["video"], f["lang"]) for f in failures}
            for v in videos:
                for code in langs:
                    qa = findings(ws, v, code)
                    if qa and (v, code) not in failed_items and (v, None) not in failed_items:
                        failures.append({"stage": "qa", "video": v, "lang": code,
                                         "cause": f"{len(qa)} QA finding(s), first: {qa[0]['detail']}",
                                         "retry": retry_command(config_path, v, code)})
        if request.sample is None:
            try:
                manifest.write(ws, registry, _earlier_failures(ws, videos, langs) + failures)
            except OSError as e:
                failures.append({"stage": "manifest", "video": "-", "lang": None,
                                 "cause": f"cannot write {ws.paths.manifest()}: {e}",
                                 "retry": f"pipeline run -c {config_path}"})
    finally:
        reporter.close()
        held.release()
    return RunReport(outcomes, failures, time.perf_counter() - started)


def _completing(ws: Workspace, registry: Registry, videos: list[str], tasks: list[Any],
                request: RunOptions) -> list[Task]:
    """The per-video stages that read every language (the master), which a run narrowed to
    some languages does not plan: they run after it when every language they read is done,
    so an editor's rerun of one version rebuilds its video's master too."""
    from pipeline.orchestration.graph import evaluate, plan

    langs = list(ws.config.languages)
    planned = set(tasks)
    every = plan(registry, ws.config, videos, langs, list(request.only) or None,
                 request.sample is not None)
    return [t for t in every if t not in planned and t.lang is None
            and all(evaluate(ws, registry, d).status.fresh for d in registry.deps(t, langs))]


def _earlier_failures(ws: Workspace, videos: list[str], langs: list[str]) -> list[dict[str, Any]]:
    """The failures the last manifest lists for versions this run did not cover (they still
    stand: nothing ran for them)."""
    from pipeline.cache import read_json

    earlier = read_json(ws.paths.manifest())
    listed = earlier.get("failures") if isinstance(earlier, dict) else None
    return [f for f in listed or [] if isinstance(f, dict) and f.get("video") in ws.by_name
            and f.get("lang") in (None, *ws.config.languages)
            and not (f.get("video") in videos and f.get("lang") in (None, *langs))]


def _execute(ws: Workspace, registry: Registry, config_path: Path, tasks: list[Any],
             reporter: Reporter, request: RunOptions) -> list[Outcome]:
    """The planned tasks, here or on Dask: the options go on with the workers settled."""
    from pipeline.orchestration.executor import execute

    scheduler = request.scheduler or ws.config.executor.scheduler
    workers = request.jobs or ws.config.executor.jobs or _auto_jobs(ws, registry, tasks,
                                                                    request.force)
    options = replace(request, jobs=workers, scheduler=scheduler)
    if scheduler or workers > 1:
        from pipeline.orchestration.distributed import execute_dask

        return execute_dask(ws, registry, config_path, tasks, reporter, options)
    return execute(ws, registry, tasks, reporter, options)


def _auto_jobs(ws: Workspace, registry: Registry, tasks: list[Any], force: bool) -> int:
    """Without --jobs: a worker per what the machine can hold for a real batch; in this
    process for a handful of tasks (an editor's rerun), where starting workers costs more."""
    from pipeline.orchestration.distributed import default_jobs
    from pipeline.orchestration.graph import evaluate

    pending = len(tasks) if force else sum(
        1 for t in tasks if not evaluate(ws, registry, t).status.fresh)
    return default_jobs() if pending >= AUTO_POOL_TASKS else 1
