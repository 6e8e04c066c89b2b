"""Batches: the same outputs from a Dask cluster as from one process."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Project, run_pipeline

pytestmark = pytest.mark.slow


def test_dask_cluster_on_loopback_gives_the_same_outputs(project: Project, tmp_path: Path) -> None:
    distributed = pytest.importorskip("dask.distributed")
    work = project.copy(tmp_path / "copy")
    shutil.rmtree(work.out)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        result = run_pipeline(work.config, "--scheduler", cluster.scheduler_address)
    assert result.code == 1  # the two bad files, as in the local run
    local = {d["path"]: d["sha256"] for d in project.manifest()["deliverables"]}
    remote = {d["path"]: d["sha256"] for d in work.manifest()["deliverables"]}
    assert remote == local
    for rel in ("jinan_tour/pt/subtitles.srt", "jinan_tour/pt/narration.wav",
                "broll_springs/zh/timing.json", "jinan_tour/source/transcript.srt"):
        assert (work.out / rel).read_bytes() == (project.out / rel).read_bytes(), rel
    failed = {(f["video"], f["stage"]) for f in json.loads((work.out / "manifest.json").read_text())["failures"]}
    assert failed == {("truncated_clip", "extract"), ("silent_clip", "extract")}


def _made_files(project: Project) -> dict[str, bytes]:
    """Every file a run made for the user (not the run's own bookkeeping: states, caches,
    the manifest with its times, probe.json with the source's path)."""
    out = project.out
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)
            and p.name not in ("manifest.json", "probe.json")}


def test_units_side_by_side_give_the_bytes_of_a_serial_run(project: Project, tmp_path: Path) -> None:
    """The session's project ran with units side by side (a version's render while another is
    heard back, narration lines two at a time); `executor.threads: 1` runs one thing at a time:
    every file is the same, byte for byte."""
    import yaml

    work = project.copy(tmp_path / "serial")
    shutil.rmtree(work.out)
    config = yaml.safe_load(work.config.read_text(encoding="utf-8"))
    config["executor"]["threads"] = 1
    work.config.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    serial = run_pipeline(work.config)
    assert serial.code == project.first.code
    side_by_side, one_at_a_time = _made_files(project), _made_files(work)
    assert sorted(one_at_a_time) == sorted(side_by_side)
    assert any(name.endswith(".mp4") for name in side_by_side)
    differ = [name for name in side_by_side if side_by_side[name] != one_at_a_time[name]]
    assert differ == []
    assert {d["path"]: d["sha256"] for d in work.manifest()["deliverables"]} == \
        {d["path"]: d["sha256"] for d in project.manifest()["deliverables"]}


def _kill_when(config: Path, ready: Callable[[], bool], timeout: float = 120) -> None:
    """Start `pipeline run`, SIGKILL its whole process group (ffmpeg too) once ready()."""
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", "-c", str(config)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        while not ready():
            assert proc.poll() is None, "the run ended before the moment to kill it"
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_sigkill_mid_transcribe_and_mid_render_then_rerun_completes(project: Project,
                                                                      tmp_path: Path) -> None:
    from tests import mediatools as mt

    work = project.copy(tmp_path / "copy")
    shutil.rmtree(work.out)
    state = work.out / "jinan_tour" / ".state"
    # mid-transcribe: the b-roll's script is read first, then jinan_tour's speech goes to ASR
    broll = work.out / "broll_springs" / ".state"
    _kill_when(work.config, lambda: (broll / "transcribe.json").exists())
    assert (state / "extract.json").exists() and not (state / "transcribe.json").exists()
    # mid-render: an mp4 is being written, jinan_tour transcribed (units run side by side:
    # the b-roll's render may come first)
    _kill_when(work.config, lambda: (state / "transcribe.json").exists()
               and any(work.out.rglob(".*.partial.mp4")))
    assert list(work.out.rglob(".*.partial*")), "the kill should leave a half-written file"
    done_before = {p.name for p in state.glob("*.json") if not p.name.endswith(".failed.json")}
    assert "transcribe.json" in done_before

    rerun = run_pipeline(work.config)
    assert rerun.code == 1, rerun.stderr  # only the two bad files
    failed = {(o["stage"], o["video"]) for o in rerun.outcomes if o["status"] == "failed"}
    assert failed == {("extract", "truncated_clip"), ("extract", "silent_clip")}, rerun.stderr
    cached = {(o["stage"], o["lang"]) for o in rerun.outcomes
              if o["video"] == "jinan_tour" and o["status"] == "cached"}
    assert ("extract", None) in cached and ("transcribe", None) in cached
    assert not list(work.out.rglob(".*.partial*"))
    for d in work.manifest()["deliverables"]:
        path = work.out / d["path"]
        assert abs(mt.duration(path) - d["duration"]) < 0.05
        mt.ffmpeg("-v", "error", "-i", str(path), "-f", "null", "-")  # decodes to the end
    assert {d["path"] for d in work.manifest()["deliverables"]} == \
        {d["path"] for d in project.manifest()["deliverables"]}


def test_a_second_run_on_the_same_outputs_is_refused(project: Project) -> None:
    from filelock import FileLock

    with FileLock(str(project.out / ".pipeline.lock")):
        second = run_pipeline(project.config)
    assert second.code == 2
    assert "another `pipeline run` is using" in second.stderr
