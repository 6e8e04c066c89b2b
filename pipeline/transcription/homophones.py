"""Homophone repair of Chinese speech recognition against the glossary.

Whisper's usual error on a Chinese name is a homophone: 吉南 for 济南 (ji nan), 全城 for 泉城
(quan cheng), 暴凸全 for 趵突泉 (bao tu quan), 浮蓉街 for 芙蓉街 (fu rong jie). A run of
Chinese characters that sounds like a glossary term (pypinyin; tones ignored, every reading
of a heard character allowed, and in a term of three or more characters "hu" for "fu":
湖蓉街) but is written otherwise is replaced by the term.

The rule that keeps ordinary words (see docs/chinese.md):

1. The heard span is repaired when it is no word of its own (jieba's dictionary does not
   list it): 吉南, 暴凸全, 千福山 are sounds written down, not words.
2. A heard span that is a word (全城 "the whole city", 山洞 "a cave", 全程 "the whole way")
   is left as heard, unless the sentence names it there: right after a naming verb
   (称为, 叫做, 名叫, 号称, 誉为 ...), inside quotation marks, before 之称, or right before
   another name (全城几南: the nickname before the name, 泉城济南). A span left as heard is
   still reported (applied: false), so an editor sees the suggestion.
3. A two-character term is not repaired across a word boundary (以及南京 holds 及南, "ji
   nan", which is no name): jieba's words of the text must not cross either end of the span.

Every match is reported as a `Repair` (position, what was heard, what is written, the
pinyin), applied or not; the transcribe stage records them in transcript.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipeline.language.glossary import Term
from pipeline.language.tags import primary
from pipeline.language.writing import is_han
from pipeline.language.segmenter import word_frequency, words
from pipeline.subtitles.model import Word

NAMING_BEFORE = ("称为", "称作", "叫做", "叫作", "名叫", "名为", "号称", "誉为", "人称", "又称",
                 "别称", "简称", "俗称", "叫")
NAMING_AFTER = ("之称", "的美誉", "的美称")
QUOTES = {"“": "”", "「": "」", "『": "』", "《": "》", '"': '"', "‘": "’"}
CLAUSE_MARKS = set("，。！？；：、,.!?;:\n")

# Heard "hu" for "fu" (湖蓉街 for 芙蓉街) is the one near-homophone that mattered when measured
# (bench/zh_asr_bench.py: every gain of a lenient match came from it); it is allowed in terms
# of three or more characters, where three syllables leave little room for a chance match.
F_H_MIN_CHARS = 3
# The other common mergers, off unless asked for (`fuzzy=True`): measured, they repaired no
# further name and made the one wrong repair seen (泉堪, heard "quan chen", became 泉城).
FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("h", "f"), ("n", "l"))
FUZZY_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))


@dataclass(frozen=True)
class Repair:
    """One glossary term heard as a homophone."""

    position: int  # character offset in the text (for words: in their texts joined as they are)
    heard: str  # what the recognizer wrote
    written: str  # the glossary form (what the span became, when applied)
    pinyin: str  # the term's pinyin, toneless: "quan cheng"
    term: str  # the glossary entry
    applied: bool
    reason: str
    start: int | None = None  # ms, for timed words
    end: int | None = None

    def record(self) -> dict[str, Any]:
        """The entry transcript.json keeps for an editor."""
        found: dict[str, Any] = {"position": self.position, "from": self.heard, "to": self.written,
                                 "pinyin": self.pinyin, "term": self.term,
                                 "applied": self.applied, "reason": self.reason}
        if self.start is not None:
            found.update(start_ms=self.start, end_ms=self.end)
        return found


def _fuzzy(syllable: str) -> str:
    for a, b in FUZZY_INITIALS:
        if syllable.startswith(a):
            syllable = b + syllable[len(a):]
            break
    for a, b in FUZZY_FINALS:
        if syllable.endswith(a):
            syllable = syllable[: -len(a)] + b
            break
    return syllable


@lru_cache(maxsize=8192)
def readings(ch: str) -> frozenset[str]:
    """Every toneless reading of one Han character (济: ji)."""
    from pypinyin import Style, pinyin

    found = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    return frozenset(r for group in found for r in group if r.isascii() and r.isalpha())


@lru_cache(maxsize=1024)
def term_syllables(form: str) -> tuple[str, ...]:
    """The term's toneless pinyin as the dictionary reads the phrase (趵突泉: bao tu quan)."""
    from pypinyin import Style, lazy_pinyin

    return tuple(lazy_pinyin(form, style=Style.NORMAL))


