"""ASS: the script libass burns into the picture, sized for one output frame."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pysubs2

from pipeline.subtitles.model import Cue


def escape_ass(text: str) -> str:
    """Make text show literally in ASS: no override blocks, no \\N or \\h escapes.

    libass (0.17 here) reads \\{ and \\} as literal braces; a backslash before N, n or h
    is kept literal by a word joiner (U+2060) after it.
    """
    text = re.sub(r"\\(?=[Nnh{}])", "\\\\\u2060", text)
    text = text.replace("{", "\\{").replace("}", "\\}")
    return text.replace("\n", "\\N")


@dataclass(frozen=True)
class AssStyle:
    width: int
    height: int
    font: str
    size_px: int
    margin_v: int
    outline_px: float
    shadow_px: float
    margin_sides: float | None = None  # share of the width kept free at each side (None: 0.05)


def new_script(width: int, height: int, *, font: str, size: float, outline: float,
               shadow: float, alignment: pysubs2.Alignment, wrap: int,
               margins: tuple[int, int, int] = (0, 0, 0)) -> pysubs2.SSAFile:
    """An empty ASS script for a width x height frame whose Default style is the house look
    (white, a black outline, borders and shadows scaled with the frame); margins: left,
    right, vertical (px)."""
    script = pysubs2.SSAFile()
    script.info["PlayResX"] = str(width)
    script.info["PlayResY"] = str(height)
    script.info["WrapStyle"] = str(wrap)
    script.info["ScaledBorderAndShadow"] = "yes"
    script.styles["Default"] = pysubs2.SSAStyle(
        fontname=font,
        fontsize=size,
        primarycolor=pysubs2.Color(255, 255, 255, 0),
        outlinecolor=pysubs2.Color(0, 0, 0, 0),
        backcolor=pysubs2.Color(0, 0, 0, 128),
        outline=outline,
        shadow=shadow,
        alignment=alignment,
        marginl=margins[0],
        marginr=margins[1],
        marginv=margins[2],
    )
    return script


def ass_text(cues: list[Cue], style: AssStyle) -> str:
    """An ASS script sized for one output frame, with every event's text shown literally."""
    sides = int(style.width * (0.05 if style.margin_sides is None else style.margin_sides))
    subs = new_script(style.width, style.height, font=style.font, size=style.size_px,
                      outline=style.outline_px, shadow=style.shadow_px,
                      alignment=pysubs2.Alignment.BOTTOM_CENTER, wrap=0,
                      margins=(sides, sides, style.margin_v))
    for cue in cues:
        subs.append(pysubs2.SSAEvent(start=cue.start, end=cue.end, text=escape_ass(cue.text)))
    return subs.to_string("ass")


# the sidecar's frame when no render profile gives one: 1920x1080, the default look
SIDECAR_STYLE = AssStyle(1920, 1080, "Noto Sans", 49, 65, outline_px=3.9, shadow_px=1.5)


def write(cues: list[Cue], lang: str) -> bytes:
    """The table's writer: an ASS script for a 1920x1080 frame (render writes its own, sized
    for each profile)."""
    return ass_text(cues, SIDECAR_STYLE).encode("utf-8")
