"""Speech recognition: one interface, a backend per engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pipeline.errors import ConfigError


@dataclass(frozen=True)
class AsrWord:
    start: float
    end: float
    text: str  # without surrounding spaces
    probability: float = 1.0
    # Whisper marks a new word with a leading space; a piece without one continues the word
    # before it (" 3" ",000"; in Chinese every piece: "我们" "在" "C" "BD")
    space_before: bool = True


@dataclass(frozen=True)
class AsrSegment:
    start: float
    end: float
    text: str
    words: tuple[AsrWord, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 1.0


@dataclass
class Transcript:
    language: str
    language_probability: float
    segments: list[AsrSegment]
    engine: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AsrOptions:
    model: str
    compute_type: str = "int8"
    beam_size: int = 5
    threads: int = 0
    vad: bool = True


class Recognizer(Protocol):
    identity: dict[str, Any]

    def transcribe(self, audio: Path, language: str | None, prompt: str | None) -> Transcript: ...


def make_recognizer(engine: str, options: AsrOptions) -> Recognizer:
    if engine == "faster-whisper":
        from pipeline.engines.asr.whisper_ct2 import FasterWhisper

        return FasterWhisper(options)
    if engine == "openai-whisper":
        from pipeline.engines.asr.whisper_torch import OpenAIWhisper

        return OpenAIWhisper(options)
    raise ConfigError(f"transcribe.engine: unknown engine {engine!r}")


def identity(engine: str, options: AsrOptions) -> dict[str, Any]:
    """What determines the result, without loading the model (used in fingerprints)."""
    if engine == "faster-whisper":
        from pipeline.engines.models import whisper_model_ref

        ref = whisper_model_ref(options.model)[1]
    else:
        ref = options.model
    return {"engine": engine, "model": ref, "compute_type": options.compute_type,
            "beam_size": options.beam_size, "vad": options.vad}
