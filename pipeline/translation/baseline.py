"""What a version's subtitles were made from and what they were, kept beside the translate
task's state (`Layout.detail`, `.state/translate.<lang>.detail.json`): when the input
changes under a hand edit, the review desk lists the source lines that changed and the lines
the editor changed (pipeline/delivery/edits.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.records import JsonRecord

TimedLine = tuple[int, int, str]  # start ms, end ms, text


@dataclass(frozen=True)
class Baseline(JsonRecord):
    source_lines: tuple[TimedLine, ...]  # the input's lines
    lines: tuple[TimedLine, ...]  # the file's lines
    fingerprint: str = ""  # the state it belongs to (the executor tags it when recording)

    def to_dict(self) -> dict[str, Any]:
        """The lines as the file holds them (the executor puts the fingerprint first)."""
        return {"source_lines": [list(ln) for ln in self.source_lines],
                "lines": [list(ln) for ln in self.lines]}

