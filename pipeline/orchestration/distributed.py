"""Runs the task graph on Dask: a LocalCluster for `--jobs N`, or a scheduler's workers for
`--scheduler tcp://HOST:8786` (every worker must see the project and output folders).

Each unit (a task, or the render tasks of one video) becomes one Dask task whose
dependencies are the units it reads from. Each worker keeps one engine pool (loaded models)
and one workspace per config between tasks, on the worker object. Stages are idempotent, so
Dask re-running a task after a worker loss is safe.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pipeline.engines.pool import EnginePool
from pipeline.orchestration.executor import Done, Outcome, attempt, report, units
from pipeline.orchestration.graph import evaluate
from pipeline.orchestration.options import RunOptions
from pipeline.orchestration.progress import Reporter
from pipeline.orchestration.registry import Registry
from pipeline.workspace import Task, Workspace


def _worker_state() -> dict[str, Any]:
    """What this worker process keeps between tasks (its pool, its workspace)."""
    from dask.distributed import get_worker

    worker = get_worker()
    state: dict[str, Any] | None = getattr(worker, "_springs_pipeline", None)
    if state is None:
        state = {}
        worker._springs_pipeline = state  # type: ignore[attr-defined]
    return state


def remote_unit(config_path: str, registry: Registry, unit: list[Task], options: RunOptions,
                *deps: list[Outcome]) -> list[Outcome]:
    """What a Dask worker runs for one unit, after the units it reads from."""
    from pipeline.config import load_config

    state = _worker_state()
    key = (config_path, os.stat(config_path).st_mtime_ns)
    if state.get("ws_key") != key:
        state.update(ws_key=key, ws=Workspace(load_config(Path(config_path))))
    ws: Workspace = state["ws"]
    pool: EnginePool = state.setdefault("pool", EnginePool())
    failed = {o.task for outs in deps for o in outs if o.status in (Done.FAILED, Done.SKIPPED)}
    outs = attempt(ws, registry, unit, pool, options, failed)
    ws.hashes.save()
    return outs


CORES_PER_WORKER = 2


def default_jobs() -> int:
    """What this machine can hold: a worker per CORES_PER_WORKER cores, about 2 GB of models
    each. A video's render keeps two cores busy by itself (an encoder per version from one
    decode, the sound beside them): on 2 cores, 8 clips x 3 languages took 64.2 s in one
    process and 68.3 s with two workers (bench/batch_bench.py)."""
    try:
        mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem_gb = 4.0
    return max(1, min((os.cpu_count() or 1) // CORES_PER_WORKER, int((mem_gb - 2) // 2)))


def execute_dask(ws: Workspace, registry: Registry, config_path: Path, tasks: list[Task],
                 reporter: Reporter, options: RunOptions) -> list[Outcome]:
    """On a scheduler's workers (`options.scheduler`), else on `options.jobs` local ones."""
    scheduler = options.scheduler
    if not options.force and all(evaluate(ws, registry, t).status.fresh for t in tasks):
        return [Outcome(t, Done.CACHED) for t in tasks]  # nothing to do: no cluster to start
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="20s")
    else:
        cluster = LocalCluster(n_workers=options.jobs or default_jobs(), threads_per_worker=1,
                               processes=True, dashboard_address=None, host="127.0.0.1")
        client = Client(cluster)
    try:
        for name in registry.order:
            count = sum(1 for t in tasks if t.stage == name)
            if count:
                reporter.stage(name, count)
        planned = set(tasks)
        futures: dict[Task, Any] = {}
        submitted = []
        langs = ws.config.languages
        for unit in units(registry, tasks):  # plan order: dependencies are submitted first
            deps = {futures[d].key: futures[d] for t in unit for d in registry.deps(t, langs)
                    if d in planned}
            gpu = unit[0].stage in ws.config.executor.gpu_stages and scheduler
            future = client.submit(remote_unit, str(config_path.resolve()), registry, unit, options,
                                   *deps.values(), pure=False,
                                   key=f"{unit[0].key}-{os.urandom(4).hex()}",
                                   resources={"GPU": 1} if gpu else None)
            futures.update((t, future) for t in unit)
            submitted.append(future)
        outcomes = []
        for future in as_completed(submitted):
            for out in future.result():
                report(reporter, out)
                outcomes.append(out)
        order = {t: i for i, t in enumerate(tasks)}
        return sorted(outcomes, key=lambda o: order[o.task])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
