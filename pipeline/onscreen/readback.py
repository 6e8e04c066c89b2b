"""QA of a finished version: its picture read back by OCR where the source had burned-in
subtitles, for text boxes that overlap and for the source's script left in the subtitle band
of a translated version."""

from __future__ import annotations

from typing import Any

from rapidfuzz.fuzz import ratio

from pipeline import subtitles as subs
from pipeline.engines.ocr import TextReader, TextLine
from pipeline.onscreen.model import Onscreen, script_of, writes_in

MAX_FRAMES = 8  # pictures read per version: the middles of the source's subtitles, spread
SAME = 85.0  # rapidfuzz ratio of what the band reads to the subtitle expected there
# share of the smaller box two texts must share to collide: the boxes of two lines of one
# subtitle touch (the detector pads them), text written over text shares most of it
COLLIDE = 0.25


def moments(onscreen: Onscreen) -> list[float]:
    """Seconds to read back: the middle of up to MAX_FRAMES of the source's subtitles (one
    per window: bilingual lines share theirs)."""
    shown = list({(i.start, i.end): i for i in onscreen.subtitles()}.values())
    step = max(1, len(shown) // MAX_FRAMES + (len(shown) % MAX_FRAMES > 0))
    return [(i.start + i.end) / 2000 for i in shown[::step]][:MAX_FRAMES]


def _overlap(a: TextLine, b: TextLine) -> bool:
    w = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
    h = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
    area = lambda box: (box[2] - box[0]) * (box[3] - box[1])  # noqa: E731
    return w > 0 and h > 0 and w * h > COLLIDE * min(area(a.box), area(b.box))


def _plain(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def findings(lines: list[TextLine], t: float, height: int, band_top: float,
             source_scripts: set[str], translated: bool, expected: str) -> list[dict[str, Any]]:
    """What is wrong in one picture's text (`band_top`: share of the height where the
    subtitle band starts; `expected`: the subtitle a viewer should read there now)."""
    found = []
    for n, a in enumerate(lines):
        for b in lines[n + 1:]:
            if _overlap(a, b):
                found.append({"kind": "onscreen", "rule": "overlap", "at": round(t, 2),
                              "detail": f"at {t:.1f} s {a.text!r} and {b.text!r} overlap"})
    band = [ln for ln in lines if (ln.box[1] + ln.box[3]) / 2 >= band_top * height]
    read = " ".join(ln.text for ln in band)
    if expected and ratio(_plain(read), _plain(expected)) < SAME:
        found.append({"kind": "onscreen", "rule": "unreadable", "at": round(t, 2),
                      "detail": f"at {t:.1f} s the subtitle band reads {read!r}, not "
                                f"{expected!r}: the subtitles collide"})
    if translated:
        for ln in band:
            if script_of(ln.text) in source_scripts:
                found.append({"kind": "onscreen", "rule": "source_text", "at": round(t, 2),
                              "detail": f"at {t:.1f} s the source's {ln.text!r} shows in the "
                                        "subtitle band"})
    return found


def read_back(reader: TextReader, frames: list[tuple[float, Any]], onscreen: Onscreen,
              height: int, translated: bool, burned: list[subs.Cue],
              lang: str = "") -> list[dict[str, Any]]:
    """Findings over the given (t, grey picture) of one deliverable `height` pixels tall
    whose burned subtitles are `burned`, in `lang` (its own script is never the source's
    text, though bilingual source subtitles carry it)."""
    shown = onscreen.subtitles()
    top = min(i.box[1] for i in shown) / max(1, onscreen.height) - 0.05
    scripts = {i.script for i in shown if not (lang and writes_in(lang, i.script))}
    found: list[dict[str, Any]] = []
    for t, picture in frames:
        ms = round(t * 1000)
        expected = next((c.flat for c in burned if c.start <= ms < c.end), "")
        if not expected and not translated:  # the screen's own subtitle is the one to read
            expected = " ".join(i.text for i in shown if i.start <= ms < i.end)
        found += findings(reader.read(picture), t, height, top, scripts, translated, expected)
    return found
