"""Whisper's words as the pipeline uses them: stripped, each marked with whether Whisper
wrote a space before it (a piece without one continues the word before it, as in " 3"
",000" or Chinese "Ba" "ot" "u": `subtitles.written_words` joins them), Chinese marks full
width."""

from __future__ import annotations

from pipeline.engines.asr.base import AsrWord
from pipeline.language.tags import primary
from pipeline.language.writing import FULL_WIDTH_LANGS, is_unspaced_char

_FULL_WIDTH = str.maketrans({",": "，", ".": "。", "?": "？", "!": "！", ";": "；", ":": "："})


def full_width_marks(words: list[AsrWord]) -> list[AsrWord]:
    """Whisper often ends Chinese clauses with ASCII marks ("济南,"): a mark right after a
    CJK glyph becomes the full-width one Chinese text uses ("济南，"), so clause and sentence
    ends read as such downstream and no space is put after them. "10.5" and "Baotu," stay."""
    out = []
    for w in words:
        text = w.text
        chars = list(text)
        for i in range(1, len(chars)):
            if chars[i] in ",.?!;:" and (is_unspaced_char(chars[i - 1]) or chars[i - 1] in "，。？！；："):
                chars[i] = chars[i].translate(_FULL_WIDTH)
        out.append(AsrWord(w.start, w.end, "".join(chars), w.probability, w.space_before))
    return out


def tidy_words(raw: list[AsrWord], language: str) -> list[AsrWord]:
    """One segment's words as the model wrote them (leading space and all) -> the words the
    pipeline uses: stripped, with `space_before` kept; Chinese marks full width."""
    words = [AsrWord(w.start, w.end, w.text.strip(), w.probability, w.text[:1].isspace())
             for w in raw if w.text.strip()]
    return full_width_marks(words) if primary(language) in FULL_WIDTH_LANGS else words
