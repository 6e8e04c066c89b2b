"""pipeline.yaml: a bad key or value stops `pipeline run` before any work (exit 2) with one
line naming the key path; a minimal config gets the documented defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.cli import main
from pipeline.config import load_config
from pipeline.errors import ConfigError

EXIT_USAGE = 2


def _project(tmp_path: Path, text: str) -> Path:
    """A project folder with one (unreadable) video, so a config that passes would start work."""
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "clip.mp4").write_bytes(b"not really a video")
    config = tmp_path / "pipeline.yaml"
    config.write_text('inputs: ["media/*.mp4"]\n' + text, encoding="utf-8")
    return config


def _run(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["run", "-c", str(config)])
    err = capsys.readouterr().err
    return code, [line for line in err.splitlines() if line.strip()]


@pytest.mark.parametrize(("text", "key", "value"), [
    ("languages: [en]\nsubtitle: {size: 0.05}\n", "subtitle", None),  # a typo at the top
    ("render: {crf: 20, prest: fast}\n", "render.prest", "fast"),  # a typo inside a section
    ("narration: {voices: {en: 'piper:en_US-joe-medium'}, duck: -12}\n", "narration.duck", "-12"),
    ("render: {profiles: {square: {width: 1080, height: 1080, fitt: pad}}}\n",
     "render.profiles.square.fitt", "pad"),
])
def test_unknown_key_stops_the_run_naming_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  text: str, key: str, value: str | None) -> None:
    code, lines = _run(_project(tmp_path, text), capsys)
    assert code == EXIT_USAGE
    assert len(lines) == 1, lines
    assert f"{key}:" in lines[0] and "unknown key" in lines[0]
    if value is not None:
        assert value in lines[0]
    assert not (tmp_path / "outputs").exists()  # nothing ran


@pytest.mark.parametrize(("text", "key", "shown"), [
    ("languages: [english]\n", "languages", "english"),
    ("languages: [en, en]\n", "languages", "twice"),
    ("languages: []\n", "languages", "at least one"),
    ("source_language: chinese\n", "source_language", "chinese"),
    ("render: {crf: 99}\n", "render.crf", "99"),
    ("render: {preset: ultrafast}\n", "render.preset", "ultrafast"),
    ("render: {profiles: {odd: {width: 1081, height: 1920}}}\n", "render.profiles.odd.width", "1081"),
    ("narration: {voices: {pt: pt-br}}\n", "narration.voices", "ENGINE:VOICE"),
    ("narration: {mode: dub}\n", "narration.mode", "dub"),
    ("narration: {max_speedup: 3}\n", "narration.max_speedup", "3"),
    ("subtitles: {max_lines: 0}\n", "subtitles.max_lines", "0"),
])
def test_bad_value_stops_the_run_naming_the_key_and_value(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, key: str, shown: str) -> None:
    code, lines = _run(_project(tmp_path, text), capsys)
    assert code == EXIT_USAGE
    assert len(lines) == 1, lines
    assert f" {key}: " in lines[0], lines[0]
    assert shown in lines[0]
    assert "pipeline.yaml" in lines[0]
    assert not (tmp_path / "outputs").exists()


@pytest.mark.parametrize("spec", ["festival:pt", "espeak:", ":pt-br"])
def test_a_voice_with_an_unknown_engine_or_no_name_is_a_config_error(tmp_path: Path, spec: str) -> None:
    """Caught when the config loads, not after extract and transcribe have run for an hour."""
    config = _project(tmp_path, f"narration: {{voices: {{pt: '{spec}'}}}}\n")
    with pytest.raises(ConfigError, match="narration.voices"):
        load_config(config)


def test_python_tags_are_refused_not_executed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "executed"
    config = _project(tmp_path, f"output_dir: !!python/object/apply:os.system ['touch {marker}']\n")
    code, lines = _run(config, capsys)
    assert code == EXIT_USAGE
    assert len(lines) == 1 and "YAML" in lines[0]
    assert not marker.exists()

    config.write_text('inputs: !!python/object:pathlib.PurePosixPath ["media"]\n', encoding="utf-8")
    assert _run(config, capsys)[0] == EXIT_USAGE


@pytest.mark.parametrize(("text", "hint"), [
    ("languages: [en\n", "YAML"),
    ("- en\n- pt\n", "mapping"),
])
def test_malformed_yaml_is_a_one_line_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  text: str, hint: str) -> None:
    config = tmp_path / "pipeline.yaml"
    config.write_text(text, encoding="utf-8")
    code, lines = _run(config, capsys)
    assert code == EXIT_USAGE and len(lines) == 1 and hint in lines[0]


def test_missing_config_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = _run(tmp_path / "nope.yaml", capsys)
    assert code == EXIT_USAGE and len(lines) == 1 and "nope.yaml" in lines[0]


def test_minimal_config_gets_the_documented_defaults(tmp_path: Path) -> None:
    config = tmp_path / "pipeline.yaml"
    config.write_text("languages: [en, pt]\n", encoding="utf-8")
    project = load_config(config)
    c = project.config
    assert project.root == tmp_path.resolve()
    assert project.output_dir == (tmp_path / "outputs").resolve()
    assert c.inputs == ["assets/samples/*.mp4"]
    assert c.source_language == "auto"
    assert c.languages == ["en", "pt"]
    assert (c.transcribe.engine, c.transcribe.model, c.transcribe.vad) == ("faster-whisper", "auto", True)
    assert (c.transcribe.compute_type, c.transcribe.beam_size, c.transcribe.threads) == ("int8", 5, 0)
    assert c.translate.engine == "auto"
    assert c.translate.glossary == "assets/glossary.csv"
    assert c.translate.provided == "assets/translations/{video}.{lang}.srt"
    assert c.translate.pivot is None
    n = c.narration
    assert (n.mode, n.duck_db, n.max_speedup, n.gap_s, n.smoothing) == ("voiceover", -18, 1.35, 0.1, 0.1)
    assert (n.voices, n.default_voice, n.source_language) == ({}, None, "keep")
    assert (n.music, n.music_db, n.host, n.rate, n.lexicon) == (None, -12, "Quan", {}, {})
    s = c.subtitles
    assert (s.font, s.size, s.max_chars_per_line, s.max_lines, s.max_cps) == ("Noto Sans", 0.045, 42, 2, 17)
    assert (s.min_duration_s, s.max_duration_s, s.languages) == (0.833, 7, {})
    assert s.fonts["zh"].startswith("Noto Sans CJK") and s.fonts["ar"] == "Noto Sans Arabic"
    r = c.render
    assert (r.crf, r.preset, r.loudness_lufs, r.true_peak_db) == (20, "veryfast", -14, -1)
    profiles = {name: (p.width, p.height, p.fit, p.audio, p.text_scale) for name, p in r.profiles.items()}
    assert profiles == {"landscape": (1920, 1080, "pad", True, 1.0),
                        "vertical": (1080, 1920, "blur", True, 1.0),
                        "screen": (1920, 1080, "pad", False, 1.6)}
    assert (c.executor.jobs, c.executor.scheduler, c.executor.gpu_stages) == (None, None, [])


def test_empty_config_file_is_all_defaults(tmp_path: Path) -> None:
    config = tmp_path / "pipeline.yaml"
    config.write_text("# nothing set\n", encoding="utf-8")
    assert load_config(config).config.languages == ["en"]


def test_the_design_example_config_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The pipeline.yaml shown in the design (the contract) loads as written."""
    example = {
        "inputs": ["assets/samples/*.mp4"], "output_dir": "outputs", "source_language": "auto",
        "languages": ["en", "pt", "es", "zh", "ar"],
        "transcribe": {"engine": "faster-whisper", "model": "tiny.en", "vad": True},
        "translate": {"engine": "auto", "glossary": "assets/glossary.csv",
                      "provided": "assets/translations/{video}.{lang}.srt"},
        "narration": {"mode": "voiceover", "duck_db": -18, "max_speedup": 1.35,
                      "voices": {"en": "piper:en_US-joe-medium", "pt": "espeak:pt-br", "zh": "gtts:zh-CN"}},
        "subtitles": {"font": "Noto Sans", "size": 0.045, "max_chars_per_line": 42, "max_lines": 2,
                      "max_cps": 17},
        "render": {"profiles": {"landscape": {"width": 1920, "height": 1080},
                                "vertical": {"width": 1080, "height": 1920, "fit": "pad"}},
                   "crf": 20, "preset": "veryfast", "loudness_lufs": -14},
    }
    config = tmp_path / "pipeline.yaml"
    config.write_text(yaml.safe_dump(example), encoding="utf-8")
    c = load_config(config).config
    assert list(c.render.profiles) == ["landscape", "vertical"]
    assert c.narration.voices["zh"] == "gtts:zh-CN"
    # and the CLI accepts it: `status` on a project with no videos yet is an empty table
    assert main(["status", "-c", str(config), "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"
