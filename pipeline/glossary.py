"""The glossary: a term per language (assets/glossary.csv: term,en,pt,zh,...,note)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConfigError


@dataclass(frozen=True)
class Term:
    term: str
    forms: dict[str, str]  # lang -> rendering
    note: str = ""

    def form(self, lang: str) -> str:
        return self.forms.get(lang) or self.forms.get(lang.split("-")[0]) or self.term


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


def asr_prompt(terms: list[Term], lang: str = "en") -> str | None:
    """Whisper's initial prompt: the names it should spell right (MODELS.md: this works)."""
    if not terms:
        return None
    return "Glossary: " + ", ".join(t.form(lang) for t in terms) + "."


def find_terms(text: str, terms: list[Term], lang: str) -> list[Term]:
    """Terms whose form in `lang` appears in text (whole words, any case)."""
    hits = []
    for t in terms:
        form = t.form(lang)
        if re.search(r"(?<!\w)" + re.escape(form) + r"(?!\w)", text, flags=re.IGNORECASE):
            hits.append(t)
    return hits


def protect_terms(text: str, terms: list[Term], src: str, tgt: str) -> str:
    """Put each glossary term's target form into the source before MT: engines keep a
    foreign proper name as it is, where they would translate the English one word by word."""
    for t in sorted(terms, key=lambda t: -len(t.form(src))):
        pattern = r"(?<!\w)" + re.escape(t.form(src)) + r"(?!\w)"
        literal = t.form(tgt).replace("\\", "\\\\")  # the replacement is taken as written
        text = re.sub(pattern, literal, text, flags=re.IGNORECASE)
    return text


_EDGE = re.compile(r"^(\W*)(.*?)(\W*)$", re.UNICODE)
NAME_SIMILARITY = 0.85


def correct_names(words: list[str], terms: list[Term], lang: str) -> list[str]:
    """Respell near-misses of glossary names in recognized words ("Fuhrung Street" ->
    "Furong Street"), keeping each word's punctuation. Only multi-letter, close matches
    (difflib ratio >= 0.85 over the whole name) are changed."""
    from difflib import SequenceMatcher

    out = list(words)
    for term in terms:
        name = term.form(lang).split()
        n = len(name)
        if not name or sum(len(w) for w in name) < 5:
            continue
        for i in range(len(out) - n + 1):
            parts = [_EDGE.match(w) for w in out[i:i + n]]
            core = " ".join(p.group(2) for p in parts if p)
            if not core or core == " ".join(name):
                continue
            if SequenceMatcher(None, core.lower(), " ".join(name).lower()).ratio() >= NAME_SIMILARITY:
                out[i:i + n] = [f"{p.group(1)}{new}{p.group(3)}" for p, new in zip(parts, name) if p]
    return out
