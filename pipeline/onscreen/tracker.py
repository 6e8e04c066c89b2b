"""From OCR reads of changed bands to items with a start and an end, and what each item is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from rapidfuzz.fuzz import ratio

from pipeline.engines.ocr import TextLine
from pipeline.onscreen.model import OnscreenItem, script_of

SAME_TEXT = 85.0  # rapidfuzz ratio: two reads of one text (a frame's noise changes a glyph)
MIN_CONFIDENCE = 0.7
MIN_MS = 300  # shorter than this: a read of a transition, not text anyone could read


@dataclass
class _Live:
    text: str
    box: tuple[int, int, int, int]
    start: int
    confidence: float


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over the smaller box."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / max(1, small)


class Tracker:
    def __init__(self) -> None:
        self.live: list[_Live] = []
        self.done: list[OnscreenItem] = []

    def observe(self, t: int, rows: tuple[int, int], lines: list[TextLine],
                start: Callable[[TextLine], int]) -> None:
        """What a read of the frame rows `rows` at t ms found (boxes in source pixels):
        texts still there go on, texts gone end at t, new ones start at start(line)."""
        inside = [lv for lv in self.live if rows[0] <= (lv.box[1] + lv.box[3]) / 2 < rows[1]]
        kept: set[int] = set()
        new: list[TextLine] = []
        for line in lines:
            if line.confidence < MIN_CONFIDENCE:
                continue
            match = next((lv for lv in inside if id(lv) not in kept
                          and _overlap(lv.box, line.box) > 0.5
                          and ratio(lv.text, line.text) >= SAME_TEXT), None)
            if match is None:
                new.append(line)
                continue
            kept.add(id(match))
            if line.confidence > match.confidence:  # the clearest read of it stands
                match.text, match.confidence = line.text, line.confidence
        gone = [lv for lv in inside if id(lv) not in kept]
        for lv in gone:
            self._end(lv, t)
        for line in new:  # a text that took another's place came after it went
            after = max((t for lv in gone if _overlap(lv.box, line.box) > 0), default=0)
            self.live.append(_Live(line.text, line.box, max(start(line), after), line.confidence))

    def _end(self, lv: _Live, t: int) -> None:
        self.live.remove(lv)
        if t - lv.start >= MIN_MS and len(lv.text) >= 2:
            self.done.append(OnscreenItem(lv.text, lv.box, lv.start, t, script_of(lv.text),
                                          round(lv.confidence, 3)))

    def close(self, t: int) -> list[OnscreenItem]:
        for lv in list(self.live):
            self._end(lv, t)
        return sorted(self.done, key=lambda i: (i.start, i.box[1], i.box[0]))


def classify(items: list[OnscreenItem], width: int, height: int) -> list[OnscreenItem]:
    """A burned-in subtitle is text centred in the bottom band that changes over the film
    (at least two different texts there, each up to a dozen seconds); the rest (titles,
    lower thirds, signs) are captions."""
    def bottom_centred(i: OnscreenItem) -> bool:
        cx, cy = i.centre
        return (cy > 0.7 * height and abs(cx - width / 2) < 0.08 * width
                and i.end - i.start <= 12000)

    low = [i for i in items if bottom_centred(i)]
    subtitles = len({i.text for i in low}) >= 2
    return [replace(i, kind="subtitle" if subtitles and bottom_centred(i) else "caption")
            for i in items]
