"""pipeline/narration/fit.py fit_lines: narration lines placed in their subtitle slots, sped up at
most max_speedup, never overlapping; what cannot fit is reported as overflow."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.narration.fit import NEIGHBOUR_MS, fit_lines, sequential_slots


@st.composite
def narrations(draw: st.DrawFn) -> tuple[list[tuple[int, int]], list[int], int, float, int, float | None]:
    """Subtitle slots in order (possibly touching), a synthesized length per line, the video's
    duration, max_speedup, the gap and the smoothing step."""
    n = draw(st.integers(1, 12))
    slots, t = [], draw(st.integers(0, 3000))
    for _ in range(n):
        t += draw(st.sampled_from([0, 40, 80, 300, 1000, 2500]))
        length = draw(st.integers(300, 6000))
        slots.append((t, t + length))
        t += length
    speech = [draw(st.integers(100, 12_000)) for _ in range(n)]
    duration = t + draw(st.integers(0, 4000))
    max_speedup = draw(st.sampled_from([1.0, 1.2, 1.35, 2.0]))
    gap = draw(st.sampled_from([0, 100, 250]))
    smoothing = draw(st.sampled_from([None, 0.05, 0.1, 0.3]))
    return slots, speech, duration, max_speedup, gap, smoothing


def _limit(slots: list[tuple[int, int]], i: int, duration: int, gap: int) -> int:
    """The end of the free time after slot i: the next slot's start less the gap, or the end
    of the video (never before the slot's own end)."""
    nxt = slots[i + 1][0] - gap if i + 1 < len(slots) else duration
    return max(nxt, slots[i][1])


@settings(max_examples=400, deadline=None, database=None)
@given(narrations())
def test_fitted_lines_never_overlap_and_report_what_does_not_fit(case) -> None:
    slots, speech, duration, max_speedup, gap, smoothing = case
    lines = fit_lines(slots, speech, duration, max_speedup, gap, smoothing)
    assert [ln.index for ln in lines] == list(range(1, len(slots) + 1))
    prev_end = None
    for i, ln in enumerate(lines):
        s0, s1 = slots[i]
        assert (ln.slot_start, ln.slot_end, ln.speech) == (s0, s1, speech[i])
        # never before its slot, never over the previous line
        assert ln.start >= s0
        if prev_end is not None:
            assert ln.start >= prev_end + gap
        prev_end = ln.end
        # the speed factor is within bounds and is what the placed length says
        assert 1.0 <= ln.speed <= max_speedup
        assert abs((ln.end - ln.start) - speech[i] / ln.speed) <= 1.01
        # a line that cannot fit even at max speed plus the borrowed silence overflows...
        limit = _limit(slots, i, duration, gap)
        if round(speech[i] / max_speedup) > limit - s0:
            assert ln.overflow > 0
        # ...and the overflow is exactly how far past the free time it runs
        assert ln.overflow == max(0, ln.end - limit)
        assert ln.borrowed == max(0, min(ln.end, limit) - s1)
        # a line placed on time that fits at max speed in the free time does not overflow
        if ln.start == s0 and round(speech[i] / max_speedup) <= limit - s0:
            assert ln.overflow == 0, ln


@settings(max_examples=300, deadline=None, database=None)
@given(narrations())
def test_without_smoothing_a_line_that_fits_is_not_sped_up(case) -> None:
    slots, speech, duration, max_speedup, gap, _ = case
    lines = fit_lines(slots, speech, duration, max_speedup, gap, None)
    for (s0, s1), length, ln in zip(slots, speech, lines):
        if length <= s1 - s0:
            assert ln.speed == 1.0
            assert ln.end - ln.start == length
        else:  # just as fast as needed to fill the slot, no faster
            assert ln.speed == round(min(length / (s1 - s0), max_speedup), 4)


@settings(max_examples=300, deadline=None, database=None)
@given(narrations())
def test_smoothing_limits_the_speed_change_between_neighbours(case) -> None:
    slots, speech, duration, max_speedup, gap, smoothing = case
    step = smoothing if smoothing is not None else 0.1
    lines = fit_lines(slots, speech, duration, max_speedup, gap, step)
    plain = fit_lines(slots, speech, duration, max_speedup, gap, None)
    for i in range(1, len(lines)):
        if slots[i][0] - slots[i - 1][1] < NEIGHBOUR_MS:
            assert abs(lines[i].speed - lines[i - 1].speed) <= step + 1e-3
    for smooth, raw in zip(lines, plain):  # smoothing only ever speeds a line up
        assert raw.speed <= smooth.speed <= max_speedup


def test_an_impossible_line_overflows_and_pushes_the_next_one() -> None:
    # line 1: 3 s of speech for a 1 s slot; at 1.35x it takes 2222 ms, the free time before
    # line 2 (at 1.2 s, less a 100 ms gap) is 1.1 s: it borrows 100 ms and overflows 1122 ms
    lines = fit_lines([(0, 1000), (1200, 2000)], [3000, 500], duration=5000, max_speedup=1.35, gap=100)
    first, second = lines
    assert (first.speed, first.start, first.end) == (1.35, 0, 2222)
    assert (first.borrowed, first.overflow) == (100, 1122)
    # line 2 fits its slot but starts late, after line 1 and the gap: never on top of it
    assert (second.speed, second.start, second.end) == (1.0, 2322, 2822)
    assert second.overflow == 0
    assert first.as_dict()["overflow"] == 1122


def test_a_line_that_fits_with_borrowed_silence_does_not_overflow() -> None:
    # 1.2 s of speech, 0.8 s slot: 1.35x makes 889 ms, 89 ms borrowed from the 700 ms of silence
    (line,) = fit_lines([(1000, 1800)], [1200], duration=2500, max_speedup=1.35, gap=100)
    assert (line.speed, line.start, line.end, line.borrowed, line.overflow) == (1.35, 1000, 1889, 89, 0)


def test_the_last_line_overflows_past_the_end_of_the_video() -> None:
    (line,) = fit_lines([(1000, 2000)], [4000], duration=2500, max_speedup=1.35, gap=100)
    assert line.end == 1000 + round(4000 / 1.35)
    assert line.overflow == line.end - 2500 > 0


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.integers(200, 8000), min_size=1, max_size=10), st.integers(0, 2000),
       st.integers(5_000, 60_000), st.sampled_from([1.0, 1.35, 2.0]))
def test_sequential_slots_follow_each_other_at_one_speed(speech: list[int], first: int, duration: int,
                                                         max_speedup: float) -> None:
    pause = 500  # between lines, not sped up
    slots = sequential_slots(first, speech, duration, pause, max_speedup)
    assert len(slots) == len(speech) and slots[0][0] == first
    for (_a0, a1), (b0, _b1) in zip(slots, slots[1:]):
        assert b0 == a1 + pause
    speeds = [length / (s1 - s0) for (s0, s1), length in zip(slots, speech)]
    assert all(0.99 <= sp <= max_speedup * 1.01 + 0.01 for sp in speeds)
    if max(speeds) < max_speedup * 0.99:  # not at the cap: the script ends before the video
        tail = 300  # the default quiet end
        assert slots[-1][1] <= duration - tail + len(speech)  # (1 ms rounding per line)
