"""A version's captions file: the translation of each caption the scan found (a title, a
lower third, a sign), as SRT an editor opens in any subtitle editor.

`outputs/<video>/<lang>/captions.srt` holds one event per caption item of
`source/onscreen.json` in a script other than the version's language, at the item's
on-screen times (ms, as the scan recorded them), in order of start time, then top to bottom,
left to right. Events may overlap (a title shows while a lower third comes and goes).

Joined to the items by time: an event goes to the caption item shown exactly from its
start to its end; items with the same times take the events with those times in the file's
order. An event whose times no caption has is a problem of the file (its times were
changed); an item with no event (its event deleted, or its text emptied) and an event whose
text is the item's own text are left on screen as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import subtitles as subs
from pipeline.cache import write_text_atomic
from pipeline.errors import SubtitleFileError
from pipeline.onscreen.model import Onscreen, OnscreenItem, writes_in


@dataclass(frozen=True)
class Caption:
    """One caption on screen and what a version shows instead."""

    item: OnscreenItem
    text: str  # the translation (the item's own text: left as it is)

    @property
    def translated(self) -> bool:
        return self.text.strip() != "" and _flat(self.text) != _flat(self.item.text)


def _flat(text: str) -> str:
    return "".join(text.split())


def _order(item: OnscreenItem) -> tuple[int, int, int, int]:
    return item.start, item.end, item.box[1], item.box[0]


def foreign_captions(onscreen: Onscreen | None, lang: str) -> list[OnscreenItem]:
    """The caption items a version in `lang` translates (those in a script not its own), in
    the file's order."""
    if onscreen is None:
        return []
    found = [i for i in onscreen.items if i.kind == "caption" and not writes_in(lang, i.script)]
    return sorted(found, key=_order)


def write_captions(path: Path, captions: list[Caption]) -> None:
    """The captions file (written to a temporary file, then renamed)."""
    ordered = sorted(captions, key=lambda c: _order(c.item))
    write_text_atomic(path, subs.srt_text([subs.Cue(c.item.start, c.item.end, c.text)
                                           for c in ordered]))


def _stamp(ms: int) -> str:
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def load_captions(path: Path, items: list[OnscreenItem]) -> list[Caption]:
    """The file read strictly (the SRT reader, events may overlap) and joined to `items`
    by time; any problem raises SubtitleFileError: one line naming the file and the fix."""
    cues = subs.load_srt(path, overlapping=True)
    free: dict[tuple[int, int], list[OnscreenItem]] = {}
    for item in sorted(items, key=_order):
        free.setdefault((item.start, item.end), []).append(item)
    found, problems = [], []
    for cue in cues:
        waiting = free.get((cue.start, cue.end))
        if not waiting:
            text = cue.text.replace("\n", " ")
            problems.append((0, f"the event {_stamp(cue.start)} --> {_stamp(cue.end)} ({text!r}) "
                                "has the times of no caption on screen (source/onscreen.json): "
                                "keep each event's times as written, change only its text"))
            continue
        found.append(Caption(waiting.pop(0), cue.text))
    if problems:
        raise SubtitleFileError(path, problems)
    return found
