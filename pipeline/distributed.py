"""Runs the task graph on Dask: a LocalCluster for `--jobs N`, or a scheduler's workers for
`--scheduler tcp://HOST:8786` (every worker must see the project and output folders).

Each (stage, video, lang) task becomes one Dask task whose dependencies are the tasks it
reads from. Workers keep their loaded models between tasks (one Engines per worker
process). Stages are idempotent, so Dask re-running a task after a worker loss is safe.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pipeline.executor import Engines, Outcome, attempt, report, units
from pipeline.graph import STAGES, evaluate
from pipeline.progress import Reporter
from pipeline.workspace import Task, Workspace

_WORKER: dict[str, Any] = {}  # per worker process: its Engines and Workspace


def _worker_workspace(config_path: str, sample_seconds: float) -> Workspace:
    from pipeline.config import load_config

    key = (config_path, os.stat(config_path).st_mtime_ns, sample_seconds)
    if _WORKER.get("ws_key") != key:
        ws = Workspace(load_config(Path(config_path)))
        ws.sample_seconds = sample_seconds
        _WORKER.update(ws_key=key, ws=ws)
    return _WORKER["ws"]


def remote_unit(config_path: str, unit: list[Task], force: bool, only: list[str] | None,
                sample_seconds: float, *deps: list[Outcome]) -> list[Outcome]:
    """What a Dask worker runs for one unit (a task, or a video's renders that share a decode)."""
    ws = _worker_workspace(config_path, sample_seconds)
    engines = _WORKER.setdefault("engines", Engines())
    failed = {o.task for outs in deps for o in outs if o.status in ("failed", "skipped")}

    def blocked(task: Task) -> bool:
        return any(d in failed for d in STAGES[task.stage].deps(ws, task))

    outs = attempt(ws, unit, engines, force, only, blocked)
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


def execute_dask(ws: Workspace, config_path: Path, tasks: list[Task], reporter: Reporter,
                 force: bool, only: list[str] | None, jobs: int | None,
                 scheduler: str | None) -> list[Outcome]:
    if not force and all(evaluate(ws, t).status in ("done", "edited") for t in tasks):
        return [Outcome(t, "cached") for t in tasks]  # nothing to do: no cluster to start
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="20s")
    else:
        cluster = LocalCluster(n_workers=jobs or default_jobs(), threads_per_worker=1,
                               processes=True, dashboard_address=None, host="127.0.0.1")
        client = Client(cluster)
    try:
        for name in STAGES:
            count = sum(1 for t in tasks if t.stage == name)
            if count:
                reporter.stage(name, count)
        planned = set(tasks)
        futures: dict[Task, Any] = {}
        submitted = []
        for unit in units(tasks):  # plan order: every dependency is submitted before its dependents
            deps = {futures[d].key: futures[d] for t in unit for d in STAGES[t.stage].deps(ws, t)
                    if d in planned}
            gpu = unit[0].stage in ws.config.executor.gpu_stages and scheduler
            future = client.submit(remote_unit, str(config_path.resolve()), unit, force,
                                   only, ws.sample_seconds, *deps.values(), pure=False,
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
