"""The scan's grey samples (issue 20, must-show 6: scan cost): read with the decoder
skipping the pictures nothing is predicted from, each sample still shows its own moment
(within a few frames), and the watch's small copy of a frame is the exact block mean."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.av import media
from pipeline.onscreen.changes import BandWatch
from tests import mediatools as mt


def test_samples_skipping_unreferenced_pictures_keep_their_moment(tmp_path: Path) -> None:
    # each picture's luma is 16 + 4x its number (25 a second), 3 B-frames between P-frames
    clip = tmp_path / "count.mp4"
    mt.ffmpeg("-f", "lavfi", "-i", "color=c=black:s=64x64:r=25:d=2", "-vf",
              "geq=lum='16+4*N':cb=128:cr=128", "-c:v", "libx264", "-crf", "8", "-bf", "3",
              "-pix_fmt", "yuv420p", str(clip))
    def number(frame: np.ndarray) -> float:  # grey is full range: 16-235 became 0-255
        return float(frame.mean()) * 219 / 255 / 4

    whole = [number(f) for f in media.gray_frames(clip, 64, 64, 4.0)]
    skipped = [number(f) for f in media.gray_frames(clip, 64, 64, 4.0, skip_unreferenced=True)]
    assert len(whole) == len(skipped) == 8
    # from every picture decoded, sample i shows the last one before i/4 + 1/8 s (the fps
    # filter rounds to the nearest sample)
    assert all(i * 6.25 - 0.5 <= n <= (i + 0.5) * 6.25 for i, n in enumerate(whole)), whole
    # without the unreferenced ones: never after, at most 3 pictures (120 ms) before it
    late = [(i, round(n), round(m)) for i, (n, m) in enumerate(zip(whole, skipped))
            if not -3.5 <= m - n <= 0.5]
    assert not late, late


def test_small_frame_is_the_exact_block_mean() -> None:
    rng = np.random.default_rng(7)
    for height, width in ((720, 1280), (480, 854), (360, 640), (180, 320)):
        watch = BandWatch(height, width)
        k, rows, cols = watch.factor, watch.rows, watch.cols
        frame = rng.integers(0, 256, (height, width), dtype=np.uint8)
        frame[:k, :k] = 255
        mean = frame[: rows * k, : cols * k].astype(np.float32).reshape(rows, k, cols, k)
        assert np.array_equal(watch._small(frame), mean.mean(axis=(1, 3)))
