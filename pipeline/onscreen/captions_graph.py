"""The render's part for captions on screen (render.onscreen): filter steps and an ASS
script for one output frame.

`replace`: each translated caption's box is filled from the picture around it (ffmpeg's
`delogo`: the box's inside interpolated from its edges, so a gradient or a sky continues
through it) while it shows, and its translation is set in its place in the version's font,
white with a dark outline like the subtitles: aligned as the caption was (left, centred or
right, by where its box sits), the font size shrunk until the text fits the box's width, on
one line or two. `label`: the original stays; the translation is set next to it (under it,
or over it where the subtitle band begins below) at the subtitles' size, as a
forced-narrative subtitle. `keep`: nothing.

Only numbers enter the graph (the ASS script is a file with a fixed name), so nothing needs
escaping; the text goes into the ASS script through `escape_ass`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pysubs2

from pipeline import subtitles as subs
from pipeline.onscreen.captions import Caption
from pipeline.onscreen.cover import Frame

PAD = 0.3  # of the box's height: the fill reaches past the OCR's box (outlines, shadows)
LEAD_S = 0.25  # the fill and the translation start this early and end this late (scan error)
SIZE = 1.15  # font size (libass: the line's height) over the box's height, before fitting
MIN_SIZE = 0.045  # of the frame's height: the smallest size a translation is set at
BAND = 0.78  # where the subtitle band begins (share of the height): labels stay above it
LEADING = 1.25  # line to line, over the size: two lines' letters (and OCR's boxes) stay apart

WidthOf = Callable[[str, float], float | None]  # text width in pixels at an ASS size


@dataclass(frozen=True)
class Placed:
    """One translation set in the frame: its text (lines), ASS size, anchor and position."""

    text: str
    size: int
    align: int  # ASS numpad alignment
    x: int
    y: int
    start: int  # ms
    end: int


@dataclass(frozen=True)
class CaptionPieces:
    """What one output frame adds to its graph: fill steps (before the subtitles) and an ASS
    script (None: no caption set)."""

    steps: tuple[str, ...]
    ass: str | None


def _halves(text: str) -> tuple[str, str] | None:
    """The text cut in two lines nearest its middle (at a space; anywhere in CJK)."""
    flat = " ".join(text.split())
    if " " in flat:
        spaces = [i for i, ch in enumerate(flat) if ch == " "]
        cut = min(spaces, key=lambda i: abs(i - len(flat) / 2))
        return flat[:cut], flat[cut + 1:]
    if len(flat) < 2:
        return None
    return flat[:len(flat) // 2], flat[len(flat) // 2:]


def fit(text: str, room: float, height: float, minimum: float,
        width_of: WidthOf) -> tuple[str, int]:
    """(lines, size): the largest size up to SIZE x the box's height at which the text fits
    `room` pixels wide, on one line, or on two when that sets it larger; never under
    `minimum` (a text that does not fit then runs past the box)."""
    if "\n" in text.strip():  # the editor broke it: keep their lines
        lines = [" ".join(ln.split()) for ln in text.strip().split("\n") if ln.strip()]
    else:
        lines = [" ".join(text.split())]
    top = height * SIZE

    def size_for(rows: list[str], cap: float) -> float:
        widest = max((width_of(r, cap) or 0.0) for r in rows)
        return cap if widest <= room else cap * room / widest

    size = size_for(lines, top)
    halves = _halves(lines[0]) if len(lines) == 1 else None
    if halves is not None and size < 0.75 * top:
        two = size_for(list(halves), top * 0.75)
        if two > size:
            lines, size = list(halves), two
    return "\n".join(lines), max(round(minimum), int(size))


def _anchor(box: tuple[int, int, int, int], width: int) -> tuple[str, int]:
    """Which side the caption is set from, and that side's x: left, centre or right."""
    x, _, w, _ = box
    centre = x + w / 2
    if centre < width * 0.4:
        return "left", x
    if centre > width * 0.6:
        return "right", x + w
    return "centre", round(centre)


_ALIGN = {"left": 4, "centre": 5, "right": 6}  # ASS: vertically centred at the position
_BELOW = {"left": 7, "centre": 8, "right": 9}  # top at the position
_ABOVE = {"left": 1, "centre": 2, "right": 3}  # bottom at the position


