"""source/transcript.json: what transcribe recorded about a source's speech, as a typed record;
source/speech.json: what the recognizer heard in it (listen), which transcribe reads.

Read for the language transcribe settled on (every version's route and parameters depend on
it); the segments (the engine's, with word timings) are kept for editors and tools as the
engine gave them. A file that does not read back as this record is a cache miss:
transcribe runs again (instead of translate waiting forever for a language).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pipeline.engines.asr.base import AsrSegment
from pipeline.records import JsonRecord


@dataclass(frozen=True)
class TranscriptEvent:
    """One subtitle event of transcript.srt and where its text came from: `screen` (a
    burned-in subtitle read in the picture), `asr` (speech recognition) or `script`."""

    start: int  # ms
    end: int
    text: str
    origin: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "text": self.text}
        if self.origin is not None:
            out["origin"] = self.origin
        return out


@dataclass(frozen=True)
class TranscriptRecord(JsonRecord):
    language: str
    engine: dict[str, Any]  # the engine's identity (or the script file's name)
    segments: tuple[dict[str, Any], ...]  # as recognized, with word timings (none for a script)
    events: tuple[TranscriptEvent, ...]  # the subtitle events written to transcript.srt
    language_probability: float | None = None  # speech recognition only
    model_choice: dict[str, Any] | None = None  # which Whisper model, language detected
    repairs: tuple[dict[str, Any], ...] | None = None  # names repaired by their sound

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"language": self.language}
        if self.language_probability is not None:
            out["language_probability"] = self.language_probability
        out["engine"] = self.engine
        if self.model_choice is not None:
            out["model_choice"] = self.model_choice
        if self.repairs is not None:
            out["repairs"] = list(self.repairs)
        out["segments"] = list(self.segments)
        out["events"] = [e.to_dict() for e in self.events]
        return out


@dataclass(frozen=True)
class SpeechRecord(JsonRecord):
    """What the recognizer heard (the listen stage), before transcribe spells the names, takes
    the burned-in subtitles and makes the subtitle events."""

    language: str
    language_probability: float
    engine: dict[str, Any]  # the engine's identity with the model it ran (`name`)
    model_choice: dict[str, Any]  # which Whisper model, the language detected
    segments: tuple[AsrSegment, ...]  # with word timings
    warnings: tuple[str, ...] = ()  # segments dropped as likely hallucinations, ...

    def to_dict(self) -> dict[str, Any]:
        return {"language": self.language, "language_probability": self.language_probability,
                "engine": self.engine, "model_choice": self.model_choice,
                "segments": [asdict(s) for s in self.segments], "warnings": list(self.warnings)}
