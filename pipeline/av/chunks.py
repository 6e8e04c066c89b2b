"""The render in chunks: each deliverable's picture is encoded in windows of about
`render.chunk_s` seconds cut on the source's frame grid, each window a file of its own (its
first frame a key frame) named by the hash of everything it is made from, then the windows
are joined by stream copy (ffmpeg's concat demuxer) with the version's sound.

An editor's one-line change touches the windows its subtitle overlaps: only those are encoded
again, and the file joined from old and new windows is the same bytes as a cold render of the
edited version (every window is encoded the same way whichever run makes it).

A window's subtitles and covers keep the source's times (the decode keeps the source's
timestamps, `video_args(seek=...)`), so a line crossing a window's edge shows on the same
frames as in a whole-file render; each output's window is cut a quarter of a frame before its
own first frame (`ChunkWindow.span`), so every frame lands in exactly one window whatever the
rounding of its timestamp.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline import subtitles as subs
from pipeline.av import filtergraph as fg
from pipeline.cache import canonical_hash, read_json, write_json_atomic

# what a chunk's name hashes besides its inputs: raise it when the way a chunk is cut changes
CHUNK_FORMAT = 1
# the decode of a window whose output converts the frame rate starts this long before it: the
# conversion picks each frame from its neighbours, as it does in a whole-file decode (others
# start at the window: seeking before it would decode from the key frame before that, a
# whole GOP more, when the source has a key frame at the window's start)
SEEK_MARGIN = 0.5
# ASS times are centiseconds: events within this of a window's edge count as inside it
EDGE_MS = 20


@dataclass(frozen=True)
class ChunkWindow:
    """One window of the render: from `start` to before `end` (seconds on the source's frame
    grid; None: to the end of what is rendered)."""

    index: int
    start: Fraction
    end: Fraction | None

    def seek(self, margin: bool) -> float:
        """Where this window's decode starts: the file's start for the first; its own start
        (the decoder starts at the key frame at or before it), or SEEK_MARGIN before it for
        an output that converts the frame rate (`margin`)."""
        if self.index == 0:
            return 0.0
        return max(0.0, float(self.start) - SEEK_MARGIN) if margin else float(self.start)

    def span(self, rate: Fraction, limit: float | None) -> tuple[float, float | None]:
        """The window on an output's own frame grid (`rate` frames a second): from a quarter
        of a frame before its first frame to a quarter of a frame before the next window's
        first (ffmpeg's trim rounds an edge to the nearest tick of the frames' time base, which
        after a frame-rate conversion is the frame: a half would round either way); the last
        window ends at `limit` (a sample, a damaged source's usable part) or the source's end."""
        def edge(t: Fraction) -> float:
            return float((math.ceil(t * rate) - Fraction(1, 4)) / rate)

        start = 0.0 if self.index == 0 else edge(self.start)
        return start, (limit if self.end is None else edge(self.end))


def chunk_windows(duration: float, rate: Fraction, chunk_s: float) -> list[ChunkWindow]:
    """Windows of round(chunk_s * rate) source frames over `duration` seconds; the last one
    takes the rest (half a window or more left over makes a window of its own); chunk_s 0:
    one window."""
    if chunk_s <= 0:
        return [ChunkWindow(0, Fraction(0), None)]
    frames = max(1, round(chunk_s * rate))
    count = max(1, math.floor(duration * rate / frames + 0.5))
    return [ChunkWindow(k, Fraction(k * frames) / rate,
                        Fraction((k + 1) * frames) / rate if k + 1 < count else None)
            for k in range(count)]


def _inside(a_ms: float, b_ms: float, span: tuple[float, float | None]) -> bool:
    start, end = span
    return b_ms > start * 1000 - EDGE_MS and (end is None or a_ms < end * 1000 + EDGE_MS)


def cues_in(cues: list[subs.Cue], span: tuple[float, float | None]) -> list[subs.Cue]:
    """The cues shown in a window (in their order: libass stacks lines that overlap by it)."""
    return [c for c in cues if _inside(c.start, c.end, span)]


def covers_in(covers: tuple[fg.Cover, ...], span: tuple[float, float | None]) -> tuple[fg.Cover, ...]:
    """The covers drawn in a window, with only their windows that overlap it."""
    found = []
    for c in covers:
        windows = tuple(w for w in c.windows if _inside(w[0] * 1000, w[1] * 1000, span))
        if windows:
            found.append(replace(c, windows=windows))
    return tuple(found)


def chunk_key(spec: fg.OutputSpec, ass: str, seek: float, encoder: dict[str, Any]) -> str:
    """A chunk's name: the hash of all it is made from (the source, the window, the frame and
    its settings, the subtitles and covers shown in it, the encoder; not the profile's name,
    so identical pictures, such as one clean profile across languages, are one file)."""
    return canonical_hash({"format": CHUNK_FORMAT, "seek": round(seek, 6), "ass": ass,
                           "output": replace(spec, name="", target="", ass_file=None),
                           **encoder})


class ChunkStore:
    """A video's chunks (one folder per video and stage), and per deliverable an index of the
    chunks it is joined from: chunks no index names are deleted after each render."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: str) -> Path:
        return self.folder / f"{key[:32]}.mp4"

    def record(self, deliverable: str, chunks: list[Path]) -> None:
        write_json_atomic(self.folder / f"{deliverable}.json", [c.name for c in chunks])

    def prune(self) -> int:
        """Delete the chunks no deliverable is joined from any more; how many went."""
        if not self.folder.is_dir():
            return 0
        used: set[str] = set()
        for index in self.folder.glob("*.json"):
            names = read_json(index)
            if isinstance(names, list):
                used.update(str(n) for n in names)
        removed = 0
        for chunk in self.folder.glob("*.mp4"):
            if not chunk.name.startswith(".") and chunk.name not in used:
                chunk.unlink(missing_ok=True)
                removed += 1
        return removed


def concat_list(chunks: list[Path], folder: Path, name: str) -> Path:
    """A concat demuxer list of the chunks, linked into `folder` under plain names (so no path
    needs the list's quoting)."""
    lines = []
    for n, chunk in enumerate(chunks):
        link = folder / f"{name}c{n}.mp4"
        os.symlink(chunk.resolve(), link)
        lines.append(f"file '{link.name}'")
    listing = folder / f"{name}.txt"
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return listing