def place(captions: list[Caption], src: tuple[int, int], frame: Frame, mode: str,
          subtitle_size: int, width_of: WidthOf) -> tuple[list[tuple[int, int, int, int]],
                                                            list[tuple[float, float]], list[Placed]]:
    """The boxes to fill (frame pixels x, y, w, h), their windows (s), and the texts set."""
    fills: list[tuple[int, int, int, int]] = []
    windows: list[tuple[float, float]] = []
    placed: list[Placed] = []
    if mode == "keep":
        return fills, windows, placed
    margin = round(frame.width * 0.04)
    for c in captions:
        if not c.translated:
            continue
        x0, y0, x1, y1 = c.item.box
        start, end = max(0, c.item.start - round(LEAD_S * 1000)), c.item.end + round(LEAD_S * 1000)
        box = frame.box((x0, y0, x1, y1), *src)
        if box[2] <= 0 or box[3] <= 0:  # cropped out of this frame
            continue
        side, ax = _anchor(box, frame.width)
        if side == "left":
            room = frame.width - margin - ax
        elif side == "right":
            room = ax - margin
        else:
            room = 2 * min(ax - margin, frame.width - margin - ax)
        if mode == "replace":
            pad = round(PAD * (y1 - y0))
            fill = frame.box((x0 - pad, y0 - pad, x1 + pad, y1 + pad), *src)
            fills.append(fill)
            windows.append((start / 1000, end / 1000))
            room = min(room, max(fill[2], round(box[3] * 8)))
            text, size = fit(c.text, room, box[3], MIN_SIZE * frame.height, width_of)
            half = round((text.count("\n") + 1) * size * LEADING / 2)  # inside the frame
            y = min(max(box[1] + box[3] // 2, margin // 2 + half), frame.height - margin // 2 - half)
            placed.append(Placed(text, size, _ALIGN[side], ax, y, start, end))
            continue
        text, size = fit(c.text, room, subtitle_size / SIZE, subtitle_size * 0.6, width_of)
        tall = round((text.count("\n") + 1) * size * LEADING)
        below = box[1] + box[3] + round(0.2 * size)
        if below + tall <= frame.height * BAND:
            placed.append(Placed(text, size, _BELOW[side], ax, below, start, end))
        else:
            placed.append(Placed(text, size, _ABOVE[side], ax, max(tall, box[1] - round(0.2 * size)),
                                 start, end))
    return fills, windows, placed


def fill_step(box: tuple[int, int, int, int], window: tuple[float, float],
              frame: tuple[int, int]) -> str | None:
    """A delogo over the box while the window lasts (kept a pixel inside the frame: delogo
    interpolates from the pixels around it)."""
    x, y, w, h = box
    x0, y0 = max(1, x), max(1, y)
    x1, y1 = min(frame[0] - 2, x + w), min(frame[1] - 2, y + h)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    return (f"delogo=x={x0}:y={y0}:w={x1 - x0}:h={y1 - y0}:"
            f"enable='between(t,{window[0]:.3f},{window[1]:.3f})'")


def ass_script(placed: list[Placed], frame: Frame, font: str) -> str:
    """The translations as ASS events at their positions, one event a line (so the lines sit
    LEADING x the size apart; no wrapping)."""
    doc = subs.new_script(frame.width, frame.height, font=font, size=40, outline=2, shadow=1,
                          alignment=pysubs2.Alignment.TOP_LEFT, wrap=2)
    for p in placed:
        outline = max(1.0, p.size * 0.06)
        lines = p.text.split("\n")
        step = p.size * LEADING
        # where the first line's anchor sits from the block's: centred, top or bottom aligned
        first = {4: -(len(lines) - 1) / 2, 5: -(len(lines) - 1) / 2, 6: -(len(lines) - 1) / 2,
                 7: 0.0, 8: 0.0, 9: 0.0}.get(p.align, -(len(lines) - 1.0))
        for n, line in enumerate(lines):
            y = round(p.y + (first + n) * step)
            tags = (f"{{\\an{p.align}\\pos({p.x},{y})\\fs{p.size}\\bord{outline:.1f}"
                    f"\\shad{max(0.0, p.size * 0.025):.1f}}}")
            doc.append(pysubs2.SSAEvent(start=p.start, end=p.end, text=tags + subs.escape_ass(line)))
    return doc.to_string("ass")


def pieces(captions: list[Caption], src: tuple[int, int], frame: Frame, mode: str, font: str,
           subtitle_size: int, width_of: WidthOf) -> CaptionPieces:
    """One output frame's fill steps and ASS script for a version's captions."""
    fills, windows, placed = place(captions, src, frame, mode, subtitle_size, width_of)
    steps = [s for box, window in zip(fills, windows)
             if (s := fill_step(box, window, (frame.width, frame.height))) is not None]
    return CaptionPieces(tuple(steps), ass_script(placed, frame, font) if placed else None)
