"""Where text in the picture changes, from small grey frames (numpy; nothing is drawn).

Burned-in text is a set of sharp edges that stays put while the picture behind it moves or
stays smooth: per sample, the pixels of a small copy of the frame with a strong edge that did
not change over the last two intervals are "text-like". The frame is cut into horizontal
bands; a band whose text-like pixels differ from what they were when it was last read has
changed, and only those bands are read (OCR). A gradient has no sharp edges, moving texture
no still ones: neither is read more than the back-off allows (see scan.py).
"""

from __future__ import annotations

import numpy as np

EDGE = 36.0  # grey levels between neighbouring pixels of the small frame: a sharp edge
STILL = 6.0  # grey levels a still pixel may drift between two samples (compression noise)
STILL_SAMPLES = 4  # a text-like pixel has not changed over this many intervals (1 s at 4 fps)
MIN_PIXELS = 12  # fewer text-like pixels than this in a band: nothing there
CHANGED = 0.3  # share of a band's text-like pixels that differ: the band changed
SMALL_ROWS = 180  # the small frame's height (about): a 720p frame is averaged 4x4


class BandWatch:
    def __init__(self, height: int, width: int, bands: int = 12) -> None:
        self.factor = max(1, round(height / SMALL_ROWS))
        self.rows, self.cols = height // self.factor, width // self.factor
        edges = np.linspace(0, self.rows - 1, bands + 1).round().astype(int)
        self.bands = [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]
        self.read_text = [False] * bands  # the band's last read found text
        self.read_at = [0] * bands  # when it was last read (ms)
        self._prev: np.ndarray | None = None
        self.still_count = np.zeros((self.rows - 1, self.cols - 1), np.int32)
        self._edges = np.zeros((self.rows - 1, self.cols - 1), bool)
        self.mask = np.zeros((self.rows - 1, self.cols - 1), bool)
        self.reference = self.mask.copy()  # the text-like pixels when each band was last read
        # still edges a read found no text at: the picture's own (bars, a skyline), never
        # a reason to read again when something moving uncovers them
        self.known = self.mask.copy()
        # per small pixel, the sample time (ms) it last changed at: when a text arrived
        self.changed_at = np.zeros((self.rows - 1, self.cols - 1), np.int64)

    def _small(self, frame: np.ndarray) -> np.ndarray:
        """The k x k means of the frame (k = factor), as float32: added up as integers one
        row and one column of each block at a time (exact, and 15x faster than a float mean
        over the two block axes; a 720p frame's copy costs 0.5 ms, not 7)."""
        k = self.factor
        if k == 1:
            return frame.astype(np.float32)
        blocks = frame[: self.rows * k, : self.cols * k].reshape(self.rows, k, self.cols, k)
        rows = blocks[:, 0].astype(np.uint16)  # k * k * 255 fits while k <= 16
        for i in range(1, k):
            rows += blocks[:, i]
        total = rows[:, :, 0].copy()
        for j in range(1, k):
            total += rows[:, :, j]
        return total.astype(np.float32) / np.float32(k * k)

    def update(self, frame: np.ndarray, t: int) -> list[int]:
        """Take the sample at t ms; the bands whose text-like pixels changed since last read."""
        small = self._small(frame)
        edges = np.maximum(np.abs(np.diff(small, axis=1))[:-1, :],
                           np.abs(np.diff(small, axis=0))[:, :-1]) > EDGE
        if self._prev is None:
            still = np.zeros_like(edges)
        else:
            still = (np.abs(small - self._prev) < STILL)[:-1, :-1]
        self.still_count[~still] = 0
        self.still_count[still] += 1
        self.mask = edges & (self.still_count >= STILL_SAMPLES)
        self.changed_at[~still] = t
        self._prev, self._edges = small, edges
        return [b for b in range(len(self.bands)) if self.changed(b)]

    def _band(self, array: np.ndarray, b: int) -> np.ndarray:
        a, z = self.bands[b]
        return array[a:z]

    def changed(self, b: int) -> bool:
        """Text-like pixels came (not the picture's own, not a text already read), or, where
        the last read found text, pixels of it changed since (it went, or another replaced
        it: still edges something passes in front of end nothing)."""
        cur, ref = self._band(self.mask, b), self._band(self.reference, b)
        came = int((cur & ~ref & ~self._band(self.known, b)).sum())
        went = 0
        if self.read_text[b]:
            went = int((ref & (self._band(self.changed_at, b) > self.read_at[b])).sum())
        union = int((cur | ref).sum())
        return max(came, went) >= MIN_PIXELS and max(came, went) / max(union, 1) > CHANGED

    def arrived(self, box: tuple[int, int, int, int], default: int) -> int:
        """When the sharp pixels inside a box of the frame (x0, y0, x1, y1) last changed: the
        sample a text there first showed on (`default` when the box holds none)."""
        k = self.factor
        x0, y0, x1, y1 = (max(0, v // k) for v in box)
        edges = self._edges[y0:y1 + 1, x0:x1 + 1]
        times = self.changed_at[y0:y1 + 1, x0:x1 + 1][edges]
        return int(np.median(times)) if times.size else default

    def has_text(self, b: int) -> bool:
        """The band holds still sharp pixels that are not the picture's own."""
        return int((self._band(self.mask, b) & ~self._band(self.known, b)).sum()) >= MIN_PIXELS

    def settle(self, bands: list[int], found: list[tuple[int, int, int, int]], t: int) -> None:
        """These bands were read at t (`found`: the boxes, frame pixels, of the texts the read
        found): later samples compare to what is there now, a found text's sharp pixels
        counted in whole (those not still yet are no news when they become so)."""
        k = self.factor
        text = np.zeros_like(self.mask)
        for x0, y0, x1, y1 in found:
            text[max(0, y0 // k - 1): y1 // k + 2, max(0, x0 // k - 1): x1 // k + 2] = True
        for b in bands:
            a, z = self.bands[b]
            self.read_text[b] = bool(text[a:z].any())
            self.read_at[b] = t
            self.known[a:z] |= self.mask[a:z] & ~text[a:z]
            self.reference[a:z] = self.mask[a:z] | (self._edges[a:z] & text[a:z])

    def columns_of(self, first: int, last: int, width: int) -> tuple[int, int]:
        """The frame columns that hold the bands' text-like pixels (with a margin): a read
        need not look at the rest of the row."""
        a, z = self.bands[first][0], self.bands[last][1]
        cols = np.flatnonzero((self.mask[a:z] & ~self.known[a:z]).any(axis=0))
        if cols.size == 0:
            return 0, width
        margin = max(2, self.cols // 25)
        return (max(0, (int(cols[0]) - margin) * self.factor),
                min(width, (int(cols[-1]) + margin + 2) * self.factor))

    def rows_of(self, first: int, last: int, height: int) -> tuple[int, int]:
        """The frame rows bands first..last cover (with a margin of a small row)."""
        a, z = self.bands[first][0], self.bands[last][1] + 1
        return max(0, (a - 1) * self.factor), min(height, (z + 2) * self.factor)
