"""16-bit mono WAV files as numpy arrays (the narration track and its lines)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        frames = w.readframes(w.getnframes())
        return np.frombuffer(frames, dtype=np.int16), w.getframerate()


def length_ms(path: Path) -> int:
    """A WAV file's length, from its header (no samples read)."""
    with wave.open(str(path), "rb") as w:
        return int(1000 * w.getnframes() / w.getframerate())


def readable(path: Path) -> bool:
    """Whether the file is a WAV whose header parses (a disk that filled up mid-write leaves
    one that does not: a cache treats it as missing)."""
    try:
        length_ms(path)
        return True
    except (EOFError, wave.Error, ZeroDivisionError, OSError):
        return False


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype(np.int16).tobytes())
