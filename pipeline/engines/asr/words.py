"""Whisper's words as the pipeline uses them: stripped, and for languages written without
spaces its Latin and digit pieces joined back into words, Chinese marks full width."""

from __future__ import annotations

from pipeline.engines.asr.base import AsrWord
from pipeline.scripts import is_unspaced, is_unspaced_char


def _continues(ch: str) -> bool:
    return ch.isalnum() and not is_unspaced_char(ch)


def join_pieces(raw: list[AsrWord]) -> list[AsrWord]:
    """Whisper's words for a language written without spaces (zh, ja, th...) are its tokens, so
    a Latin name or a number inside Chinese comes in pieces ("Ba", "ot", "u"; "20", "24"), and
    a piece that starts a new Latin word carries a leading space (" Baotu"). `raw` holds one
    segment's words as the model wrote them (not stripped): a piece with no space before it
    that starts with a letter or digit of a spaced script continues the previous piece when
    that ends with one; the joined word keeps the first start, the last end and the lower
    probability. Stripped words come back."""
    out: list[AsrWord] = []
    for w in raw:
        text = w.text
        if (out and text and not text[0].isspace() and _continues(text[0])
                and out[-1].text and _continues(out[-1].text[-1])):
            prev = out[-1]
            out[-1] = AsrWord(prev.start, w.end, prev.text + text.rstrip(),
                              min(prev.probability, w.probability))
            continue
        out.append(w)
    return [AsrWord(w.start, w.end, w.text.strip(), w.probability) for w in out if w.text.strip()]


FULL_WIDTH_LANGS = frozenset({"zh", "ja", "yue"})
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
        out.append(AsrWord(w.start, w.end, "".join(chars), w.probability))
    return out


def tidy_words(raw: list[AsrWord], language: str) -> list[AsrWord]:
    """One segment's words as the model wrote them -> the words the pipeline uses: stripped,
    Latin and digit pieces joined for unspaced languages, Chinese marks full width."""
    if is_unspaced(language):
        words = join_pieces(raw)
    else:
        words = [AsrWord(w.start, w.end, w.text.strip(), w.probability) for w in raw if w.text.strip()]
    return full_width_marks(words) if language in FULL_WIDTH_LANGS else words
