"""Writing systems: which scripts and languages put no spaces between their words (the
glossary looks for terms in them by characters, Whisper writes their words as tokens)."""

from __future__ import annotations

from pipeline.language.tags import primary

# Languages whose text puts no spaces between words.
UNSPACED_LANGS = frozenset({"zh", "ja", "th", "lo", "km", "my", "yue", "wuu", "bo"})
# Languages compared character by character (a round trip's CER, a name heard only exactly).
CHARACTER_LANGS = frozenset({"zh", "ja"})
# Languages that end clauses with full-width marks (，。？).
FULL_WIDTH_LANGS = frozenset({"zh", "ja", "yue"})

# Blocks of the scripts written without spaces between words (first, last code point).
_UNSPACED_BLOCKS = (
    (0x0E00, 0x0E7F),  # Thai
    (0x0E80, 0x0EFF),  # Lao
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)


def is_unspaced_char(ch: str) -> bool:
    """A character of a script written without spaces between words."""
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _UNSPACED_BLOCKS)


def is_han(ch: str) -> bool:
    """A Chinese character (what has a pinyin reading)."""
    code = ord(ch)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF
            or 0x20000 <= code <= 0x3FFFF)


def is_unspaced(lang: str) -> bool:
    return primary(lang) in UNSPACED_LANGS


def by_characters(lang: str) -> bool:
    return primary(lang) in CHARACTER_LANGS
