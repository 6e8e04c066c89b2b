"""Translate sentences, not fragments: join subtitle events into sentences, then share a
translated sentence back over its events in proportion to their source length."""

from __future__ import annotations

import re

from pipeline.subtitles.check import ends_sentence
from pipeline.subtitles.lines import break_lines
from pipeline.subtitles.model import Cue, Rules
from pipeline.subtitles.text import (
    cjk_words,
    is_cjk_char,
    join_words,
    keeps_together,
    text_length,
    weak_end,
)

_BREAK_AFTER = re.compile(r"[,;:.!?，、；：。！？]$")
# Besides what ends a subtitle sentence (subtitles.check.ends_sentence: not "U.S." or "Dr."),
# what ends a sentence sent to MT: the Chinese full-width semicolon (a clause an engine
# translates well on its own), and a Chinese mark followed by closing quotes or brackets
# (。” 。」 ！）).
_MT_END = re.compile(r"(?:；|[。！？…])[\"'”’)」』）》]*$")


def sentence_end(text: str) -> bool:
    """Whether an event's text ends a sentence for MT."""
    return ends_sentence(text) or bool(_MT_END.search(text.strip()))


def group_sentences(cues: list[Cue]) -> list[list[int]]:
    """Indices of cues grouped into sentences (a group ends at sentence punctuation, Chinese
    。！？； included, not at an initialism such as "U.S." or a title such as "Dr.")."""
    groups: list[list[int]] = []
    current: list[int] = []
    for i, cue in enumerate(cues):
        current.append(i)
        if sentence_end(cue.flat):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _units(text: str) -> list[str]:
    """Split points: words (Chinese words by jieba; a glyph each in Japanese)."""
    if any(is_cjk_char(c) for c in text):
        return [t for word in text.split() for t in cjk_words(word)]
    return text.split()


def split_proportionally(text: str, weights: list[int]) -> list[str]:
    """Cut text into len(weights) pieces whose lengths follow the weights, preferring cuts
    after punctuation near each ideal point."""
    if len(weights) <= 1:
        return [text]
    units = _units(text)
    total_w = sum(weights) or 1
    lengths = [text_length(u) + 1 for u in units]
    total = sum(lengths)
    cuts: list[int] = []
    acc_w = 0
    for w in weights[:-1]:
        acc_w += w
        ideal = total * acc_w / total_w
        best, best_cost = None, None
        pos = 0
        lo = cuts[-1] + 1 if cuts else 1
        for k in range(1, len(units)):
            pos += lengths[k - 1]
            if k < lo or k > len(units) - (len(weights) - len(cuts) - 1):
                continue
            cost = abs(pos - ideal) - (6 if _BREAK_AFTER.search(units[k - 1]) else 0)
            if keeps_together(units[k - 1], units[k]):
                cost += 20
            if weak_end(units[k - 1]):
                cost += 10
            if best_cost is None or cost < best_cost:
                best, best_cost = k, cost
        cuts.append(best if best is not None else min(len(units), lo))
    pieces, start = [], 0
    for c in cuts + [len(units)]:
        pieces.append(join_words(units[start:c]))
        start = c
    return pieces


def _overfull(text: str, rules: Rules) -> bool:
    lines = text.split("\n")
    return len(lines) > rules.max_lines or any(text_length(ln) > rules.max_chars_per_line
                                                for ln in lines)


def split_overfull(cues: list[Cue], rules: Rules) -> list[Cue]:
    """An event whose text cannot fit the line rules is split in two events, its time shared
    in proportion to the text (as a subtitler would), while each half keeps a readable length."""
    out: list[Cue] = []
    queue = list(cues)
    while queue:
        cue = queue.pop(0)
        text = break_lines(cue.text, rules)
        if not _overfull(text, rules) or cue.duration < 2 * rules.min_duration + rules.min_gap:
            out.append(Cue(cue.start, cue.end, text))
            continue
        first, second = split_proportionally(join_words(text.split("\n")), [1, 1])
        if not first or not second:
            out.append(Cue(cue.start, cue.end, text))
            continue
        share = text_length(first) / max(1, text_length(first) + text_length(second))
        cut = cue.start + int(cue.duration * share)
        cut = min(max(cut, cue.start + rules.min_duration), cue.end - rules.min_duration - rules.min_gap)
        queue[:0] = [Cue(cue.start, cut, first), Cue(cut + rules.min_gap, cue.end, second)]
    return out
