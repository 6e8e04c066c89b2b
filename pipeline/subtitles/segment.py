"""Segmentation of recognized words into subtitle events."""

from __future__ import annotations

from pipeline.subtitles.check import PAUSE_MS, could_join, ends_sentence, is_short, orphan_of
from pipeline.subtitles.lines import break_lines, fits
from pipeline.subtitles.model import Cue, Rules, Word
from pipeline.subtitles.retime import fix_timing
from pipeline.subtitles.text import (
    CLAUSE_END,
    attaches,
    is_cjk_char,
    join_words,
    keeps_together,
    text_length,
    weak_end,
)

# Costs of one way to cut a stretch of speech into events; fewer events always win, then:
EVENT = 1_000_000  # per event
BALANCE = 400  # x (event length / capacity) squared: even lengths cost least
CLAUSE_BONUS = 20  # a cut after a clause mark (, ; :)
WEAK_END = 15  # a cut after an article, a preposition or a conjunction
KEEP_TOGETHER = 30  # a cut inside a name or between a number and its unit
SHORT_EVENT = 1000  # an event of one or two short words: worse than any other cut
PAUSE_BONUS_PER_MS = 1 / 30  # a cut at a short pause (up to PAUSE_MS: 20)


def written_words(words: list[Word]) -> list[Word]:
    """Whisper's word pieces as written words.

    A piece that continues the word before it is joined to it: `Word.attached` (Whisper wrote
    no space before it), or a piece `attaches` recognizes when the spaces were lost (" 3"
    ",000" -> "3,000"). CJK pieces stay units (the segmenter may cut between them); an
    attached Latin or digit run inside CJK is joined (C, B, D -> CBD; 20, 24 -> 2024).
    """
    out: list[Word] = []
    for w in words:
        text = w.text.strip()
        if not text:
            continue
        if out:
            prev = out[-1]
            seam_cjk = is_cjk_char(prev.text[-1]) or is_cjk_char(text[0])
            if (w.attached and not seam_cjk) or attaches(prev.text, text):
                out[-1] = Word(prev.start, max(prev.end, w.end), prev.text + text)
                continue
        out.append(Word(w.start, w.end, text))
    return out


def segment_words(words: list[Word], rules: Rules) -> list[Cue]:
    """Group timed words into subtitle events that respect the rules.

    A sentence end or a pause over PAUSE_MS ends an event. A stretch between those that does
    not fit one event is cut into as few events as fit, and among those cuts the most even
    ones, preferring clause marks and pauses, avoiding cuts after function words or inside
    names and numbers (never an event of one or two words where a balanced cut exists). A
    short event left beside its sentence by a short pause (an orphan, check.orphan_of) is
    grouped again with it.
    """
    groups: list[list[Word]] = []
    for run in _runs(written_words(words)):
        groups.extend(_balanced(run, rules))
    settled: set[tuple[int, int]] = set()  # pairs whose words' timings allow no other cut
    while True:
        cues = fix_timing([_cue(g, rules) for g in groups], rules)
        pairs = ((min(i, j), max(i, j)) for i in range(len(cues))
                 if (j := orphan_of(cues, i, rules)) is not None)
        pair = next((p for p in pairs if (groups[p[0]][0].start, groups[p[1]][0].start)
                     not in settled), None)
        if pair is None:
            return cues
        lo, hi = pair
        if could_join(cues[lo], cues[hi], rules):  # as the events are timed, not the words
            groups[lo:hi + 1] = [groups[lo] + groups[hi]]
            continue
        regrouped = _balanced(groups[lo] + groups[hi], rules)
        if regrouped == [groups[lo], groups[hi]]:
            settled.add((groups[lo][0].start, groups[hi][0].start))
        groups[lo:hi + 1] = regrouped


def _cue(group: list[Word], rules: Rules) -> Cue:
    return Cue(group[0].start, group[-1].end, break_lines(join_words([w.text for w in group]), rules))


def _runs(words: list[Word]) -> list[list[Word]]:
    """Stretches of speech: cut after each sentence end and at each pause over PAUSE_MS."""
    runs: list[list[Word]] = []
    current: list[Word] = []
    for word in words:
        if current and word.start - current[-1].end > PAUSE_MS:
            runs.append(current)
            current = []
        current.append(word)
        if ends_sentence(word.text):
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _fits(group: list[Word], rules: Rules, capacity: int) -> bool:
    text = join_words([w.text for w in group])
    return (len(group) == 1 or (text_length(text) <= capacity and fits(text, rules)
                                and group[-1].end - group[0].start <= rules.max_duration))


def _cut_cost(left: Word, right: Word) -> float:
    """What cutting between two words costs (negative: a good place)."""
    cost = 0.0
    if CLAUSE_END.search(left.text):
        cost -= CLAUSE_BONUS
    if weak_end(left.text):
        cost += WEAK_END
    if keeps_together(left.text, right.text):
        cost += KEEP_TOGETHER
    return cost - min(PAUSE_MS, max(0, right.start - left.end)) * PAUSE_BONUS_PER_MS


def _balanced(run: list[Word], rules: Rules) -> list[list[Word]]:
    """The run as the fewest events that fit, cut as evenly and as naturally as possible
    (dynamic programming over the cut points)."""
    capacity = rules.max_chars_per_line * rules.max_lines
    if _fits(run, rules, capacity):
        return [run]
    n = len(run)
    best: list[tuple[float, int]] = [(0.0, 0)] + [(float("inf"), 0)] * n  # (cost, previous cut)
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            group = run[i:j]
            text = join_words([w.text for w in group])
            if len(group) > 1 and (text_length(text) > capacity
                                   or group[-1].end - group[0].start > rules.max_duration):
                break  # longer groups only grow
            if best[i][0] == float("inf") or not _fits(group, rules, capacity):
                continue
            cost = best[i][0] + EVENT + BALANCE * (text_length(text) / capacity) ** 2
            if is_short(text):
                cost += SHORT_EVENT
            if j < n:
                cost += _cut_cost(run[j - 1], run[j])
            if cost < best[j][0]:
                best[j] = (cost, i)
    cuts, j = [], n
    while j > 0:
        cuts.append(j)
        j = best[j][1]
    bounds = [0] + cuts[::-1]
    return [run[a:b] for a, b in zip(bounds, bounds[1:])]
