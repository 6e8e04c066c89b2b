"""Subtitle events, one module per seam: the model (Cue, Word, Rules), script-aware text,
line breaking, segmentation of recognized words, reading-time fixes, QA, and file formats.

The names below are the package's public API (`from pipeline import subtitles as subs`).
"""

from pipeline.subtitles.check import PAUSE_MS, Finding, check, could_regroup, ends_sentence, is_short, orphan_of
from pipeline.subtitles.formats import (
    AssStyle,
    ass_text,
    escape_ass,
    load_srt,
    load_vtt,
    new_script,
    srt_text,
    vtt_text,
)
from pipeline.subtitles.lines import break_lines, fits
from pipeline.subtitles.model import Cue, Rules, Word
from pipeline.subtitles.retime import LEAD_IN_MS, fix_timing, reading_need
from pipeline.subtitles.segment import segment_words, written_words
from pipeline.subtitles.text import (
    FUNCTION_WORDS,
    attaches,
    cjk_tokens,
    is_cjk_char,
    join_words,
    text_length,
    weak_end,
)

__all__ = [
    "FUNCTION_WORDS", "LEAD_IN_MS", "PAUSE_MS", "AssStyle", "Cue", "Finding", "Rules",
    "Word", "ass_text", "attaches", "break_lines", "check", "cjk_tokens", "could_regroup",
    "ends_sentence", "escape_ass", "fits", "fix_timing", "is_cjk_char", "is_short", "join_words",
    "load_srt", "load_vtt", "new_script", "orphan_of", "reading_need", "segment_words", "srt_text",
    "text_length", "vtt_text", "weak_end", "written_words",
]
