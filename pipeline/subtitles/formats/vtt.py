"""WebVTT sidecars (pysubs2): cue text is markup there, so &, < and > go as entities."""

from __future__ import annotations

import html
from pathlib import Path

from pipeline.subtitles.formats.base import load_with_pysubs2, to_ssafile
from pipeline.subtitles.model import Cue


def load_vtt(path: Path) -> list[Cue]:
    """Events of a WebVTT file (the sidecars this tool writes; entities read back)."""
    return [Cue(c.start, c.end, html.unescape(c.text)) for c in load_with_pysubs2(path, "vtt", "WebVTT")]


def vtt_text(cues: list[Cue]) -> str:
    """WebVTT: cue text is markup there, so &, < and > are written as entities (a line like
    "Rock & Roll <3" would otherwise open a tag in every player)."""
    escaped = [Cue(c.start, c.end, html.escape(c.text, quote=False)) for c in cues]
    return to_ssafile(escaped).to_string("vtt", keep_ssa_tags=True)



def write(cues: list[Cue], lang: str) -> bytes:
    """The table's writer: UTF-8 WebVTT (every script)."""
    return vtt_text(cues).encode("utf-8")
