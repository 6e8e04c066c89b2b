"""The runner (plan, freshness, both executors) over small text stages: cache hits and
misses, hand edits kept, refused or backed up, failures skipping what reads from them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from pipeline.config import load_config
from pipeline.orchestration.executor import Done, Outcome, execute
from pipeline.orchestration.graph import Status, evaluate, plan
from pipeline.orchestration.options import RunOptions
from pipeline.orchestration.progress import Reporter
from pipeline.workspace import Task, Workspace
from tests import fake_stages

Key = tuple[str, str, "str | None"]


def _project(tmp_path: Path, host: str = "H", langs: tuple[str, ...] = ("en", "pt")) -> Path:
    media = tmp_path / "media"
    media.mkdir(exist_ok=True)
    for name, text in (("one", "hello"), ("two", "world")):
        if not (media / f"{name}.mp4").exists():
            (media / f"{name}.mp4").write_text(text, encoding="utf-8")
    config = tmp_path / "pipeline.yaml"
    config.write_text(yaml.safe_dump({"inputs": ["media/*.mp4"], "output_dir": "out",
                                      "languages": list(langs), "narration": {"host": host}}))
    return config


def _run(config: Path, force: bool = False, only: list[str] | None = None,
         dask: bool = False, keep_edits: bool = False) -> dict[Key, Outcome]:
    ws = Workspace(load_config(config))
    registry = fake_stages.registry()
    videos, langs = [v.name for v in ws.videos], ws.config.languages
    tasks = plan(registry, ws.config, videos, langs, only)
    reporter = Reporter(io.StringIO())
    options = RunOptions(only=tuple(only or ()), force=force, keep_edits=keep_edits,
                         jobs=2 if dask else None)
    if dask:
        from pipeline.orchestration.distributed import execute_dask

        outcomes = execute_dask(ws, registry, config, tasks, reporter, options)
    else:
        outcomes = execute(ws, registry, tasks, reporter, options)
    return {(o.task.stage, o.task.video, o.task.lang): o for o in outcomes}


def _ran(config: Path) -> list[str]:
    """The tasks that really ran since the last call (the stages log each run)."""
    log = config.parent / "out" / "runs.log"
    lines = sorted(log.read_text().split()) if log.exists() else []
    log.unlink(missing_ok=True)
    return lines


def _status(config: Path, task: Task) -> Status:
    return evaluate(Workspace(load_config(config)), fake_stages.registry(), task).status


def test_the_first_run_runs_everything_and_the_second_is_all_cache_hits(tmp_path: Path) -> None:
    config = _project(tmp_path)
    first = _run(config)
    assert {o.status for o in first.values()} == {Done.RAN}
    assert len(_ran(config)) == len(first) == 2 + 4 + 4 + 2
    second = _run(config)
    assert {o.status for o in second.values()} == {Done.CACHED}
    assert _ran(config) == []
    assert (tmp_path / "out" / "one" / "bundle.txt").read_text() == "H:HELLO/EN|H:HELLO/PT"


def test_a_change_reruns_what_depends_on_it_and_nothing_else(tmp_path: Path) -> None:
    config = _project(tmp_path)
    _run(config)
    _ran(config)
    (tmp_path / "media" / "two.mp4").write_text("earth", encoding="utf-8")
    _run(config)
    assert _ran(config) == ["bundle:two", "read:two", "shout:two:en", "shout:two:pt",
                            "word:two:en", "word:two:pt"]
    _project(tmp_path, host="Q")  # a parameter of the first stage only
    assert _status(config, Task("read", "one")) == Status.STALE
    assert _status(config, Task("word", "one", "en")) == Status.DONE  # its input has not changed yet
    _run(config)
    assert len(_ran(config)) == 12
    assert (tmp_path / "out" / "two" / "bundle.txt").read_text() == "Q:EARTH/EN|Q:EARTH/PT"


def test_a_hand_edit_is_kept_and_what_reads_it_reruns(tmp_path: Path) -> None:
    config = _project(tmp_path)
    _run(config)
    _ran(config)
    word = tmp_path / "out" / "one" / "pt" / "word.txt"
    word.write_text("olá", encoding="utf-8")
    assert _status(config, Task("word", "one", "pt")) == Status.EDITED
    assert _status(config, Task("shout", "one", "pt")) == Status.STALE
    out = _run(config)
    assert out["word", "one", "pt"].status == Done.CACHED
    assert _ran(config) == ["bundle:one", "shout:one:pt"]
    assert word.read_text(encoding="utf-8") == "olá"
    assert (tmp_path / "out" / "one" / "bundle.txt").read_text() == "H:HELLO/EN|OLÁ"


def test_an_upstream_change_under_a_hand_edit_is_refused_and_the_edit_kept(tmp_path: Path) -> None:
    config = _project(tmp_path)
    _run(config)
    word = tmp_path / "out" / "one" / "pt" / "word.txt"
    word.write_text("olá", encoding="utf-8")
    (tmp_path / "media" / "one.mp4").write_text("hi", encoding="utf-8")
    _ran(config)
    out = _run(config)
    refused = out["word", "one", "pt"]
    assert refused.status == Done.FAILED
    assert str(word) in refused.cause and "--force" in refused.cause
    assert word.read_text(encoding="utf-8") == "olá"
    assert out["shout", "one", "pt"].status == Done.SKIPPED
    assert out["bundle", "one", None].status == Done.SKIPPED
    assert out["shout", "one", "en"].status == Done.RAN  # the other language goes on
    assert _ran(config) == ["read:one", "shout:one:en", "word:one:en"]


def test_force_keeps_the_hand_edit_as_a_dated_copy_and_regenerates(tmp_path: Path) -> None:
    config = _project(tmp_path)
    _run(config)
    word = tmp_path / "out" / "one" / "pt" / "word.txt"
    word.write_text("olá", encoding="utf-8")
    (tmp_path / "media" / "one.mp4").write_text("hi", encoding="utf-8")
    out = _run(config, force=True)
    assert out["word", "one", "pt"].status == Done.RAN
    (backup,) = word.parent.glob("word.edited-*.txt")
    assert backup.read_text(encoding="utf-8") == "olá"
    assert word.read_text(encoding="utf-8") == "H:hi/pt"


def test_keep_edits_makes_the_hand_edit_the_output_and_what_reads_it_goes_on(
        tmp_path: Path) -> None:
    config = _project(tmp_path)
    _run(config)
    word = tmp_path / "out" / "one" / "pt" / "word.txt"
    word.write_text("olá", encoding="utf-8")
    (tmp_path / "media" / "one.mp4").write_text("hi", encoding="utf-8")
    _ran(config)
    out = _run(config, keep_edits=True)
    assert out["word", "one", "pt"].status == Done.KEPT
    assert word.read_text(encoding="utf-8") == "olá"
    assert _ran(config) == ["bundle:one", "read:one", "shout:one:en", "shout:one:pt",
                            "word:one:en"]
    assert (tmp_path / "out" / "one" / "bundle.txt").read_text() == "H:HI/EN|OLÁ"
    assert {o.status for o in _run(config).values()} == {Done.CACHED}  # the next run: done
    assert _status(config, Task("word", "one", "pt")) == Status.DONE  # the new baseline


@pytest.mark.parametrize("dask", [False, True], ids=["in-process", "dask"])
def test_a_failure_skips_every_task_that_reads_from_it(tmp_path: Path, dask: bool) -> None:
    config = _project(tmp_path)
    _run(config)
    (tmp_path / "out" / "two" / "pt" / "word.txt").write_text("FAIL", encoding="utf-8")
    out = _run(config, dask=dask)
    assert out["shout", "two", "pt"].status == Done.FAILED
    assert "says FAIL" in out["shout", "two", "pt"].cause
    assert out["bundle", "two", None].status == Done.SKIPPED  # the master of this video
    assert out["shout", "two", "en"].status == Done.CACHED
    assert out["bundle", "one", None].status == Done.CACHED
    assert _status(config, Task("shout", "two", "pt")) == Status.FAILED


def test_only_refuses_a_stage_whose_inputs_are_not_done(tmp_path: Path) -> None:
    config = _project(tmp_path)
    out = _run(config, only=["shout"])
    assert {o.status for o in out.values()} == {Done.FAILED}
    assert "run word for one/en first" in out["shout", "one", "en"].cause
    assert _ran(config) == []


def test_the_master_like_stage_is_planned_only_with_every_language(tmp_path: Path) -> None:
    registry = fake_stages.registry()
    config = load_config(_project(tmp_path)).config
    tasks = plan(registry, config, ["one"], ["pt"])
    assert [t.stage for t in tasks] == ["read", "word", "shout"]
    assert registry.deps(Task("bundle", "one"), ["en", "pt"]) == [
        Task("shout", "one", "en"), Task("shout", "one", "pt")]


def test_a_run_of_one_version_keeps_the_others_failures_and_completes_the_bundle(
        tmp_path: Path) -> None:
    """What the review desk's rerun of one version asks of the runner: the video's bundle
    (like the master) is made again once every language of it is done, and the manifest
    still lists the failures of the versions this run did not touch."""
    from pipeline import runner

    config = _project(tmp_path)
    registry = fake_stages.registry()
    (tmp_path / "media" / "two.mp4").write_text("FAIL", encoding="utf-8")
    first = runner.run(config, RunOptions(), Reporter(io.StringIO()), registry=registry)
    assert {(f["video"], f["lang"]) for f in first.failures} == {("two", "en"), ("two", "pt")}
    _ran(config)
    (tmp_path / "out" / "one" / "pt" / "word.txt").write_text("olá", encoding="utf-8")
    runner.run(config, RunOptions(videos=("one",), langs=("pt",)), Reporter(io.StringIO()),
               registry=registry)
    assert _ran(config) == ["bundle:one", "shout:one:pt"]
    assert (tmp_path / "out" / "one" / "bundle.txt").read_text() == "H:HELLO/EN|OLÁ"
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert {(f["video"], f["lang"]) for f in manifest["failures"]} == {("two", "en"),
                                                                      ("two", "pt")}
