"""The glossary: a term per language (assets/glossary.csv: term,en,pt,zh,...,note).

Terms are looked for by script: a form written in a script without spaces between words
(Chinese, Japanese, Thai, Lao, Khmer, Burmese) is found wherever its characters appear
(趵突泉 in 我们今天去趵突泉看看); a form in a spaced script is found as whole words ("Jinan"
is not in "Jinanese"), where a neighbouring character of an unspaced script counts as a
word boundary (去Jinan看看). Every search below goes through `occurrences`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.language.tags import lookup
from pipeline.language.writing import is_unspaced, is_unspaced_char

@dataclass(frozen=True)
class Term:
    term: str
    forms: dict[str, str]  # lang -> rendering
    note: str = ""

    def form(self, lang: str) -> str:
        return lookup(self.forms, lang) or self.term

    def own_form(self, lang: str) -> str | None:
        """The form written for this language in the glossary (no fallback to the term)."""
        return lookup(self.forms, lang)


def load_glossary(path: Path | None) -> list[Term]:
    if path is None or not path.is_file():
        return []
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, csv.Error, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: glossary is not a readable UTF-8 CSV ({e})") from e
    terms = []
    for row in rows:
        term = (row.get("term") or "").strip()
        if not term:
            continue
        forms = {k: v.strip() for k, v in row.items() if k not in ("term", "note") and k and v and v.strip()}
        terms.append(Term(term, forms, (row.get("note") or "").strip()))
    return terms


# --------------------------------------------------------------------------- matching


def _word_char(ch: str) -> bool:
    """A character that continues a word of a spaced script (so it is no boundary)."""
    return ch.isalnum() and not is_unspaced_char(ch)


def occurrences(text: str, form: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each match of a glossary form in text, left to right, any case.

    An end of the form written in an unspaced script matches anywhere; an end in a spaced
    script needs a boundary there (a character that is not a letter or digit of a spaced
    script, or the text's edge)."""
    if not form:
        return
    pattern = re.compile(re.escape(form), re.IGNORECASE)
    left_free, right_free = is_unspaced_char(form[0]), is_unspaced_char(form[-1])
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        start, end = m.span()
        ok_left = left_free or start == 0 or not _word_char(text[start - 1])
        ok_right = right_free or end == len(text) or not _word_char(text[end])
        if ok_left and ok_right:
            yield start, end
            pos = end
        else:
            pos = start + 1


def term_present(text: str, form: str, lang: str) -> bool:
    """Whether a glossary form is in a text of language `lang` (the lost-term check).

    Matching follows the form's script (see the module's docstring) in every language:
    `lang` (the text's language) does not change the rule; it keeps call sites explicit."""
    return next(occurrences(text, form), None) is not None


def find_terms(text: str, terms: list[Term], lang: str) -> list[Term]:
    """Terms whose form in `lang` appears in text (whole words for spaced scripts,
    anywhere for unspaced ones; any case)."""
    return [t for t in terms if term_present(text, t.form(lang), lang)]


def lost_terms(text: str, translation: str, terms: list[Term], src: str, tgt: str) -> list[Term]:
    """Terms the source text (in `src`) names whose `tgt` form the translation lacks."""
    return [t for t in find_terms(text, terms, src)
            if not term_present(translation, t.form(tgt), tgt)]


def _pad(text: str, start: int, end: int, new: str) -> str:
    """`new` as it should sit between text[:start] and text[end:]: a spaced-script form
    dropped between characters of an unspaced script gets a space on that side, so the
    engine's tokenizer sees the name as words of its own."""
    if not new:
        return new
    if start > 0 and is_unspaced_char(text[start - 1]) and _word_char(new[0]):
        new = " " + new
    if end < len(text) and is_unspaced_char(text[end]) and _word_char(new[-1]):
        new = new + " "
    return new


def protect_terms(text: str, terms: list[Term], src: str, tgt: str) -> str:
    """Put each glossary term's target form into the source before MT: engines keep a
    foreign proper name as it is, where they would translate the English one word by word.
    Longer forms go first, so a term inside a longer one is not replaced inside it."""
    for t in sorted(terms, key=lambda t: -len(t.form(src))):
        form, target = t.form(src), t.form(tgt)
        if form == target:
            continue
        spans = list(occurrences(text, form))
        for start, end in reversed(spans):
            text = text[:start] + _pad(text, start, end, target) + text[end:]
    return text


# --------------------------------------------------------------------------- ASR


def asr_prompt(terms: list[Term], lang: str = "en") -> str | None:
    """Whisper's initial prompt: the names it should spell right, in the speech's language:
    "Glossary: Jinan, City of Springs, ..." (MODELS.md: this works for English), and for
    Chinese "Glossary: 济南, 泉城, 趵突泉, ...".

    For a language written without spaces only the forms written for it are listed: an
    English form in a Chinese prompt makes Whisper write the name in Latin letters ("Ba ot
    u全"). The punctuation stays ASCII: full-width marks made Whisper emit "４" and U+FFFD
    between clauses. Measured on Mandarin against seven other forms (docs/chinese.md,
    bench/zh_asr_bench.py)."""
    if is_unspaced(lang):
        forms = [f for t in terms if (f := t.own_form(lang))]
    else:
        forms = [t.form(lang) for t in terms]
    return "Glossary: " + ", ".join(forms) + "." if forms else None


_EDGE = re.compile(r"^(\W*)(.*?)(\W*)$", re.UNICODE)
NAME_SIMILARITY = 0.85


def correct_names(words: list[str], terms: list[Term], lang: str) -> list[str]:
    """Respell near-misses of glossary names in recognized words ("Fuhrung Street" ->
    "Furong Street"), keeping each word's punctuation. Only multi-letter, close matches
    (difflib ratio >= 0.85 over the whole name) are changed.

    For spaced scripts only: letter similarity means nothing between Chinese characters
    (千福山 and 千佛山 differ in one glyph of three), so an unspaced language's words come
    back as they are; Chinese names are repaired by their sound (`pipeline.transcription.homophones`)."""
    from difflib import SequenceMatcher

    if is_unspaced(lang):
        return list(words)
    out = list(words)
    for term in terms:
        name = term.form(lang).split()
        n = len(name)
        if not name or sum(len(w) for w in name) < 5 or any(is_unspaced_char(c) for c in term.form(lang)):
            continue
        for i in range(len(out) - n + 1):
            parts = [_EDGE.match(w) for w in out[i:i + n]]
            core = " ".join(p.group(2) for p in parts if p)
            if not core or core == " ".join(name):
                continue
            if SequenceMatcher(None, core.lower(), " ".join(name).lower()).ratio() >= NAME_SIMILARITY:
                out[i:i + n] = [f"{p.group(1)}{new}{p.group(3)}" for p, new in zip(parts, name) if p]
    return out
