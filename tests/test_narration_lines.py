"""Kokoro-narrated versions (pt, zh), line by line: an edited line is the only one synthesized again,
a replaced voice file renarrates its language and nothing else, a damaged voice fails only
the versions that need it, and `narration.verify` (the hear stage) hears what the host said: a
name added to the glossary is checked without narrating or rendering again, and verify turned
off leaves no hearing behind."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from pipeline.engines import kokoro_setup as files
from pipeline.engines.models import cache_dir
from pipeline.orchestration.graph import evaluate
from pipeline.config import load_config
from pipeline.orchestration.registry import default_registry
from pipeline.workspace import Task, Workspace
from tests import mediatools as mt
from tests.conftest import GLOSSARY, ZH, Project, RunResult, run_pipeline, write_config, write_srt

pytestmark = pytest.mark.slow

PT = ["Jinan é conhecida como\na Cidade das Nascentes.",
      "A Nascente Baotu brota\nno coração da cidade velha.",
      "À noite, as pessoas\npasseiam pelo Lago Daming."]
EN = ["Jinan is known as the City of Springs.",
      "Baotu Spring bubbles up in the heart of the old town.",
      "In the evening, people walk along Daming Lake."]
VIDEO = "tour"


def _config(**narration: Any) -> dict[str, Any]:
    return {
        "inputs": ["media/*.mp4"], "output_dir": "outputs", "source_language": "en",
        "languages": ["en", "pt", "zh"],
        "transcribe": {"engine": "faster-whisper", "model": "tiny.en"},
        "translate": {"glossary": "glossary.csv", "provided": "translations/{video}.{lang}.srt"},
        "narration": {"voices": {"en": "piper:en_US-joe-medium", "pt": "kokoro:pf_dora",
                                 "zh": "kokoro:zm_yunxi"},
                      **narration},
        "render": {"profiles": {"landscape": {"width": 640, "height": 360}},
                   "crf": 30, "preset": "superfast"},
        # two threads: the languages' lines side by side (the serial run is a test below)
        "executor": {"jobs": 1, "threads": 2},
        "scan": {"engine": "none"},  # testsrc2's running clock is text (test_onscreen.py)
    }



@pytest.fixture(scope="module")
def narrated(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """An English clip with a provided Portuguese translation, narrated by pf_dora."""
    root = tmp_path_factory.mktemp("lines")
    (root / "media").mkdir()
    (root / "translations").mkdir()
    (root / "glossary.csv").write_text(GLOSSARY, encoding="utf-8")
    placed = mt.make_speech_video(root / "media" / f"{VIDEO}.mp4", EN)
    write_srt(root / "translations" / f"{VIDEO}.pt.srt",
              [(p.start, p.end + 0.6, pt) for p, pt in zip(placed, PT)])
    write_srt(root / "translations" / f"{VIDEO}.zh.srt",
              [(p.start, p.end + 0.6, zh) for p, zh in zip(placed, ZH)])
    config = write_config(root, _config())
    first = run_pipeline(config)
    assert first.code == 0, first.stderr
    return Project(root, config, placed, first)


def _timing(work: Project, lang: str = "pt") -> dict[str, Any]:
    return json.loads((work.out / VIDEO / lang / "timing.json").read_text(encoding="utf-8"))


def _heard(work: Project, lang: str = "pt", video: str = VIDEO) -> dict[str, Any]:
    return json.loads((work.out / video / lang / "heard.json").read_text(encoding="utf-8"))


def _line_files(work: Project) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns)
            for p in (work.out / ".pipeline" / "lines").rglob("*.wav")}


def _ran(result: RunResult) -> set[tuple[str, str | None]]:
    return {(o["stage"], o["lang"]) for o in result.outcomes if o["status"] == "ran"}


def test_editing_one_line_synthesizes_that_line_only(narrated: Project, tmp_path: Path) -> None:
    work = narrated.copy(tmp_path / "copy")
    assert _timing(work)["synthesis"] == {"lines": 3, "synthesized": 3, "reused": 3 - 3}
    before_files = _line_files(work)
    before = _timing(work)["lines"]
    track, rate = mt.read_wav(work.out / VIDEO / "pt" / "narration.wav")

    srt = work.out / VIDEO / "pt" / "subtitles.srt"
    srt.write_text(srt.read_text(encoding="utf-8").replace("brota", "jorra"), encoding="utf-8")
    rerun = run_pipeline(work.config)
    assert rerun.code == 0, rerun.stderr
    assert ("narrate", "pt") in _ran(rerun)
    assert _timing(work)["synthesis"] == {"lines": 3, "synthesized": 1, "reused": 2}
    assert "1 of 3 line(s) synthesized" in rerun.stderr  # the run's log says so too

    after_files = _line_files(work)
    assert set(before_files) < set(after_files)  # one new line audio, the old ones kept
    assert all(after_files[name] == before_files[name] for name in before_files)
    # the lines around the edit sound exactly as before, where they were placed before
    after = _timing(work)["lines"]
    new_track, _ = mt.read_wav(work.out / VIDEO / "pt" / "narration.wav")
    for i in (0, 2):
        assert (after[i]["start"], after[i]["end"], after[i]["speed"]) == \
            (before[i]["start"], before[i]["end"], before[i]["speed"])
        a, b = (int(before[i][k] * rate / 1000) for k in ("start", "end"))
        assert np.array_equal(track[a:b], new_track[a:b])
    a, b = (int(after[1][k] * rate / 1000) for k in ("start", "end"))
    assert not np.array_equal(track[a:b], new_track[a:b])


def _stale(config: Path) -> set[Task]:
    ws = Workspace(load_config(config))
    registry = default_registry()
    tasks = [Task(s, VIDEO, lang) for s in ("translate", "narrate", "render", "hear")
             for lang in ("en", "pt", "zh")]
    tasks += [Task(s, VIDEO) for s in ("extract", "scan", "transcribe", "master")]
    return {t for t in tasks if registry.stage(t.stage).wanted(ws.config)
            and not evaluate(ws, registry, t).status.fresh}


def test_a_replaced_kokoro_voice_file_renarrates_its_language_only(narrated: Project,
                                                                   tmp_path: Path) -> None:
    work = narrated.copy(tmp_path / "copy")
    voices = work.root / "assets" / "voices"
    voices.mkdir(parents=True)
    shutil.copyfile(files.voices_dir() / "pf_dora.bin", voices / "pf_dora.bin")
    assert _stale(work.config) == set()  # the same voice found in the project: same content

    config = yaml.safe_load(work.config.read_text(encoding="utf-8"))
    config["subtitles"] = {"size": 0.06}
    write_config(work.root, config)
    assert Task("narrate", VIDEO, "pt") not in _stale(work.config)  # size: render only

    shutil.copyfile(files.voices_dir() / "pm_alex.bin", voices / "pf_dora.bin")  # same name
    assert {t for t in _stale(work.config) if t.stage == "narrate"} == {Task("narrate", VIDEO, "pt")}
    rerun = run_pipeline(work.config)
    assert rerun.code == 0, rerun.stderr
    assert {s for s, lang in _ran(rerun) if s in ("narrate", "translate", "transcribe")} == \
        {"narrate"}
    assert _timing(work)["synthesis"]["synthesized"] == 3  # every line in the new voice


def _cache_with(tmp: Path) -> Path:
    """A model cache like the user's, with the Kokoro voice pf_dora truncated."""
    cache = tmp / "cache"
    cache.mkdir()
    for entry in cache_dir().iterdir():
        if entry.name != "kokoro":
            (cache / entry.name).symlink_to(entry)
    kokoro = cache / "kokoro"
    kokoro.mkdir()
    for entry in files.kokoro_dir().iterdir():
        if entry.name != "voices":
            (kokoro / entry.name).symlink_to(entry)
    shutil.copytree(files.voices_dir(), kokoro / "voices")
    dora = kokoro / "voices" / "pf_dora.bin"
    dora.write_bytes(dora.read_bytes()[:1000])
    return cache


