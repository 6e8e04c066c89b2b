"""QA of subtitle events against the reading rules (generated and hand-edited files alike)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from pipeline.subtitles.model import Cue, Rules
from pipeline.subtitles.text import text_length


@dataclass(frozen=True)
class Finding:
    index: int  # 1-based event number as in the SRT
    rule: str
    detail: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def check(cues: list[Cue], rules: Rules) -> list[Finding]:
    """Every rule violation in a list of events."""
    found: list[Finding] = []
    for n, cue in enumerate(cues, start=1):
        lines = cue.text.split("\n")
        if len(lines) > rules.max_lines:
            found.append(Finding(n, "max_lines", f"{len(lines)} lines > {rules.max_lines}"))
        for line in lines:
            if text_length(line) > rules.max_chars_per_line:
                found.append(Finding(n, "max_chars_per_line",
                                     f"{text_length(line)} chars > {rules.max_chars_per_line}: {line!r}"))
        if cue.duration <= 0:
            found.append(Finding(n, "duration", "ends before it starts"))
            continue
        cps = text_length(cue.text) / (cue.duration / 1000)
        if cps > rules.max_cps + 0.05:
            found.append(Finding(n, "max_cps", f"{cps:.1f} chars/s > {rules.max_cps:g}"))
        if cue.duration < rules.min_duration:
            found.append(Finding(n, "min_duration", f"{cue.duration} ms < {rules.min_duration}"))
        if cue.duration > rules.max_duration:
            found.append(Finding(n, "max_duration", f"{cue.duration} ms > {rules.max_duration}"))
        if n > 1 and cue.start - cues[n - 2].end < rules.min_gap:
            gap = cue.start - cues[n - 2].end
            found.append(Finding(n, "min_gap", f"{gap} ms after the previous event < {rules.min_gap}"))
    return found
