"""Chinese speech end to end through recognition: the Chinese glossary prompt, homophone repair
(every name spelled as the glossary), `transcribe.model: auto` choosing the multilingual model,
and the English-only model refusing Mandarin. Speech: Kokoro's Mandarin voice (`speak_zh`)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import jiwer
import pytest

from pipeline import subtitles as subs
from pipeline.engines.asr import AsrOptions, make_recognizer
from pipeline.engines.asr.base import Transcript
from pipeline.engines.asr.choice import choose_model
from pipeline.engines.asr.language import detect_language, load_detector
from pipeline.errors import EngineError
from pipeline.glossary import Term, asr_prompt, load_glossary
from pipeline.homophones import repair_words
from tests import mediatools as mt

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
TEXT = ("欢迎来到济南，济南被称为泉城。趵突泉的泉水从地下涌出，流进大明湖。"
        "城南的千佛山可以看到整个城市，晚上大家喜欢去芙蓉街吃小吃。")
NAMES = ["济南", "泉城", "趵突泉", "大明湖", "千佛山", "芙蓉街"]


def chars(text: str) -> str:
    return "".join(c for c in text if not c.isspace() and not unicodedata.category(c).startswith("P"))


def cer(hypothesis: str) -> float:
    return float(jiwer.cer(chars(TEXT), chars(hypothesis) or "∅"))


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    samples, rate = mt.speak_zh(TEXT)
    path = tmp_path_factory.mktemp("zh") / "speech.wav"
    mt.write_wav(path, samples, rate)
    return path


@pytest.fixture(scope="module")
def terms() -> list[Term]:
    return load_glossary(ROOT / "assets" / "glossary.csv")


@pytest.fixture(scope="module")
def transcript(speech: Path, terms: list[Term]) -> Transcript:
    """`transcribe.model: auto` as one recognizer, the language left to detection, the Chinese
    prompt (one transcription serves every test here: base on 2 cores is the cost)."""
    asr = make_recognizer("faster-whisper", AsrOptions("auto"))
    return asr.transcribe(speech, None, asr_prompt(terms, "zh"))


@pytest.fixture(scope="module")
def heard(transcript: Transcript) -> list[subs.Word]:
    return [subs.Word(int(w.start * 1000), int(w.end * 1000), w.text)
            for s in transcript.segments for w in s.words]


def test_every_name_is_spelled_as_the_glossary_after_repair(heard: list[subs.Word],
                                                          terms: list[Term]) -> None:
    before = subs.join_words([w.text for w in heard])
    fixed, repairs = repair_words(heard, terms)
    after = subs.join_words([w.text for w in fixed])
    for name in NAMES:
        assert after.count(name) == TEXT.count(name), (name, before, after)
    assert cer(after) <= cer(before), (before, after)
    assert cer(after) < 0.12, after
    for r in repairs:
        if r.applied:
            assert r.written in after and r.heard not in NAMES
    assert all(a.start <= a.end <= b.start for a, b in zip(fixed, fixed[1:])), fixed


def test_chinese_prompt_has_no_latin_names(heard: list[subs.Word]) -> None:
    text = subs.join_words([w.text for w in heard])
    assert not any(c.isascii() and c.isalpha() for c in text), text
    assert "\ufffd" not in text and "４" not in text, text


def test_auto_model_detects_mandarin_and_takes_the_multilingual_model(
        speech: Path, transcript: Transcript) -> None:
    detector = load_detector()
    choice = choose_model("auto", "auto", speech, lambda a: detect_language(a, detector))
    assert (choice.model, choice.language) == ("base", "zh")
    assert choice.detected and choice.detected[1] > 0.5
    assert transcript.language == "zh"
    assert transcript.engine["model"] == "base"  # the model that ran
    assert cer(" ".join(s.text for s in transcript.segments)) < 0.5


def test_english_only_model_refuses_mandarin(speech: Path) -> None:
    with pytest.raises(EngineError, match="'zh'.*English-only.*transcribe.model: auto"):
        choose_model("tiny.en", "auto", speech, lambda a: detect_language(a, load_detector()))
