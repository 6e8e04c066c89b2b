"""Caption formats: one module per format, one row per format in CAPTION_FORMATS.

A row names the format, its file ending and its module, whose `write(cues, lang) -> bytes`
writes it; a writer that cannot carry a language raises CaptionFormatError naming what to send instead.
Adding a format is a module beside these and one row below (docs: "Add a caption format").
"""

from __future__ import annotations

from pipeline.subtitles.formats.ass import AssStyle, ass_text, escape_ass, new_script
from pipeline.subtitles.formats.base import CaptionFormat, CaptionFormatError
from pipeline.subtitles.formats.srt import decode_subtitle_bytes, load_srt, parse_srt, srt_text
from pipeline.subtitles.formats.vtt import load_vtt, vtt_text
from pipeline.subtitles.model import Cue

CAPTION_FORMATS: dict[str, CaptionFormat] = {f.name: f for f in (
    CaptionFormat("srt", ".srt", "srt", "SubRip, UTF-8: every platform and most broadcasters"),
    CaptionFormat("vtt", ".vtt", "vtt", "WebVTT, UTF-8: web players (HTML5 <track>)"),
    CaptionFormat("ass", ".ass", "ass", "Advanced SubStation Alpha: styled, for editors"),
    CaptionFormat("imsc", ".ttml", "imsc",
                  "IMSC1 Text Profile TTML (EBU-TT-D subset), every script: broadcasters, OTT"),
    CaptionFormat("ebu-stl", ".stl", "stl",
                  "EBU-STL Teletext, 25 fps: Latin, Cyrillic, Greek, Arabic, Hebrew only"),
    CaptionFormat("scc", ".scc", "scc", "SCC (CEA-608, 29.97 fps): US broadcast, English only"),
)}


def caption_format(name: str) -> CaptionFormat:
    """The table's row for a name, or CaptionFormatError listing the names there are."""
    try:
        return CAPTION_FORMATS[name]
    except KeyError:
        raise CaptionFormatError(f"{name!r} is not a caption format; use one of "
                                 f"{', '.join(CAPTION_FORMATS)}") from None


def write_caption(name: str, cues: list[Cue], lang: str) -> bytes:
    """The bytes of one sidecar in the named format."""
    return caption_format(name).write(cues, lang)


__all__ = [
    "CAPTION_FORMATS", "AssStyle", "CaptionFormat", "CaptionFormatError", "ass_text",
    "caption_format", "decode_subtitle_bytes", "escape_ass", "load_srt", "load_vtt", "new_script",
    "parse_srt",
    "srt_text", "vtt_text", "write_caption",
]
