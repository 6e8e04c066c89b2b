"""Fitting each narration line into its subtitle slot, without ever overlapping two lines."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class LineTiming:
    index: int  # 1-based, as in the SRT
    slot_start: int  # ms: the subtitle event
    slot_end: int
    speech: int  # ms: synthesized length before speed-up
    speed: float  # tempo factor applied (1.0 = as synthesized)
    start: int  # ms: where the line is placed
    end: int
    borrowed: int  # ms taken from the silence after the slot
    overflow: int  # ms past the free time before the next line (or the video's end)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


NEIGHBOUR_MS = 1500  # lines closer than this are heard as one passage


def smooth_speeds(slots: list[tuple[int, int]], speeds: list[float], step: float,
                  max_speedup: float) -> list[float]:
    """Raise the slower of two neighbouring lines so their speeds differ by at most `step`:
    the host never lurches from a calm line into a sudden fast one."""
    out = list(speeds)
    for _ in range(2):
        for i in range(1, len(out)):
            if slots[i][0] - slots[i - 1][1] < NEIGHBOUR_MS:
                out[i] = min(max_speedup, max(out[i], out[i - 1] - step))
        for i in range(len(out) - 2, -1, -1):
            if slots[i + 1][0] - slots[i][1] < NEIGHBOUR_MS:
                out[i] = min(max_speedup, max(out[i], out[i + 1] - step))
    return out


def fit_lines(slots: list[tuple[int, int]], speech: list[int], duration: int,
              max_speedup: float, gap: int, smoothing: float | None = None) -> list[LineTiming]:
    """Place each line at its slot, sped up at most max_speedup, borrowing the silence
    before the next slot; what still does not fit is overflow, and pushes the next line
    later instead of overlapping it. With `smoothing`, neighbouring speeds differ by at most
    that much."""
    needed = [1.0 if length <= max(1, s1 - s0) else min(length / max(1, s1 - s0), max_speedup)
              for (s0, s1), length in zip(slots, speech)]
    if smoothing is not None:
        needed = smooth_speeds(slots, needed, smoothing, max_speedup)
    out: list[LineTiming] = []
    prev_end = -gap
    for i, ((s0, s1), length) in enumerate(zip(slots, speech)):
        speed = needed[i]
        placed = int(round(length / speed))
        start = max(s0, prev_end + gap)
        end = start + placed
        limit = slots[i + 1][0] - gap if i + 1 < len(slots) else duration
        limit = max(limit, s1)
        borrowed = max(0, min(end, limit) - s1)
        overflow = max(0, end - limit)
        out.append(LineTiming(i + 1, s0, s1, length, round(speed, 4), start, end, borrowed, overflow))
        prev_end = end
    return out


def sequential_slots(first_start: int, speech: list[int], duration: int, pause: int,
                     max_speedup: float, tail: int = 300) -> list[tuple[int, int]]:
    """Slots for a plain-text script: the lines one after another at the voice's own pace,
    sped up evenly (at most max_speedup) when they would run past the end of the video."""
    pauses = pause * max(0, len(speech) - 1)  # pauses keep their length; only speech speeds up
    room = max(1, duration - first_start - tail - pauses)
    speed = min(max_speedup, max(1.0, sum(speech) / room))
    slots, t = [], first_start
    for length in speech:
        span = int(round(length / speed))
        slots.append((t, t + span))
        t += span + pause
    return slots
