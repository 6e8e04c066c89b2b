"""Mandarin speech and the model choice: `transcribe.model: auto` detects it and takes the
multilingual model, the English-only model refuses it. Speech: Kokoro's Mandarin voice
(`speak_zh`). The transcription itself (the Chinese prompt, homophone repair, every name as
the glossary) is tested through the real transcribe stage on the demo's Mandarin clip
(`tests/test_demo.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.engines.asr.choice import choose_model
from pipeline.engines.asr.language import detect_language, load_detector
from pipeline.errors import EngineError
from tests import mediatools as mt

pytestmark = pytest.mark.slow

TEXT = "欢迎来到济南，济南被称为泉城。趵突泉的泉水从地下涌出，流进大明湖。"


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    samples, rate = mt.speak_zh(TEXT)
    path = tmp_path_factory.mktemp("zh") / "speech.wav"
    mt.write_wav(path, samples, rate)
    return path


def test_auto_model_detects_mandarin_and_takes_the_multilingual_model(speech: Path) -> None:
    detector = load_detector()
    choice = choose_model("auto", "auto", speech, lambda a: detect_language(a, detector))
    assert (choice.model, choice.language) == ("base", "zh")
    assert choice.detected and choice.detected[1] > 0.5


def test_english_only_model_refuses_mandarin(speech: Path) -> None:
    with pytest.raises(EngineError, match="'zh'.*English-only.*transcribe.model: auto"):
        choose_model("tiny.en", "auto", speech, lambda a: detect_language(a, load_detector()))
