"""Text as a reader sees it: script-aware joining, lengths, break candidates and the words
a line should not be broken after or before."""

from __future__ import annotations

import re
import unicodedata

CJK_LANGS = {"zh", "ja", "ko"}

CLAUSE_END = re.compile(r"[,;:，、；：]$")
SENTENCE_END = re.compile(r"[.!?。！？…]['\"”’)]?$")


def is_cjk_char(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def join_words(parts: list[str]) -> str:
    """Join words or lines with spaces, but not between CJK characters."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and not (is_cjk_char(out[-1]) or is_cjk_char(part[0])):
            out += " "
        out += part
    return out


def text_length(text: str) -> int:
    """Characters a reader reads: line breaks and spaces between CJK glyphs do not count."""
    return len(text.replace("\n", ""))


def cjk_tokens(word: str) -> list[str]:
    """A CJK word's break candidates: each CJK glyph alone, each run of other characters
    (a number, a Latin name like CBD) whole."""
    tokens: list[str] = []
    run = ""
    for ch in word:
        if is_cjk_char(ch):
            if run:
                tokens.append(run)
                run = ""
            tokens.append(ch)
        else:
            run += ch
    if run:
        tokens.append(run)
    return tokens


def tokens(text: str) -> list[str]:
    """Break candidates: words for spaced scripts, characters (keeping Latin runs) for CJK."""
    found: list[str] = []
    for word in text.split():
        if any(is_cjk_char(c) for c in word):
            found.extend(cjk_tokens(word))
        else:
            found.append(word)
    return found


# Articles, prepositions and conjunctions of the Latin-script languages we deliver most: a
# line or an event that ends on one reads as cut off from the words it belongs to.
FUNCTION_WORDS = frozenset("""
a an the of to in on at by for from with and or but as into than that
o os as um uma de do da dos das em no na nos nas por para com e ou que ao à pelo pela
el la los las un una del en y al con
le les une du des au aux par pour avec et
der die das den dem des ein eine einen und oder mit von zu im am an auf für
il lo gli di della per che
""".split())


def weak_end(word: str) -> bool:
    """Whether a line or an event should not end on this word (an article, a preposition)."""
    return word in FUNCTION_WORDS


_NUMBER = re.compile(r"\d(?:[\d.,]*\d)?%?")


def keeps_together(left: str, right: str) -> bool:
    """True where a line break between these two tokens would split a name or a number."""
    if _NUMBER.fullmatch(left) and re.match(r"[\w%]", right):
        return True  # 2,000 visitors; 72 springs; 1 500 m
    if left[:1].isupper() and right[:1].isupper() and not SENTENCE_END.search(left):
        return not CLAUSE_END.search(left)
    return False
