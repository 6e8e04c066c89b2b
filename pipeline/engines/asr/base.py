"""The ASR engines' shared types: options in, a transcript of timed words out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

# CTranslate2's intra-op threads when `transcribe.threads` is 0: one. On 2 cores, tiny.en
# transcribes the 60 s bench clip in 2.6 s with one thread, 4.4 s with two and 4.5 s with
# CTranslate2's own default (four); base 7.0 s against 8.1 s; the same words every time. The
# other core is better spent on the run's other work (units run side by side).
CPU_THREADS = 1


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
    def transcribe(self, audio: Path, language: str | None, prompt: str | None) -> Transcript: ...
