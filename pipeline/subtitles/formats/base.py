"""What every caption format shares: the table row's shape, its error, and the pysubs2
helpers that keep every character of a cue's text literal."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import pysubs2

from pipeline.errors import MediaError, PipelineError
from pipeline.subtitles.model import Cue


class CaptionFormatError(PipelineError):
    """A caption format cannot carry these cues (a script it has no characters for, a line
    too long for its grid); the message names the format, the language and what to use."""


@dataclass(frozen=True)
class CaptionFormat:
    """One row of the caption-format table: the format's name, its file ending and the module
    (in this package) whose `write(cues, lang) -> bytes` writes it."""

    name: str  # the identifier users write (delivery.outlets)
    suffix: str  # the file name's ending, e.g. ".srt"
    module: str  # pipeline.subtitles.formats.<module>
    about: str  # one line: what it is and who asks for it

    def write(self, cues: list[Cue], lang: str) -> bytes:
        """The file's bytes (the module is imported on first use: heavy libraries load only
        for the formats a run writes)."""
        writer = importlib.import_module(f"pipeline.subtitles.formats.{self.module}").write
        data: bytes = writer(cues, lang)
        return data


def language_of(tag: str) -> str:
    """The language of a tag: zh-Hans-CN -> zh."""
    return tag.split("-")[0].lower()


# pysubs2 (reading the VTT sidecars) turns SRT styling into these tags
_SSA_STYLE_TAGS = re.compile(r"\{\\[ibus][01]\}")

# pysubs2 reads \N, \n and \h in SRT text as ASS escapes; a literal backslash before those
# letters is written with a word joiner (U+2060) after it and read back without it.
_WS_ESCAPE = re.compile(r"\\(?=[Nnh])")
LITERAL_BACKSLASH = "\\\u2060"


def event_text(raw: str) -> str:
    text = _SSA_STYLE_TAGS.sub("", raw).replace("\\N", "\n").replace("\\n", "\n")
    return text.replace(LITERAL_BACKSLASH, "\\").strip()


def load_with_pysubs2(path: Path, format_: str, name: str) -> list[Cue]:
    try:
        subs = pysubs2.load(str(path), encoding="utf-8", format_=format_)
    except Exception as e:  # pysubs2 raises several types for bad input
        raise MediaError(f"{path}: not a readable {name} file ({e}); fix or delete it") from e
    cues = [Cue(ev.start, ev.end, event_text(ev.text)) for ev in subs]
    return [c for c in cues if c.text]


def to_ssafile(cues: list[Cue]) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    for cue in cues:
        text = _WS_ESCAPE.sub(LITERAL_BACKSLASH, cue.text).replace("\n", "\\N")
        subs.append(pysubs2.SSAEvent(start=cue.start, end=cue.end, text=text))
    return subs
