"""Fitting narration into slots: never overlapping, capped speed-up, overflow listed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.timing import fit_lines, smooth_speeds


@st.composite
def lines(draw: st.DrawFn) -> tuple[list[tuple[int, int]], list[int]]:
    n = draw(st.integers(min_value=1, max_value=25))
    slots, speech, t = [], [], 0
    for _ in range(n):
        t += draw(st.integers(min_value=80, max_value=3000))
        length = draw(st.integers(min_value=300, max_value=6000))
        slots.append((t, t + length))
        t += length
        speech.append(draw(st.integers(min_value=200, max_value=12000)))
    return slots, speech


@settings(max_examples=300, deadline=None)
@given(lines(), st.sampled_from([None, 0.1]))
def test_lines_never_overlap_and_overflow_is_reported(case: tuple[list[tuple[int, int]], list[int]],
                                                       smoothing: float | None) -> None:
    slots, speech = case
    duration = slots[-1][1] + 2000
    fits = fit_lines(slots, speech, duration, 1.35, 100, smoothing)
    for a, b in zip(fits, fits[1:]):
        assert b.start >= a.end + 100
    for fit, (s0, s1), length in zip(fits, slots, speech):
        assert 1.0 <= fit.speed <= 1.35
        assert fit.start >= s0
        if smoothing is None and length <= s1 - s0 and fit.start == s0:
            assert fit.speed == 1.0
        free_end = max(s1, slots[fit.index][0] - 100) if fit.index < len(slots) else duration
        if fit.end > free_end:
            assert fit.overflow > 0


def test_a_line_that_cannot_fit_is_listed_and_pushes_the_next() -> None:
    fits = fit_lines([(0, 1000), (1200, 3000)], [4000, 1000], 5000, 1.35, 100)
    first, second = fits
    assert first.speed == 1.35 and first.overflow > 0
    assert second.start >= first.end + 100


def test_smoothing_limits_jumps_between_neighbouring_lines() -> None:
    slots = [(0, 2000), (2100, 4000), (4100, 6000)]
    speeds = smooth_speeds(slots, [1.0, 1.35, 1.0], 0.1, 1.35)
    assert all(abs(a - b) <= 0.1 + 1e-9 for a, b in zip(speeds, speeds[1:]))
    far = smooth_speeds([(0, 1000), (9000, 10000)], [1.0, 1.35], 0.1, 1.35)
    assert far == [1.0, 1.35]  # lines far apart are separate passages