def _f_h(syllable: str) -> str:
    return "f" + syllable[1:] if syllable.startswith("h") else syllable


def _sounds_like(span: str, syllables: tuple[str, ...], fuzzy: bool) -> bool:
    f_h = len(syllables) >= F_H_MIN_CHARS
    for ch, syl in zip(span, syllables):
        heard = readings(ch)
        if syl in heard:
            continue
        if f_h and _f_h(syl) in {_f_h(r) for r in heard}:
            continue
        if not (fuzzy and _fuzzy(syl) in {_fuzzy(r) for r in heard}):
            return False
    return True


def _clause_before(text: str, start: int) -> str:
    i = start
    while i > 0 and text[i - 1] not in CLAUSE_MARKS:
        i -= 1
    return text[i:start]


def naming_context(text: str, start: int, end: int) -> bool:
    """Whether the sentence names what stands at text[start:end] (after 称为, in quotes...)."""
    before, after = text[:start], text[end:]
    if before[-1:] in QUOTES and after[:1] == QUOTES[before[-1]]:
        return True
    if any(after.startswith(w) for w in NAMING_AFTER):
        return True
    clause = _clause_before(text, start).rstrip()
    return any(clause.endswith(w) for w in NAMING_BEFORE)


def crosses_words(text: str, start: int, end: int) -> str | None:
    """The dictionary word that runs across either end of text[start:end], if any."""
    pos = 0
    for w in words(text):
        a, b = pos, pos + len(w)
        pos = b
        if len(w) < 2 or word_frequency(w) == 0:
            continue
        if a < start < b or a < end < b:
            return w
    return None


def _terms(terms: list[Term], lang: str) -> list[tuple[Term, str, tuple[str, ...]]]:
    found = []
    for t in terms:
        form = t.own_form(lang)
        if not form or len(form) < 2 or not all(is_han(c) for c in form):
            continue
        syllables = term_syllables(form)
        if len(syllables) == len(form):
            found.append((t, form, syllables))
    return sorted(found, key=lambda x: -len(x[1]))


def find_repairs(text: str, terms: list[Term], lang: str = "zh", fuzzy: bool = False) -> list[Repair]:
    """Every span of text that sounds like a glossary term but is written otherwise, with
    the decision taken on it (applied or only suggested), left to right, never overlapping.
    Longer terms are matched first; a term already written right holds its span. Mandarin
    only: for any other language (Japanese kanji read otherwise) nothing is found."""
    if primary(lang) != "zh":
        return []
    candidates = _terms(terms, lang)
    taken = [False] * len(text)
    names_at: set[int] = set()  # where a name starts (as written, or heard as no word)
    for _term, form, _ in candidates:  # correct spellings first: they hold their characters
        start = text.find(form)
        while start >= 0:
            taken[start:start + len(form)] = [True] * len(form)
            names_at.add(start)
            start = text.find(form, start + len(form))
    spans: list[tuple[int, Term, str, tuple[str, ...]]] = []
    for term, form, syllables in candidates:
        n = len(form)
        for start in range(len(text) - n + 1):
            span = text[start:start + n]
            if any(taken[start:start + n]) or span == form or not all(is_han(c) for c in span):
                continue
            if not _sounds_like(span, syllables, fuzzy):
                continue
            spans.append((start, term, form, syllables))
            taken[start:start + n] = [True] * n
            if word_frequency(span) == 0:
                names_at.add(start)
    found = []
    for start, term, form, syllables in sorted(spans, key=lambda x: x[0]):
        end = start + len(form)
        applied, reason = _decide(text, start, end, form, end in names_at)
        found.append(Repair(start, text[start:end], form, " ".join(syllables), term.term,
                            applied, reason))
    return found