def test_a_truncated_voice_file_fails_only_its_versions(narrated: Project, tmp_path: Path) -> None:
    """(A missing voice: tests/test_bad_inputs.py; a missing model part:
    tests/test_kokoro_setup.py.)"""
    work = narrated.copy(tmp_path / "copy")
    shutil.rmtree(work.out)
    env = dict(os.environ, PIPELINE_CACHE=str(_cache_with(tmp_path)))
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", "-c", str(work.config),
                           "--json"], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 1, proc.stderr
    failed = [o for o in json.loads(proc.stdout) if o["status"] == "failed"]
    assert [(o["stage"], o["lang"]) for o in failed] == [("narrate", "pt")]
    cause = failed[0]["cause"]
    assert "pf_dora.bin" in cause and "pipeline models install kokoro" in cause
    assert "\n" not in cause
    assert (work.out / VIDEO / "en" / f"{VIDEO}.en.landscape.mp4").is_file()
    assert not (work.out / VIDEO / "pt" / f"{VIDEO}.pt.landscape.mp4").exists()


def test_verify_hears_the_host_and_names_a_name_not_said(narrated: Project, tmp_path: Path) -> None:
    """The respelling makes the host say "Lisboa" where the line says "Jinan". While "Jinan"
    is no glossary name the hearing finds nothing; added to the glossary, only the hearing
    runs again (pt and zh are neither narrated nor rendered again, no span is transcribed
    again: the names are checked on what was heard), it finds the line, the manifest lists
    it and --strict fails on it; the other names were said and heard. The lexicon's phonemes
    for the name make it heard."""
    work = narrated.copy(tmp_path / "copy")
    glossary = work.root / "glossary.csv"
    glossary.write_text("".join(ln for ln in GLOSSARY.splitlines(keepends=True)
                                if not ln.startswith("Jinan,")), encoding="utf-8")
    config = yaml.safe_load(work.config.read_text(encoding="utf-8"))
    config["narration"].update(verify=True, lexicon={"pt": {"Jinan": "Lisboa"}})
    write_config(work.root, config)
    first = run_pipeline(work.config)
    assert first.code == 0, first.stderr
    assert _timing(work)["synthesis"] == {"lines": 3, "synthesized": 1, "reused": 2}  # the Jinan line
    assert [ln["unheard"] for ln in _heard(work)["lines"]] == [[], [], []]

    glossary.write_text(GLOSSARY, encoding="utf-8")  # "Jinan" is a name again
    strict = run_pipeline(work.config, "--strict")
    assert strict.code == 1, strict.stderr
    ran = _ran(strict)
    assert {("hear", "pt"), ("hear", "zh")} <= ran, ran
    assert not ran & {(s, lang) for s in ("narrate", "render") for lang in ("pt", "zh")}, ran
    heard = _heard(work)
    assert heard["hearing"]["heard"] == 0  # every span's transcription read back
    assert [ln["unheard"] for ln in heard["lines"]] == [["Jinan"], [], []]
    assert heard["verify"]["metric"] == "wer" and heard["verify"]["error_rate"] <= 0.35
    item = next(d for d in work.manifest()["deliverables"] if d["lang"] == "pt")
    assert item["narration"]["verify"] == heard["verify"]
    found = [q for q in item["qa"] if q["rule"] == "name_unheard"]
    assert len(found) == 1 and found[0]["index"] == 1 and "'Jinan'" in found[0]["detail"]
    failed = [o for o in strict.outcomes if o["status"] == "failed"]
    assert any(o.get("lang") == "pt" and "Jinan" in o.get("cause", "") for o in failed) or \
        "Jinan" in strict.stderr

    # Portuguese reads "Jinan" with a nasal ending ("Ginã", heard "Dinã"): not the name either;
    # the phonemes docs/engines.md recommends are heard as the name
    config["narration"]["lexicon"] = {"pt": {"Jinan": "/dʒinˈan/"}}
    write_config(work.root, config)
    fixed = run_pipeline(work.config, "--strict")
    assert fixed.code == 0, fixed.stderr
    assert all(ln["unheard"] == [] for ln in _heard(work)["lines"]), _heard(work)["lines"]


