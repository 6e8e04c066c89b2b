"""Reading the text in a video's picture: sample, find the bands that changed, read only
those, follow each text from when it appears to when it goes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from pipeline.engines.ocr import TextReader, TextLine
from pipeline.onscreen.changes import BandWatch
from pipeline.onscreen.model import Onscreen
from pipeline.onscreen.tracker import Tracker, classify

# a band read with nothing in it waits this long (doubling, up to the cap) before it is read
# again: moving texture with still edges cannot make the scan read every sample
BACKOFF_MS = (500, 2000)


@dataclass
class ScanReport:
    onscreen: Onscreen
    samples: int = 0
    reads: int = 0
    read_rows: list[tuple[int, int, int]] = field(default_factory=list)  # (t, y0, y1)


def _runs(bands: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for b in sorted(bands):
        if runs and b == runs[-1][-1] + 1:
            runs[-1].append(b)
        else:
            runs.append([b])
    return runs


def scan_frames(frames: Iterable[np.ndarray], fps: float, reader: TextReader,
                source_size: tuple[int, int], duration_ms: int) -> ScanReport:
    """Items of text in `frames` (grey, i/fps s apart), boxes in the source's pixels."""
    tracker = Tracker()
    watch: BandWatch | None = None
    report = ScanReport(Onscreen(*source_size))
    wait: dict[int, int] = {}  # band -> back-off (ms)
    not_before: dict[int, int] = {}
    last_read: dict[int, int] = {}
    half = round(500 / fps)  # a change happened between two samples: half a step earlier
    for i, frame in enumerate(frames):
        report.samples += 1
        t = round(i * 1000 / fps)
        if watch is None:
            watch = BandWatch(*frame.shape)
        scale_x, scale_y = source_size[0] / frame.shape[1], source_size[1] / frame.shape[0]
        for run in _runs(watch.update(frame, t)):
            # a text cut by a band's edge is read whole: a band more on each side
            first, last = max(0, run[0] - 1), min(len(watch.bands) - 1, run[-1] + 1)
            bands = list(range(first, last + 1))
            y0, y1 = watch.rows_of(first, last, frame.shape[0])
            found = []
            if any(watch.has_text(b) for b in bands):  # else the text went: nothing to read
                if all(t < not_before.get(b, 0) for b in run):
                    continue  # backing off: the change waits (its bands are not settled)
                x0, x1 = watch.columns_of(first, last, frame.shape[1])
                found = [TextLine(ln.text, (ln.box[0] + x0, ln.box[1] + y0, ln.box[2] + x0,
                                            ln.box[3] + y0), ln.confidence)
                         for ln in reader.read(frame[y0:y1, x0:x1])]
                report.reads += 1
                report.read_rows.append((t, round(y0 * scale_y), round(y1 * scale_y)))
                for b in bands:
                    # nothing there, or text that changes faster than anyone reads (a clock):
                    # wait before the next read of the band, longer each time
                    if not found or t - last_read.get(b, -10**9) < 1000:
                        wait[b] = min(BACKOFF_MS[1], wait.get(b, BACKOFF_MS[0] // 2) * 2)
                        not_before[b] = t + wait[b]
                    else:
                        wait.pop(b, None)
                        not_before.pop(b, None)
                    last_read[b] = t
            arrived = {id(ln): max(0, watch.arrived(ln.box, t) - half) for ln in found}
            lines = [TextLine(ln.text, (round(ln.box[0] * scale_x), round(ln.box[1] * scale_y),
                                        round(ln.box[2] * scale_x), round(ln.box[3] * scale_y)),
                              ln.confidence) for ln in found]
            starts = {ln: arrived[id(f)] for ln, f in zip(lines, found)}
            tracker.observe(max(0, t - half), (round(y0 * scale_y), round(y1 * scale_y)), lines,
                            starts.__getitem__)
            watch.settle(bands, [ln.box for ln in found], t)
    items = tracker.close(duration_ms)
    report.onscreen.items = classify(items, *source_size)
    return report
