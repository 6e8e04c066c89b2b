"""What a version does about the subtitles burned into its source: which on-screen windows
it covers with a band, where its own subtitles sit, which of its lines the screen already
shows (the source-language version burns no second copy)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline import subtitles as subs
from pipeline.onscreen.model import Onscreen, OnscreenItem

JOIN_MS = 1000  # two subtitles closer than this share one band (it does not blink between)
PAD = 0.02  # share of the frame's height the band reaches past the text it covers


@dataclass(frozen=True)
class SourceText:
    """A version's plan: the band (source pixels, x0 y0 x1 y1) shown in the windows (ms),
    the top of the source's subtitles (for `above`), and the cues to burn."""

    band: tuple[int, int, int, int] | None
    windows: tuple[tuple[int, int], ...]
    top: int | None  # the highest row the source's subtitles reach (source pixels)
    cues: tuple[subs.Cue, ...]


def _same(a: str, b: str) -> bool:
    keep = lambda s: "".join(ch for ch in s if ch.isalnum())  # noqa: E731
    return keep(a) == keep(b)


def _overlap(cue: subs.Cue, item: OnscreenItem) -> int:
    return min(cue.end, item.end) - max(cue.start, item.start)


def _merged(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a - out[-1][1] < JOIN_MS:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return tuple(out)


def plan(onscreen: Onscreen | None, cues: list[subs.Cue], mode: str,
         own_language: bool) -> SourceText:
    """`mode`: cover | above | keep (render.source_subtitles); `own_language`: the version is
    in the language the screen's subtitles are in (their text is its transcript)."""
    shown = onscreen.subtitles() if onscreen else []
    if not shown or (mode == "keep" and not own_language):
        return SourceText(None, (), None, tuple(cues))
    covered: list[OnscreenItem] = list(shown)
    burn = list(cues)
    if own_language:  # a line the screen shows as written is not burned again
        burn, covered = [], []
        for cue in cues:
            under = [i for i in shown if _overlap(cue, i) > 0.5 * min(cue.duration, i.end - i.start)]
            if under and _same(cue.text, "".join(i.text for i in under)):
                continue
            burn.append(cue)
            covered += under  # an edited line: the original goes under the band
    top = min(i.box[1] for i in shown)
    if mode == "keep":  # never a second copy, whatever the mode; an edit burned where it falls
        return SourceText(None, (), None, tuple(burn))
    if mode == "above" or not covered:
        return SourceText(None, (), top if mode == "above" else None, tuple(burn))
    assert onscreen is not None
    pad = round(PAD * onscreen.height)
    band = (0, max(0, min(i.box[1] for i in covered) - pad), onscreen.width,
            min(onscreen.height, max(i.box[3] for i in covered) + pad))
    return SourceText(band, _merged([(i.start, i.end) for i in covered]), top, tuple(burn))


@dataclass(frozen=True)
class Frame:
    """How a source picture of width x height is fitted into an output frame."""

    width: int
    height: int
    fit: str  # pad | crop | blur

    def place(self, src_w: int, src_h: int) -> tuple[float, float, float]:
        """(scale, x offset, y offset) of the source picture in the frame."""
        s = (max if self.fit == "crop" else min)(self.width / src_w, self.height / src_h)
        return s, (self.width - src_w * s) / 2, (self.height - src_h * s) / 2

    def box(self, box: tuple[int, int, int, int], src_w: int,
            src_h: int) -> tuple[int, int, int, int]:
        """A box of the source in the frame's pixels (x, y, w, h), clipped to the frame and
        to the picture's area (a pad's bars stay bars)."""
        s, dx, dy = self.place(src_w, src_h)
        left, right = max(0.0, dx), min(float(self.width), dx + src_w * s)
        x0 = max(left, box[0] * s + dx)
        x1 = min(right, box[2] * s + dx)
        y0 = max(0.0, box[1] * s + dy)
        y1 = min(float(self.height), box[3] * s + dy)
        return round(x0), round(y0), max(0, round(x1 - x0)), max(0, round(y1 - y0))