def test_a_timing_record_that_does_not_validate_is_a_cache_miss(narrated: Project,
                                                                tmp_path: Path) -> None:
    """A timing.json recorded as narrate's output (its hash in the state, as an older version
    or a hand could leave it) whose first line's overflow is text: narrate is stale, status,
    QA and the manifest read on without it, and a run makes the same record again."""
    from pipeline.delivery.qa import findings

    work = narrated.copy(tmp_path / "copy")
    path = work.out / VIDEO / "pt" / "timing.json"
    good = path.read_bytes()
    record = json.loads(good)
    record["lines"][0]["overflow"] = "120"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    state_path = work.out / VIDEO / ".state" / "narrate.pt.json"
    state = json.loads(state_path.read_text(encoding="utf-8"))
    state["outputs"][f"{VIDEO}/pt/timing.json"] = hashlib.sha256(path.read_bytes()).hexdigest()
    state_path.write_text(json.dumps(state), encoding="utf-8")

    ws = Workspace(load_config(work.config))
    ev = evaluate(ws, default_registry(), Task("narrate", VIDEO, "pt"))
    assert ev.status.value == "stale" and "timing.json is not a valid TimingRecord" in ev.cause
    assert not [f for f in findings(ws, VIDEO, "pt") if f["kind"] == "narration"]
    status = subprocess.run([sys.executable, "-m", "pipeline", "status", "-c", str(work.config),
                             "--json"], capture_output=True, text=True, check=False)
    assert status.returncode == 0, status.stderr
    (row,) = [r for r in json.loads(status.stdout) if r["lang"] == "pt"]
    assert row["narrate"] == "stale"

    rerun = run_pipeline(work.config)
    assert rerun.code == 0, rerun.stderr
    assert ("narrate", "pt") in _ran(rerun)
    again = _timing(work)
    assert again.pop("synthesis") == {"lines": 3, "synthesized": 0, "reused": 3}  # all cached
    before = json.loads(good)
    before.pop("synthesis")
    assert again == before  # the same record otherwise


