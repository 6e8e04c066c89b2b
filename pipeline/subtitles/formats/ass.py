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


def ass_text(cues: list[Cue], style: AssStyle) -> str:
    """An ASS script sized for one output frame, with every event's text shown literally."""
    sides = 0.05 if style.margin_sides is None else style.margin_sides
    subs = pysubs2.SSAFile()
    subs.info["PlayResX"] = str(style.width)
    subs.info["PlayResY"] = str(style.height)
    subs.info["WrapStyle"] = "0"
    subs.info["ScaledBorderAndShadow"] = "yes"
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname=style.font,
        fontsize=style.size_px,
        primarycolor=pysubs2.Color(255, 255, 255, 0),
        outlinecolor=pysubs2.Color(0, 0, 0, 0),
        backcolor=pysubs2.Color(0, 0, 0, 128),
        outline=style.outline_px,
        shadow=style.shadow_px,
        alignment=pysubs2.Alignment.BOTTOM_CENTER,
        marginl=int(style.width * sides),
        marginr=int(style.width * sides),
        marginv=style.margin_v,
    )
    for cue in cues:
        subs.append(pysubs2.SSAEvent(start=cue.start, end=cue.end, text=escape_ass(cue.text)))
    return subs.to_string("ass")


# the sidecar's frame when no render profile gives one: 1920x1080, the default look
SIDECAR_STYLE = AssStyle(1920, 1080, "Noto Sans", 49, 65, outline_px=3.9, shadow_px=1.5)


def write(cues: list[Cue], lang: str) -> bytes:
    """The table's writer: an ASS script for a 1920x1080 frame (render writes its own, sized
    for each profile)."""
    return ass_text(cues, SIDECAR_STYLE).encode("utf-8")
