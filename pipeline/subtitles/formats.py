"""SRT, WebVTT and ASS through pysubs2: every character of the text is kept literally."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import pysubs2

from pipeline.errors import MediaError
from pipeline.subtitles.model import Cue

# SRT has no override syntax: text in braces is text. pysubs2 turns the HTML styling of SRT
# (<i>, <b>, <u>, <s>) into these tags on reading; we render plain text, so they go.
_SRT_STYLE_TAGS = re.compile(r"\{\\[ibus][01]\}")

# pysubs2 reads \N, \n and \h in SRT text as ASS escapes; a literal backslash before those
# letters is written with a word joiner (U+2060) after it and read back without it.
_WS_ESCAPE = re.compile(r"\\(?=[Nnh])")
_LITERAL_BACKSLASH = "\\\u2060"


def _event_text(raw: str) -> str:
    text = _SRT_STYLE_TAGS.sub("", raw).replace("\\N", "\n").replace("\\n", "\n")
    return text.replace(_LITERAL_BACKSLASH, "\\").strip()


def _load(path: Path, format_: str, name: str) -> list[Cue]:
    try:
        subs = pysubs2.load(str(path), encoding="utf-8", format_=format_)
    except Exception as e:  # pysubs2 raises several types for bad input
        raise MediaError(f"{path}: not a readable {name} file ({e}); fix or delete it") from e
    cues = [Cue(ev.start, ev.end, _event_text(ev.text)) for ev in subs]
    return [c for c in cues if c.text]


def load_srt(path: Path) -> list[Cue]:
    """Events of an SRT file; every character of the text is kept literally (braces too)."""
    return _load(path, "srt", "SRT")


def load_vtt(path: Path) -> list[Cue]:
    """Events of a WebVTT file (the sidecars this tool writes; entities read back)."""
    return [Cue(c.start, c.end, html.unescape(c.text)) for c in _load(path, "vtt", "WebVTT")]


def _to_ssafile(cues: list[Cue]) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    for cue in cues:
        text = _WS_ESCAPE.sub(_LITERAL_BACKSLASH, cue.text).replace("\n", "\\N")
        subs.append(pysubs2.SSAEvent(start=cue.start, end=cue.end, text=text))
    return subs


def srt_text(cues: list[Cue]) -> str:
    return _to_ssafile(cues).to_string("srt", keep_ssa_tags=True)


def vtt_text(cues: list[Cue]) -> str:
    """WebVTT: cue text is markup there, so &, < and > are written as entities (a line like
    "Rock & Roll <3" would otherwise open a tag in every player)."""
    escaped = [Cue(c.start, c.end, html.escape(c.text, quote=False)) for c in cues]
    return _to_ssafile(escaped).to_string("vtt", keep_ssa_tags=True)


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


def ass_text(cues: list[Cue], style: AssStyle) -> str:
    """An ASS script sized for one output frame, with every event's text shown literally."""
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
        marginl=int(style.width * 0.05),
        marginr=int(style.width * 0.05),
        marginv=style.margin_v,
    )
    for cue in cues:
        subs.append(pysubs2.SSAEvent(start=cue.start, end=cue.end, text=escape_ass(cue.text)))
    return subs.to_string("ass")
