"""The subtitle data model: events (Cue), timed words (Word) and reading rules (Rules).

Times are integer milliseconds (no float drift in hashes or comparisons).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.subtitles.text import join_words


@dataclass(frozen=True)
class Cue:
    start: int  # ms
    end: int  # ms
    text: str  # lines joined by "\n"

    @property
    def duration(self) -> int:
        return self.end - self.start

    @property
    def flat(self) -> str:
        """The text as one line (what a voice reads)."""
        return join_words(self.text.split("\n"))


@dataclass(frozen=True)
class Word:
    """A recognized word, or a piece of one: Whisper cuts "3,000" into " 3" and ",000"."""

    start: int
    end: int
    text: str
    # the piece continues the word before it: Whisper wrote no space before it (its word text
    # has no leading space); see segment.written_words
    attached: bool = False


@dataclass(frozen=True)
class Rules:
    """Reading rules for one language, modelled on the Netflix timed-text style guides."""

    max_chars_per_line: int = 42
    max_lines: int = 2
    max_cps: float = 17.0
    min_duration: int = 833
    max_duration: int = 7000
    min_gap: int = 80  # two frames at 25 fps