def _narrated_files(work: Project) -> dict[str, str]:
    files = [work.out / VIDEO / lang / name for lang in ("pt", "zh")
             for name in ("narration.wav", "timing.json")]
    files += sorted((work.out / ".pipeline" / "lines").rglob("*.wav"))
    return {str(p.relative_to(work.out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in files}


def test_languages_narrated_side_by_side_keep_the_serial_bytes(narrated: Project,
                                                               tmp_path: Path) -> None:
    """The fixture narrated pt and zh (two Kokoro voices) at once with two threads; narrated
    again by one thread, a line after another, every line's audio, both tracks and their
    timing are the same bytes."""
    work = narrated.copy(tmp_path / "copy")
    side_by_side = _narrated_files(work)
    shutil.rmtree(work.out / ".pipeline" / "lines")  # every line synthesized again
    config = _config()
    config["executor"]["threads"] = 1
    write_config(work.root, config)
    serial = run_pipeline(work.config, "--only", "narrate", "--force")
    assert serial.code == 0, serial.stderr
    assert _timing(work)["synthesis"]["synthesized"] == 3
    assert _timing(work, "zh")["synthesis"]["synthesized"] == 3
    assert len(side_by_side) == 4 + 6 + 6  # two tracks, six lines as made and as placed
    assert _narrated_files(work) == side_by_side


def test_an_edited_line_is_heard_again_with_its_span_only(tmp_path: Path) -> None:
    """narration.verify hears a span of neighbouring lines at a time, each cached by its
    sound: a track whose lines lie 25 s apart is heard as two spans; editing the last line
    synthesizes that line and hears its span again, and what the first lines were heard
    saying stays as it was."""
    (tmp_path / "media").mkdir()
    (tmp_path / "translations").mkdir()
    (tmp_path / "glossary.csv").write_text(GLOSSARY, encoding="utf-8")
    mt.make_video(tmp_path / "media" / "far.mp4", 32.0)
    slots = [(1.0, 4.5), (5.0, 8.5), (28.0, 31.5)]
    write_srt(tmp_path / "media" / "far.script.srt", list(zip(*zip(*slots), EN)))
    write_srt(tmp_path / "translations" / "far.pt.srt", list(zip(*zip(*slots), PT)))
    config = _config(verify=True)
    config["languages"] = ["pt"]
    path = write_config(tmp_path, config)
    first = run_pipeline(path)
    assert first.code == 0, first.stderr
    heard_file = tmp_path / "outputs" / "far" / "pt" / "heard.json"
    before = json.loads(heard_file.read_text(encoding="utf-8"))
    assert before["hearing"] == {"spans": 2, "heard": 2}
    assert before["verify"]["error_rate"] <= 0.35, before["lines"]

    srt = tmp_path / "outputs" / "far" / "pt" / "subtitles.srt"
    srt.write_text(srt.read_text(encoding="utf-8").replace("passeiam", "caminham"),
                   encoding="utf-8")
    rerun = run_pipeline(path)
    assert rerun.code == 0, rerun.stderr
    timing = json.loads((tmp_path / "outputs" / "far" / "pt" / "timing.json")
                        .read_text(encoding="utf-8"))
    assert timing["synthesis"]["synthesized"] == 1
    after = json.loads(heard_file.read_text(encoding="utf-8"))
    assert after["hearing"] == {"spans": 2, "heard": 1}
    assert [ln["heard"] for ln in after["lines"][:2]] == [ln["heard"] for ln in before["lines"][:2]]
    assert after["lines"][2]["heard"] != before["lines"][2]["heard"]
    manifest = json.loads((tmp_path / "outputs" / "manifest.json").read_text(encoding="utf-8"))
    (item,) = manifest["deliverables"]
    assert item["narration"]["verify"] == after["verify"]

    # verify turned off: the hearing is gone (no stale round trip or finding), and nothing
    # is narrated or rendered again for it
    config["narration"]["verify"] = False
    write_config(tmp_path, config)
    off = run_pipeline(path)
    assert off.code == 0, off.stderr
    assert _ran(off) == {("hear", "pt")}, off.outcomes
    assert not heard_file.exists()
    manifest = json.loads((tmp_path / "outputs" / "manifest.json").read_text(encoding="utf-8"))
    (item,) = manifest["deliverables"]
    assert item["narration"]["verify"] is None and item["narration"]["engine"] == "kokoro"
    assert not [q for q in item["qa"] if q["rule"] == "name_unheard"]
