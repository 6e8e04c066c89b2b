"""Segmentation of recognized words into subtitle events."""

from __future__ import annotations

from pipeline.subtitles.lines import break_lines, fits
from pipeline.subtitles.model import Cue, Rules, Word
from pipeline.subtitles.retime import fix_timing
from pipeline.subtitles.text import CLAUSE_END, SENTENCE_END, join_words, text_length


def segment_words(words: list[Word], rules: Rules) -> list[Cue]:
    """Group timed words into subtitle events that respect the rules.

    An event ends at a sentence end, at a pause over 600 ms, or before it would exceed the
    character or duration budget; a clause boundary is the preferred split point then.
    """
    capacity = rules.max_chars_per_line * rules.max_lines
    events: list[list[Word]] = []
    current: list[Word] = []
    for word in words:
        if not word.text.strip():
            continue
        # the tail left after a clause split is checked again with this word
        while current and _must_end(current, word, rules, capacity):
            head, tail = _split_at_clause(current)
            events.append(head)
            current = tail
        current.append(word)
        if SENTENCE_END.search(word.text.strip()):
            events.append(current)
            current = []
    if current:
        events.append(current)
    cues = [Cue(ev[0].start, ev[-1].end, break_lines(join_words([w.text for w in ev]), rules))
            for ev in events if ev]
    return fix_timing(cues, rules)


def _must_end(current: list[Word], word: Word, rules: Rules, capacity: int) -> bool:
    """Whether the event being built must end before this word."""
    candidate = join_words([w.text for w in current + [word]])
    too_long = text_length(candidate) > capacity or not fits(candidate, rules)
    too_slow = word.end - current[0].start > rules.max_duration
    paused = word.start - current[-1].end > 600
    return too_long or too_slow or paused


def _split_at_clause(words: list[Word]) -> tuple[list[Word], list[Word]]:
    """Split a too-long run after its last clause mark, if that leaves a sensible head."""
    for i in range(len(words) - 1, 0, -1):
        if CLAUSE_END.search(words[i - 1].text.strip()) and i >= len(words) // 2:
            return words[:i], words[i:]
    return words, []
