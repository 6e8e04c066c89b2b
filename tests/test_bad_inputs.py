"""Bad input gets a one-line cause naming the file and the fix; nothing else is lost."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests import mediatools as mt
from tests.conftest import RunResult, run_pipeline, write_srt

pytestmark = pytest.mark.slow

GOOD = "good_broll"


def _project(root: Path, **overrides: object) -> Path:
    config = {
        "inputs": ["media/*.mp4"], "languages": ["en", "pt"], "translate": {"glossary": None},
        "narration": {"voices": {"en": "espeak:en-us", "pt": "espeak:pt-br"}},
        "render": {"profiles": {"small": {"width": 320, "height": 180}}, "preset": "superfast"},
    }
    config.update(overrides)
    path = root / "pipeline.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _good_clip(media: Path) -> None:
    mt.make_video(media / f"{GOOD}.mp4", 5.0, picture="smptebars", size="320x180")
    (media / f"{GOOD}.script.txt").write_text("Clear water rises in Jinan.\n", encoding="utf-8")


def _failures(result: RunResult) -> list[str]:
    return [ln for ln in result.stderr.splitlines() if ln.startswith("FAILED")]


def _good_is_complete(root: Path, langs: tuple[str, ...] = ("en", "pt")) -> None:
    manifest = json.loads((root / "outputs" / "manifest.json").read_text())
    done = {(d["video"], d["lang"]) for d in manifest["deliverables"]}
    assert {(GOOD, lang) for lang in langs} <= done
    for d in manifest["deliverables"]:
        assert abs(mt.duration(root / "outputs" / d["path"]) - 5.0) <= 0.1


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunResult]:
    root = tmp_path_factory.mktemp("bad")
    media = root / "media"
    media.mkdir()
    _good_clip(media)
    (media / "zero_bytes.mp4").write_bytes(b"")
    (media / "not_media.mp4").write_text("this is a text file with a video name\n")
    mt.make_video(media / "no_audio.mp4", 3.0, bed=False, size="320x180")
    full = media / "full.mp4"
    mt.make_video(full, 3.0, size="320x180")
    data = full.read_bytes()
    (media / "truncated.mp4").write_bytes(data[: len(data) // 2])
    full.unlink()
    (media / "unreadable.mp4").mkdir()  # a folder with a video's name: cannot be read as a file
    (media / "moved_away.mp4").symlink_to(root / "nowhere.mp4")
    return root, run_pipeline(_project(root))


@pytest.mark.parametrize("name, words", [
    ("zero_bytes", "empty"),
    ("not_media", "not a video"),
    ("no_audio", "no audio stream"),
    ("truncated", "truncated"),
    ("unreadable", "cannot be read"),
    ("moved_away", "not found"),
])
def test_each_bad_file_fails_alone_with_its_cause(batch: tuple[Path, RunResult], name: str,
                                                  words: str) -> None:
    root, result = batch
    assert result.code == 1
    mine = [ln for ln in _failures(result) if f" {name}:" in ln]
    assert len(mine) == 1, result.stderr
    assert f"{name}.mp4" in mine[0] and words in mine[0], mine[0]
    assert len(mine[0]) < 400


def test_the_good_video_completes_beside_the_bad_ones(batch: tuple[Path, RunResult]) -> None:
    root, result = batch
    _good_is_complete(root)
    assert "retry: pipeline run" in result.stderr


def test_a_missing_voice_fails_only_its_language(tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    _good_clip(tmp_path / "media")
    (tmp_path / "assets" / "translations").mkdir(parents=True)
    write_srt(tmp_path / "assets" / "translations" / f"{GOOD}.de.srt",
              [(0.5, 3.0, "Klares Wasser steigt in Jinan auf.")])
    config = _project(tmp_path, languages=["en", "pt", "de"],
                      narration={"voices": {"en": "espeak:en-us", "pt": "espeak:pt-br",
                                            "de": "piper:de_DE-nobody-medium"}})
    result = run_pipeline(config)
    assert result.code == 1
    (line,) = _failures(result)
    assert f"narrate {GOOD}/de" in line and "de_DE-nobody-medium" in line
    assert "pipeline models install piper de_DE-nobody-medium" in line
    _good_is_complete(tmp_path)


def test_a_missing_asr_model_fails_with_the_model_named(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    mt.make_speech_video(media / "talk.mp4", ["Jinan is the City of Springs."], size="320x180")
    (tmp_path / "models" / "broken").mkdir(parents=True)
    config = _project(tmp_path, languages=["en"],
                      transcribe={"model": str(tmp_path / "models" / "broken")})
    result = run_pipeline(config)
    assert result.code == 1
    (line,) = _failures(result)  # listen: transcribe's speech recognition
    assert "listen talk" in line and "broken" in line and "cannot be loaded" in line


@pytest.mark.parametrize("yaml_text, words", [
    ("inputs: ['nothing/*.mp4']\nlanguages: [en]\n", "matches no video file"),
    ("languages: [en, xx]\n", "'xx' is not an ISO 639-1 code"),
    ("languages: [en]\nrender: {crf: -3}\n", "render.crf"),
    ("languages: [en]\nnarrator: {}\n", "narrator: unknown key"),
])
def test_bad_configs_stop_before_any_work(tmp_path: Path, yaml_text: str, words: str) -> None:
    (tmp_path / "pipeline.yaml").write_text(yaml_text)
    result = run_pipeline(tmp_path / "pipeline.yaml")
    assert result.code == 2
    assert words in result.stderr and len(result.stderr.strip().splitlines()) <= 2
    assert not (tmp_path / "outputs").exists()


def test_a_full_disk_fails_cleanly_and_a_rerun_finishes(tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    out.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(out)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        (tmp_path / "media").mkdir()
        _good_clip(tmp_path / "media")
        config = _project(tmp_path)
        full = run_pipeline(config)
        assert full.code == 1
        assert any("no space left" in ln.lower() for ln in _failures(full)), full.stderr
        assert "Traceback" not in full.stderr
        assert not list(out.rglob("*.mp4"))  # nothing half-written counts as a deliverable
        subprocess.run(["mount", "-o", "remount,size=200m", str(out)], check=True)
        again = run_pipeline(config)
        assert again.code == 0, again.stderr
        _good_is_complete(tmp_path)
    finally:
        subprocess.run(["umount", str(out)], check=False)
        shutil.rmtree(out, ignore_errors=True)
