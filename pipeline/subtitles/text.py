"""Text as a reader sees it: script-aware joining, lengths, break candidates and the words
a line should not be broken after or before."""

from __future__ import annotations

import re
import unicodedata

CLAUSE_END = re.compile(r"[,;:，、；：]$")
SENTENCE_END = re.compile(r"[.!?。！？…]['\"”’)]?$")


def is_cjk_char(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


# Pieces that continue the word before them: what Whisper's tokenizer cuts off a written word
# (" 3" ",000"; " U" ".S."; " e" "-mail") and no written language separates with a space.
# A lone ? ! : ; » or % keeps its space: French typography writes one before them.
_AFTER_DIGIT = re.compile(r"[,.:]\d")  # 3 ,000 -> 3,000; 1,234 .56; 9 :30; 9 .30
_INITIALISM = re.compile(r"\.(?:[^\W\d_]\.)+")  # U .S. -> U.S.; e .g.
_CLITIC = re.compile(r"(?:['’](?:s|t|re|ve|ll|d|m)|n['’]t)(?![^\W_])", re.IGNORECASE)  # don 't
_ELIDED = re.compile(r"['’][^\W\d_]")  # c 'est, l 'eau, dell 'acqua
_ELIDING = frozenset("c d j l m n s t qu jusqu lorsqu puisqu quoiqu aujourd dell all nell sull dall "
                     "coll quest quell un".split())
_HYPHENATED = re.compile(r"-[^\W\d_]")  # e -mail, well -known
_CLOSING = re.compile(r"[,.…)\]}”’]+")  # a lone comma, full stop, closing bracket or quote


def attaches(previous: str, piece: str) -> bool:
    """Whether `piece` continues the word `previous` ends with (no space between them)."""
    if not previous or not piece:
        return False
    last = previous[-1]
    if _CLOSING.fullmatch(piece):
        return True
    if last.isdigit() and _AFTER_DIGIT.match(piece):
        return True
    if last.isalpha() and (_INITIALISM.match(piece) or _CLITIC.match(piece)):
        return True
    if _ELIDED.match(piece) and previous.split()[-1].lower() in _ELIDING:
        return True
    return last.isalnum() and bool(_HYPHENATED.match(piece))


def join_words(parts: list[str]) -> str:
    """Join words, word pieces or lines as the language writes them: a space between words,
    none between CJK characters (nor between CJK and a Latin run or a number: 我们在CBD,
    2024年), none before a piece that continues the word before it (see `attaches`)."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and not (is_cjk_char(out[-1]) or is_cjk_char(part[0]) or attaches(out, part)):
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


# Marks that belong to the word before them (a line never starts with one) or after them.
CLOSING = set("，。、；：！？）」』》〉】〕”’…,.;:!?)]}%")
OPENING = set("（「『《〈【〔“‘([{")
# One-character place words that end a name (芙蓉街, 黑虎泉): jieba leaves them apart from a
# name it does not know, and a line must not end on 芙蓉 and start on 街.
PLACE_SUFFIXES = set("街路巷湖山泉河江海溪池岛寺庙宫殿塔亭楼阁桥门城省市区县镇村园馆站港")


def _has_kana(text: str) -> bool:
    return any(0x3040 <= ord(c) <= 0x30FF or 0xFF66 <= ord(c) <= 0xFF9F for c in text)


def _runs(word: str) -> list[tuple[bool, str]]:
    """(is CJK, run) in order: maximal runs of CJK glyphs and of other characters."""
    runs: list[tuple[bool, str]] = []
    for ch in word:
        cjk = is_cjk_char(ch)
        if runs and runs[-1][0] == cjk:
            runs[-1] = (cjk, runs[-1][1] + ch)
        else:
            runs.append((cjk, ch))
    return runs


def cjk_words(word: str) -> list[str]:
    """A Chinese run's break candidates: its words (jieba's dictionary, `pipeline.language.segmenter`),
    with punctuation kept on the word it belongs to, a place suffix kept on its name, and a
    Latin or digit run whole. Japanese (kana present) falls back to a glyph each
    (`cjk_tokens`): jieba knows Chinese only."""
    if _has_kana(word) or not any(is_cjk_char(c) for c in word):
        return cjk_tokens(word)
    from pipeline.language.segmenter import words as segment

    pieces = [w for cjk, run in _runs(word) for w in (segment(run) if cjk else [run])]
    found: list[str] = []
    pending_open = ""
    for w in pieces:
        if all(c in OPENING for c in w):
            pending_open += w
            continue
        if found and not pending_open and (
                all(c in CLOSING for c in w)
                or (len(w) == 1 and w in PLACE_SUFFIXES and len(found[-1]) >= 2
                    and found[-1][-1].isalnum())):
            found[-1] += w
            continue
        found.append(pending_open + w)
        pending_open = ""
    if pending_open:
        found.append(pending_open)
    return found


def tokens(text: str) -> list[str]:
    """Break candidates: words for spaced scripts, words for Chinese (`cjk_words`), characters
    (keeping Latin runs) for Japanese."""
    found: list[str] = []
    for word in text.split():
        if any(is_cjk_char(c) for c in word):
            found.extend(cjk_words(word))
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
