"""How the host says a word: `narration.lexicon` entries applied to a line, for any engine.

An entry maps a word (or several words) of one language to how the voice should say it:

- a value written between slashes, `Jinan: /dʒinˈan/`, is phonemes, in the IPA-like
  alphabet Kokoro was trained on (what `espeak-ng --ipa` or misaki print, stress marks
  included). Kokoro speaks them as given; an engine without phoneme input (Piper,
  espeak-ng, gTTS) speaks the word as written;
- any other value, `Jinan: Djinân`, is a respelling: every engine reads it instead of
  the word, so write it the way the language's own spelling sounds it out.

Matching is whole-word (a word never matches inside another word; in Chinese and Japanese,
written without spaces, an entry matches wherever its characters appear) and
case-insensitive; longer entries win over shorter ones they overlap ("Baotu Spring" before
"Baotu"), and a span is replaced once (a respelling is not looked up again). Empty values
are ignored.

For Kokoro the text around a phoneme entry is phonemized in pieces (the words before it,
then the words after it), so a short word next to the entry may get a stress of its own;
a respelling keeps the whole line in one piece. How a Portuguese host says "Jinan" was
measured both ways (docs/benchmarks.md).

`apply_lexicon` turns a line into pieces; `spoken_text` is what a plain-text engine reads;
`entries_used` is which entries a line used (part of a line's synthesis cache key).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.language.writing import is_unspaced_char


@dataclass(frozen=True)
class Piece:
    """A run of a line: text to read, or (with `phonemes`) a word to speak as those phonemes."""

    text: str
    phonemes: str | None = None


def phonemes_of(value: str) -> str | None:
    """The phonemes of a `/.../` lexicon value, or None for a respelling."""
    v = value.strip()
    if len(v) >= 3 and v.startswith("/") and v.endswith("/"):
        return v[1:-1].strip() or None
    return None


def _alternative(word: str) -> str:
    """An entry edge in a script written without spaces needs no word boundary."""
    before = "" if is_unspaced_char(word[0]) else r"(?<!\w)"
    after = "" if is_unspaced_char(word[-1]) else r"(?!\w)"
    return before + re.escape(word) + after


def _pattern(lexicon: Mapping[str, str]) -> re.Pattern[str] | None:
    words = sorted((w.strip() for w, v in lexicon.items() if w.strip() and v.strip()),
                   key=lambda w: (-len(w), w))
    if not words:
        return None
    return re.compile("|".join(_alternative(w) for w in words), re.IGNORECASE)


def _lookup(lexicon: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """casefolded word -> (the entry's word as written, its value)."""
    return {w.strip().casefold(): (w, v) for w, v in lexicon.items() if w.strip() and v.strip()}


def apply_lexicon(text: str, lexicon: Mapping[str, str]) -> list[Piece]:
    """The line as pieces: respellings merged into the text, phoneme entries as their own pieces.

    >>> apply_lexicon("Welcome to Jinan.", {"Jinan": "/dʒinˈan/"})
    [Piece(text='Welcome to ', phonemes=None), Piece(text='Jinan', phonemes='dʒinˈan'), \
Piece(text='.', phonemes=None)]
    """
    pattern = _pattern(lexicon)
    if pattern is None:
        return [Piece(text)] if text else []
    lookup = _lookup(lexicon)
    pieces: list[Piece] = []
    buffer = ""
    at = 0
    for m in pattern.finditer(text):
        buffer += text[at:m.start()]
        at = m.end()
        value = lookup[m.group(0).casefold()][1].strip()
        phonemes = phonemes_of(value)
        if phonemes is None:
            buffer += value
            continue
        if buffer:
            pieces.append(Piece(buffer))
            buffer = ""
        pieces.append(Piece(m.group(0), phonemes))
    buffer += text[at:]
    if buffer:
        pieces.append(Piece(buffer))
    return pieces


def spoken_text(pieces: list[Piece]) -> str:
    """What an engine without phoneme input reads: phoneme entries fall back to the word."""
    return "".join(p.text for p in pieces)


def entries_used(text: str, lexicon: Mapping[str, str]) -> dict[str, str]:
    """The lexicon entries a line uses (as written in the lexicon), for its cache key."""
    pattern = _pattern(lexicon)
    if pattern is None:
        return {}
    lookup = _lookup(lexicon)
    used = {}
    for m in pattern.finditer(text):
        word, value = lookup[m.group(0).casefold()]
        used[word] = value
    return dict(sorted(used.items()))
