"""The user-facing contract: config errors exit 2 naming the key; CLI help has examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import cli, main
from pipeline.config import load_config


@pytest.mark.parametrize("text, key", [
    ("languages: [en]\ncolour: red\n", "colour: unknown key"),
    ("languages: [english]\n", "languages: ['english'] is not allowed"),
    ("render: {crf: 99}\n", "render.crf"),
    ("narration: {voices: {pt: pt-br}}\n", "narration.voices"),
    ("render: {profiles: {odd: {width: 641, height: 360}}}\n", "render.profiles.odd.width"),
    ("render: {preset: ultrafast}\n", "render.preset"),
    ("render: {master: cinema}\n", "render.master: 'cinema' is not allowed"),
    ("render: {master: screen}\n", "profile 'screen' has no audio"),
])
def test_bad_config_exits_2_with_one_line_naming_the_key(tmp_path: Path, text: str, key: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "pipeline.yaml"
    config.write_text(text, encoding="utf-8")
    assert main(["run", "-c", str(config)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and key in err and str(config) in err
    assert not (tmp_path / "outputs").exists()  # nothing ran


def test_defaults_follow_the_design(tmp_path: Path) -> None:
    config = tmp_path / "pipeline.yaml"
    config.write_text("languages: [en, pt]\n")
    c = load_config(config).config
    assert (c.narration.duck_db, c.narration.max_speedup, c.render.loudness_lufs) == (-18, 1.35, -14)
    assert (c.subtitles.max_chars_per_line, c.subtitles.max_lines, c.subtitles.max_cps) == (42, 2, 17)
    assert set(c.render.profiles) == {"landscape", "vertical", "screen"}
    assert c.render.profiles["screen"].audio is False


def test_missing_config_and_empty_inputs_are_usage_errors(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "-c", str(tmp_path / "nope.yaml")]) == 2
    config = tmp_path / "pipeline.yaml"
    config.write_text("inputs: ['media/*.mp4']\nlanguages: [en]\n")
    assert main(["run", "-c", str(config)]) == 2
    assert "matches no video file" in capsys.readouterr().err


def test_every_command_has_help_with_an_example() -> None:
    def walk(group, prefix=""):  # type: ignore[no-untyped-def]
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                yield from walk(command, f"{prefix}{name} ")
            else:
                yield f"{prefix}{name}", command
    for name, command in walk(cli):
        assert "Example" in (command.help or ""), name
