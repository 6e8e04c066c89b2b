"""narration.verify: what the host actually said, heard back by the packaged multilingual Whisper
(the hear stage, pipeline/stages/hear.py, runs these on a version's narration.wav).

The narration track as aired (every line after its speed-up) is transcribed a span of
neighbouring lines at a time (`spans`: each up to one Whisper window, cached by its samples, so
an edit re-hears its own span); per
version the score is the word error rate (character error rate for zh and ja) of what was
heard against what was narrated (`pipeline.engines.asr.roundtrip`). Each line gets the text of the
segments heard while it plays (a segment that spans two lines counts for both), so a name
not heard is a finding that names its line.

A glossary name counts as heard when its sound is in what Whisper wrote, not its spelling:
for Chinese the names are compared as toneless pinyin (Whisper's usual Chinese error is a
homophone: 吉南 for 济南 is the right sound), for the other languages without case,
punctuation or accents, allowing a near spelling (Whisper base writes "Baotou" for a
well-said "Baotu"; partial ratio >= NAME_SIMILARITY). A name said so that none of that
matches was not said recognisably: a QA finding naming the line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from pipeline.engines.asr import roundtrip
from pipeline.language.glossary import term_present
from pipeline.language.tags import primary
from pipeline.language.writing import by_characters
from pipeline.narration.record import HeardLine, NarratedLine, RoundTrip

NAME_SIMILARITY = 80  # rapidfuzz partial_ratio (0-100) of the name against what was heard
# the longest span of subtitle slots heard in one pass: with its margins it stays inside one
# of Whisper's 30 s windows (a span costs one window, as much as a line). On the demo's jinan
# tracks, spans of 20 s heard pt WER 0.127 and zh CER 0.226, of 26 s 0.167 and 0.270, the whole
# track in one pass 0.118 and 0.255 (Whisper base's noise on ten lines; README "narration.verify")
SPAN_MS = 20_000


def spans(lines: Sequence[NarratedLine]) -> list[list[NarratedLine]]:
    """Neighbouring lines (timing.json's, in order) grouped into the spans heard in one pass
    each: a line joins the span before it while the span's slots fit in SPAN_MS. Slots are the
    subtitle events, which an edit of a line's words does not move: editing a line changes the
    audio of its own span only, and only that span is heard again."""
    groups: list[list[NarratedLine]] = []
    for line in lines:
        if groups and line.slot_end - groups[-1][0].slot_start <= SPAN_MS:
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def _sounds(text: str, lang: str) -> str:
    """Text as compared for names: toneless pinyin syllables for zh; else no case,
    punctuation or accents."""
    norm = roundtrip.normalize(text, lang)
    if primary(lang) == "zh":
        from pypinyin import lazy_pinyin

        return " ".join(s for s in lazy_pinyin(norm) if s.strip())
    folded = unicodedata.normalize("NFKD", norm)
    return "".join(c for c in folded if not unicodedata.combining(c))


def _heard_in(want: str, got: str, lang: str) -> bool:
    """Whether a name (as sounds) is recognisably in what was heard (as sounds; see the
    module docstring)."""
    if not want:
        return True
    if f" {want} " in f" {got} ":
        return True
    if by_characters(lang):
        return False
    from rapidfuzz import fuzz

    return float(fuzz.partial_ratio(want, got)) >= NAME_SIMILARITY


def check_line(index: int, text: str, heard: str, names: list[str], lang: str) -> HeardLine:
    """The names of `names` that the line's text holds and its audio does not."""
    got = _sounds(heard, lang)
    missing = tuple(n for n in names
                    if term_present(text, n, lang) and not _heard_in(_sounds(n, lang), got, lang))
    return HeardLine(index, text, heard, missing)


def by_line(lines: Sequence[NarratedLine], segments: list[dict[str, Any]], names: list[str],
            lang: str) -> list[HeardLine]:
    """Each narrated line (timing.json's) with what was heard while it plays: the segments
    that overlap it."""
    out = []
    for line in lines:
        during = [s["text"] for s in segments if s["start"] < line.end and s["end"] > line.start]
        out.append(check_line(line.index, line.text, roundtrip.joined(during, lang), names, lang))
    return out


def score(lines: list[HeardLine], segments: list[dict[str, Any]], lang: str) -> RoundTrip:
    """The version's round trip: metric, error rate of all that was heard against all that was
    narrated, names not heard."""
    narrated = roundtrip.joined([h.text for h in lines], lang)
    heard = roundtrip.joined([s["text"] for s in segments], lang)
    return RoundTrip(roundtrip.metric(lang), round(roundtrip.error_rate(narrated, heard, lang), 3),
                     len(lines), f"faster-whisper {roundtrip.MODEL}",
                     sum(len(h.unheard) for h in lines))
