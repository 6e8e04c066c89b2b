"""Event timing a reader can follow: reading time, lead-in, gaps, chained events."""

from __future__ import annotations

from pipeline.subtitles.model import Cue, Rules
from pipeline.subtitles.text import text_length

# How much earlier than its speech an event may appear when it needs the time to be read
# (translations run longer than the source); subtitlers accept a short lead-in, not more.
LEAD_IN_MS = 500


def fix_timing(cues: list[Cue], rules: Rules) -> list[Cue]:
    """Extend short events into free time (for reading speed), or let them appear up to
    LEAD_IN_MS early when the time after them is taken; cap their length, and keep the
    minimum gap (starting an event a few ms late when two events touch)."""
    out: list[Cue] = []
    prev_end = -rules.min_gap
    for i, cue in enumerate(cues):
        start = max(cue.start, prev_end + rules.min_gap)
        end = max(cue.end, start + 1)
        limit = cues[i + 1].start - rules.min_gap if i + 1 < len(cues) else end + 2000
        need = reading_need(cue, rules)
        if end - start < need:
            end = min(start + need, max(limit, end))
        if end - start < need:  # still too fast to read: appear a little before the speech
            start -= max(0, min(need - (end - start), LEAD_IN_MS, start - prev_end - rules.min_gap))
        end = min(end, start + rules.max_duration)
        if i + 1 < len(cues) and end > limit:
            end = max(start + 1, limit)
        out.append(Cue(start, end, cue.text))
        prev_end = end
    return _share_chained(out, rules)


def reading_need(cue: Cue, rules: Rules) -> int:
    """The least time (ms) an event needs on screen to be read at the rules' pace."""
    return max(rules.min_duration, int(1000 * text_length(cue.text) / rules.max_cps) + 1)


def _share_chained(cues: list[Cue], rules: Rules) -> list[Cue]:
    """Two chained events (a sentence split in two: the second starts at the minimum gap)
    share their time by what each needs to be read: the boundary moves later, by at most
    LEAD_IN_MS, when the second can give time (its own spare time or free time after it)."""
    out = list(cues)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        short = reading_need(a, rules) - a.duration
        if short <= 0 or b.start - a.end > rules.min_gap:
            continue
        limit = out[i + 2].start - rules.min_gap if i + 2 < len(out) else b.end
        b_need = reading_need(b, rules)
        room = min(limit, b.start + rules.max_duration) - b.start - b_need
        shift = min(short, room, LEAD_IN_MS, rules.max_duration - a.duration)
        if shift > 0:
            out[i] = Cue(a.start, a.end + shift, a.text)
            end = min(limit, max(b.end, b.start + shift + b_need))
            out[i + 1] = Cue(b.start + shift, end, b.text)
    return out
