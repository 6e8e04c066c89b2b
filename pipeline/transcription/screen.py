"""The transcript from the screen: where burned-in subtitles in the speech's language show
what is said, their text (exact, names as the producer wrote them) is the transcript's, timed
with the speech under them; the recognizer's words fill what the screen lacks."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline import subtitles as subs
from pipeline.onscreen.model import OnscreenItem, writes_in

MARGIN_MS = 250  # a word this close outside a subtitle's window is still under it


@dataclass(frozen=True)
class ScreenLine:
    cue: subs.Cue
    origin: str  # screen | asr


def _shown_together(items: list[OnscreenItem]) -> list[list[OnscreenItem]]:
    """Subtitle items on screen at the same time (the lines of one two-line subtitle)."""
    groups: list[list[OnscreenItem]] = []
    for item in sorted(items, key=lambda i: (i.start, i.box[1])):
        last = groups[-1] if groups else None
        if last and min(item.end, max(i.end for i in last)) - max(item.start, last[0].start) > \
                0.5 * (item.end - item.start):
            last.append(item)
        else:
            groups.append([item])
    return groups


def screen_lines(words: list[subs.Word], items: list[OnscreenItem], language: str,
                 rules: subs.Rules) -> list[ScreenLine] | None:
    """The transcript's lines with the screen's subtitles in `language` taking the place of
    the words they cover; None when the screen has none in that language."""
    own = [i for i in items if i.kind == "subtitle" and writes_in(language, i.script)]
    if not own:
        return None
    lines: list[ScreenLine] = []
    covered: set[int] = set()
    for group in _shown_together(own):
        start, end = min(i.start for i in group), max(i.end for i in group)
        under = [n for n, w in enumerate(words)
                 if start - MARGIN_MS <= (w.start + w.end) // 2 <= end + MARGIN_MS]
        covered.update(under)
        text = subs.break_lines(
            subs.join_words([i.text for i in sorted(group, key=lambda i: i.box[1])]), rules)
        if under:  # timed with the speech it shows, kept as long as reading it takes
            shown_until = end
            start, end = words[under[0]].start, words[under[-1]].end
            need = subs.reading_need(subs.Cue(start, end, text), rules)
            end = max(end, min(shown_until, start + need))
        lines.append(ScreenLine(subs.Cue(start, end, text), "screen"))
    rest = [w for n, w in enumerate(words) if n not in covered]
    lines += [ScreenLine(c, "asr") for c in subs.segment_words(rest, rules)] if rest else []
    return sorted(lines, key=lambda ln: ln.cue.start)