def _decide(text: str, start: int, end: int, form: str, name_follows: bool) -> tuple[bool, str]:
    span = text[start:end]
    if word_frequency(span) > 0:
        if naming_context(text, start, end):
            return True, f"sounds like {form}; {span!r} is a word, but the sentence names it here"
        if name_follows:
            return True, f"sounds like {form}; {span!r} is a word, but it stands before a name"
        return False, f"sounds like {form}, but {span!r} is a word of its own; left as heard"
    if len(span) == 2:
        crossing = crosses_words(text, start, end)
        if crossing:
            return False, f"sounds like {form}, but {crossing!r} runs across it; left as heard"
    return True, f"sounds like {form}"


def repair_text(text: str, terms: list[Term], lang: str = "zh",
                fuzzy: bool = False) -> tuple[str, list[Repair]]:
    """The text with every applied repair made (same length: one character per syllable),
    and every repair found (applied or suggested)."""
    repairs = find_repairs(text, terms, lang, fuzzy)
    chars = list(text)
    for r in repairs:
        if r.applied:
            chars[r.position:r.position + len(r.written)] = list(r.written)
    return "".join(chars), repairs


def _is_mark(text: str) -> bool:
    return all(not c.isalnum() for c in text)


def repair_words(timed: list[Word], terms: list[Term], lang: str = "zh",
                 fuzzy: bool = False) -> tuple[list[Word], list[Repair]]:
    """Repair recognized words (Whisper gives Chinese about a character a word, punctuation
    attached: 吉, 南, ...). The words a repair touches become one word, the term, timed from
    the first one's start to the last one's end; a leftover part of an edge word (到 of 到吉)
    stays a word of its own with its share of the time by characters, a leftover mark (the
    comma of 南,) stays attached to the term. Repairs carry their times (ms)."""
    stream = "".join(w.text for w in timed)
    owner: list[int] = []
    first_char: list[int] = []
    for i, w in enumerate(timed):
        first_char.append(len(owner))
        owner.extend([i] * len(w.text))
    _, repairs = repair_text(stream, terms, lang, fuzzy)
    out = list(timed)
    timed_repairs: list[Repair] = []
    for r in sorted(repairs, key=lambda r: -r.position):
        i0, i1 = owner[r.position], owner[r.position + len(r.written) - 1]
        start, end = timed[i0].start, timed[i1].end
        if r.applied:
            prefix = timed[i0].text[: r.position - first_char[i0]]
            suffix = timed[i1].text[r.position + len(r.written) - first_char[i1]:]
            pieces = _timed_pieces(prefix, r.written, suffix, start, end)
            out[i0:i1 + 1] = pieces
            name = next(p for p in pieces if r.written in p.text)
            start, end = name.start, name.end
        timed_repairs.append(Repair(r.position, r.heard, r.written, r.pinyin, r.term, r.applied,
                                    r.reason, start, end))
    return out, sorted(timed_repairs, key=lambda r: r.position)


def _timed_pieces(prefix: str, name: str, suffix: str, start: int, end: int) -> list[Word]:
    texts: list[str] = []
    if prefix and not _is_mark(prefix):
        texts.append(prefix)
        prefix = ""
    middle = prefix + name
    if suffix and _is_mark(suffix):
        middle += suffix
        suffix = ""
    texts.append(middle)
    if suffix:
        texts.append(suffix)
    total = sum(len(t) for t in texts)
    pieces, t = [], start
    for k, text in enumerate(texts):
        stop = end if k == len(texts) - 1 else start + (end - start) * sum(
            len(x) for x in texts[:k + 1]) // total
        pieces.append(Word(t, stop, text))
        t = stop
    return pieces
