"""Batches: the same outputs from a Dask cluster as from one process."""

from __future__ import annotations

import json
import shutil
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
