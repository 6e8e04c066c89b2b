"""Breaking one event's text into balanced lines."""

from __future__ import annotations

from pipeline.subtitles.model import Rules
from pipeline.subtitles.text import (
    CLAUSE_END,
    SENTENCE_END,
    join_words,
    keeps_together,
    text_length,
    tokens,
    weak_end,
)


def break_lines(text: str, rules: Rules) -> str:
    """Break one event's text into at most max_lines balanced lines.

    Two lines are balanced with the bottom line the longer one (a pyramid), a break after
    punctuation is preferred, and no break falls inside a number or a capitalised name pair.
    """
    flat = join_words(text.split("\n"))
    if text_length(flat) <= rules.max_chars_per_line or rules.max_lines < 2:
        return flat
    units = tokens(flat)
    best: tuple[float, str] | None = None
    for i in range(1, len(units)):
        top, bottom = join_words(units[:i]), join_words(units[i:])
        lt, lb = text_length(top), text_length(bottom)
        cost = abs(lb - lt) + (0 if lb >= lt else 3)
        if max(lt, lb) > rules.max_chars_per_line:
            cost += 1000 * (max(lt, lb) - rules.max_chars_per_line)
        if CLAUSE_END.search(units[i - 1]) or SENTENCE_END.search(units[i - 1]):
            cost -= 8
        if keeps_together(units[i - 1], units[i]):
            cost += 40
        if weak_end(units[i - 1]):
            cost += 10
        if best is None or cost < best[0]:
            best = (cost, top + "\n" + bottom)
    return best[1] if best else flat


def fits(text: str, rules: Rules) -> bool:
    """Whether the text can be broken into lines that keep the line rules."""
    lines = break_lines(text, rules).split("\n")
    return len(lines) <= rules.max_lines and all(
        text_length(line) <= rules.max_chars_per_line for line in lines)
