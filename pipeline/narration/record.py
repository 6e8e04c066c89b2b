"""timing.json and heard.json: what narrate and hear recorded about a version's narration, as
typed records.

timing.json is written by the narrate stage; read by render (where the lines play, whether
the version is narrated), hear (the lines to hear), QA (overflow), the manifest (voice) and
the review desk (each line's fit). heard.json is written by the hear stage (narration.verify);
read by QA (names not heard) and the manifest (round trip). A file's keys, their order and
their values are the record's `to_json()`; a file that does not read back as its record
(`from_json`) is a cache miss: its stage runs again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pipeline.narration.fit import LineTiming
from pipeline.records import JsonRecord


@dataclass(frozen=True)
class NarratedLine:
    """One narrated line: its fit in its slot (narration/fit.py) and its text."""

    index: int  # 1-based, as in the SRT
    slot_start: int  # ms: the subtitle event
    slot_end: int
    speech: int  # ms: synthesized length before speed-up
    speed: float  # tempo factor applied
    start: int  # ms: where the line is placed
    end: int
    borrowed: int  # ms taken from the silence after the slot
    overflow: int  # ms past the free time before the next line (or the video's end)
    text: str

    @classmethod
    def placed(cls, fit: LineTiming, text: str) -> NarratedLine:
        return cls(**asdict(fit), text=text)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Synthesis:
    """How many lines were synthesized now and how many read from the line cache."""

    lines: int
    synthesized: int
    reused: int


@dataclass(frozen=True)
class RoundTrip:
    """narration.verify: the aired track heard back by Whisper, scored against the text."""

    metric: str  # wer, or cer for languages written without spaces
    error_rate: float
    lines: int
    model: str
    names_unheard: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Hearing:
    """narration.verify's work: the spans of neighbouring lines heard, and how many of them
    were heard in this run (the others were cached by their sound)."""

    spans: int
    heard: int


@dataclass(frozen=True)
class TimingRecord(JsonRecord):
    """A version's timing.json."""

    narrated: bool  # False: the version keeps the source's own speech (or narration: none)
    host: str
    retimed: bool  # a plain-text script: lines laid out at the voice's own pace
    lines: tuple[NarratedLine, ...]
    sample_ms: int | None  # `run --sample`: only the lines of the excerpt (and the next)
    voice: dict[str, Any] | None = None  # the voice's identity, its spec and rate
    synthesis: Synthesis | None = None

    @property
    def overflow_lines(self) -> tuple[int, ...]:
        """The lines that overflow their slot (in the file too, for its readers)."""
        return tuple(ln.index for ln in self.lines if ln.overflow > 0)

    @property
    def voice_spec(self) -> str | None:
        spec = (self.voice or {}).get("spec")
        return spec if isinstance(spec, str) else None

    @property
    def voice_engine(self) -> str | None:
        engine = (self.voice or {}).get("engine")
        return engine if isinstance(engine, str) else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"narrated": self.narrated, "host": self.host,
                               "retimed": self.retimed,
                               "lines": [ln.to_dict() for ln in self.lines],
                               "sample_ms": self.sample_ms}
        if self.voice is not None:
            out["voice"] = self.voice
        if self.synthesis is not None:
            out["synthesis"] = asdict(self.synthesis)
        out["overflow_lines"] = list(self.overflow_lines)
        return out


@dataclass(frozen=True)
class HeardLine:
    """One narrated line heard back: what was heard while it plays, and the glossary names
    in its text that were not."""

    index: int  # 1-based, as in timing.json
    text: str
    heard: str
    unheard: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "text": self.text, "heard": self.heard,
                "unheard": list(self.unheard)}


@dataclass(frozen=True)
class HeardRecord(JsonRecord):
    """A version's heard.json (narration.verify)."""

    narration: str  # sha256 of the narration.wav heard: a reader skips a record of another track
    lines: tuple[HeardLine, ...]
    verify: RoundTrip | None  # None: a narration without lines
    hearing: Hearing

    def to_dict(self) -> dict[str, Any]:
        return {"narration": self.narration, "lines": [ln.to_dict() for ln in self.lines],
                "verify": self.verify.to_dict() if self.verify else None,
                "hearing": asdict(self.hearing)}


