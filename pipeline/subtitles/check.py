"""QA of subtitle events against the reading rules (generated and hand-edited files alike)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from pipeline.subtitles.lines import fits
from pipeline.subtitles.model import Cue, Rules
from pipeline.subtitles.text import SENTENCE_END, is_cjk_char, join_words, text_length, tokens

# A pause this long (ms) between two words ends an event: the speaker stopped. Two events
# closer than this are "chained": one stretch of speech cut in two.
PAUSE_MS = 600

# An orphan is at most this short: two words and twelve characters (CJK: four characters,
# about two words), punctuation not counted.
ORPHAN_WORDS = 2
ORPHAN_CHARS = 12
ORPHAN_CJK_CHARS = 4

# Initialisms and titles end in a full stop without ending the sentence.
_NOT_AN_END = re.compile(r"(?:^|\s)(?:(?:[^\W\d_]\.){2,}|Mr\.|Mrs\.|Ms\.|Dr\.|St\.|Mt\.)$")
_PUNCT = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class Finding:
    index: int  # 1-based event number as in the SRT
    rule: str
    detail: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def ends_sentence(text: str) -> bool:
    """Whether text ends a sentence (not an initialism such as "U.S." or a title "Dr.")."""
    text = text.strip()
    return bool(SENTENCE_END.search(text)) and not _NOT_AN_END.search(text)


def is_short(text: str) -> bool:
    """At most two short words: what reads as a fragment when it stands alone."""
    flat = join_words(text.split("\n"))
    letters = _PUNCT.sub("", flat)
    if any(is_cjk_char(c) for c in letters):
        return text_length(letters.replace(" ", "")) <= ORPHAN_CJK_CHARS
    return len(flat.split()) <= ORPHAN_WORDS and text_length(letters) <= ORPHAN_CHARS


def could_regroup(a: Cue, b: Cue, rules: Rules) -> bool:
    """Whether the words of two neighbouring events could be grouped with no short event: as
    one event (its lines fit and it lasts no longer than max_duration), or cut elsewhere into
    two events whose lines fit, neither of which is short, and which share the time by their
    text without one lasting longer than max_duration."""
    if could_join(a, b, rules):
        return True
    span = b.end - a.start
    units = tokens(join_words([a.flat, b.flat]))
    total = sum(text_length(u) for u in units)
    for k in range(1, len(units)):
        left, right = join_words(units[:k]), join_words(units[k:])
        share = sum(text_length(u) for u in units[:k]) / total  # time shared by text
        if (max(share, 1 - share) * span <= rules.max_duration and not is_short(left)
                and not is_short(right) and fits(left, rules) and fits(right, rules)):
            return True
    return False


def could_join(a: Cue, b: Cue, rules: Rules) -> bool:
    """Whether two neighbouring events would keep the rules as one event."""
    return b.end - a.start <= rules.max_duration and fits(join_words([a.flat, b.flat]), rules)


def orphan_of(cues: list[Cue], i: int, rules: Rules) -> int | None:
    """The neighbour (i - 1 or i + 1) event i is an orphan of, or None.

    Event i is an orphan when its text is short (`is_short`: at most two words and twelve
    characters), and a neighbour holds the rest of its sentence (the earlier of the two does
    not end a sentence), is chained to it (the gap between them is under PAUSE_MS: one
    stretch of speech), and the words of the two could be grouped with no short event
    (`could_regroup`: as one event, or cut elsewhere). A short sentence, or a short event
    between pauses, is not an orphan.
    """
    if not is_short(cues[i].text):
        return None
    for j in (i - 1, i + 1):
        if not 0 <= j < len(cues):
            continue
        a, b = (cues[j], cues[i]) if j < i else (cues[i], cues[j])
        if not ends_sentence(a.flat) and b.start - a.end < PAUSE_MS and could_regroup(a, b, rules):
            return j
    return None


def check(cues: list[Cue], rules: Rules) -> list[Finding]:
    """Every rule violation in a list of events."""
    found: list[Finding] = []
    for n, cue in enumerate(cues, start=1):
        lines = cue.text.split("\n")
        if len(lines) > rules.max_lines:
            found.append(Finding(n, "max_lines", f"{len(lines)} lines > {rules.max_lines}"))
        for line in lines:
            if text_length(line) > rules.max_chars_per_line:
                found.append(Finding(n, "max_chars_per_line",
                                     f"{text_length(line)} chars > {rules.max_chars_per_line}: {line!r}"))
        if cue.duration <= 0:
            found.append(Finding(n, "duration", "ends before it starts"))
            continue
        cps = text_length(cue.text) / (cue.duration / 1000)
        if cps > rules.max_cps + 0.05:
            found.append(Finding(n, "max_cps", f"{cps:.1f} chars/s > {rules.max_cps:g}"))
        if cue.duration < rules.min_duration:
            found.append(Finding(n, "min_duration", f"{cue.duration} ms < {rules.min_duration}"))
        if cue.duration > rules.max_duration:
            found.append(Finding(n, "max_duration", f"{cue.duration} ms > {rules.max_duration}"))
        if n > 1 and cue.start - cues[n - 2].end < rules.min_gap:
            gap = cue.start - cues[n - 2].end
            found.append(Finding(n, "min_gap", f"{gap} ms after the previous event < {rules.min_gap}"))
        partner = orphan_of(cues, n - 1, rules)
        if partner is not None:
            found.append(Finding(n, "orphan", f"{cue.flat!r} stands alone; it belongs with event "
                                              f"{partner + 1} ({cues[partner].flat!r})"))
    return found
