"""A `pipeline run` on the command line and a rerun from the desk never write the outputs
folder together: the second one is refused with a message, and nothing is corrupted."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests import mediatools as mt
from tests.conftest import Project, run_pipeline
from tests.reviewdesk import Desk, sha256_of

GOOD = ("jinan_tour", "broll_springs")


@pytest.fixture(scope="module")
def work(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Project:
    return project.copy(tmp_path_factory.mktemp("review-concurrency") / "copy")


@pytest.fixture(scope="module")
def desk(work: Project) -> Iterator[Desk]:
    with Desk(work.config) as running:
        yield running


def edit(desk: Desk, work: Project, lang: str, text: str) -> None:
    srt = work.out / "jinan_tour" / lang / "subtitles.srt"
    answer = desk.post(f"/api/v/jinan_tour/{lang}/line",
                       {"which": "target", "number": 1, "text": text, "sha": sha256_of(srt)},
                       desk.csrf())
    assert answer.status == 200, answer.text


def assert_intact(work: Project) -> None:
    """Every good version is a playable deliverable of the source's length, no half-written
    file is left, and a new run finds nothing to do."""
    assert not list(work.out.rglob(".*.partial*"))
    for video in GOOD:
        for lang in ("en", "pt", "zh"):
            mp4 = work.out / video / lang / f"{video}.{lang}.landscape.mp4"
            assert abs(mt.duration(mp4) - mt.duration(work.root / "media" / f"{video}.mp4")) < 0.1
    again = run_pipeline(work.config)
    assert {o["status"] for o in again.outcomes if o["video"] in GOOD} == {"cached"}, again.stderr


def test_cli_run_while_the_desk_reruns(desk: Desk, work: Project) -> None:
    edit(desk, work, "pt", "Bem-vindos a Jinan!")
    job = desk.post("/api/v/jinan_tour/pt/rerun", {}, desk.csrf())
    assert job.status == 202, job.text
    cli = subprocess.run([sys.executable, "-m", "pipeline", "run", "-c", str(work.config),
                          "--video", "jinan_tour", "--lang", "pt"],
                         capture_output=True, text=True, check=False)
    result = desk.wait_job(job.json()["id"])
    if result["state"] == "done":  # the desk took the folder first: the CLI is refused
        assert cli.returncode == 2 and "another `pipeline run` is using" in cli.stderr
        assert "ran narrate jinan_tour/pt, render jinan_tour/pt" in result["message"]
    else:  # the CLI was first: the desk's rerun is refused, the CLI did the work
        assert result["state"] == "refused" and "busy" in result["message"], result
        assert cli.returncode == 0, cli.stderr
    assert_intact(work)


def test_desk_rerun_while_the_cli_runs(desk: Desk, work: Project) -> None:
    edit(desk, work, "zh", "欢迎来到济南")
    cli = subprocess.Popen([sys.executable, "-m", "pipeline", "run", "-c", str(work.config),
                            "--video", "jinan_tour", "--lang", "zh"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not desk.get("/api/status").json()["busy"]:
            assert cli.poll() is None and time.monotonic() < deadline, "the CLI never held the lock"
            time.sleep(0.05)
        refused = desk.post("/api/v/jinan_tour/zh/rerun", {}, desk.csrf())
        assert refused.status == 409 and "busy" in refused.json()["error"]
        save = desk.post("/api/v/jinan_tour/en/line", {"which": "target", "number": 1,
                                                       "text": "x", "sha": "0"}, desk.csrf())
        assert save.status == 409 and "busy" in save.json()["error"]
    finally:
        _, stderr = cli.communicate(timeout=300)
    assert cli.returncode == 0, stderr
    after = desk.post("/api/v/jinan_tour/zh/rerun", {}, desk.csrf())
    assert after.status == 202
    assert desk.wait_job(after.json()["id"])["message"] == "nothing to do: everything was up to date"
    assert_intact(work)
