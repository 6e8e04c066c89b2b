"""The master's clean picture (the video in the master's frame, no subtitles): how it is
encoded, where it is kept between runs (named by the hash of what makes it), and keeping it.

The render writes it from its one decode of the source when a master is configured; the
master task reads it (or encodes it itself when it is missing) and only muxes.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline.cache import atomic_path, canonical_hash
from pipeline.config import Config
from pipeline.workspace import Layout


@dataclass(frozen=True)
class Picture:
    """How the master's clean picture (no subtitles) is encoded."""

    width: int
    height: int
    fit: str
    crf: int
    preset: str


def master_picture(config: Config) -> Picture | None:
    r = config.render
    if not r.master:
        return None
    p = r.profiles[r.master]
    return Picture(p.width, p.height, p.fit, r.crf, r.preset)


def clean_picture_path(paths: Layout, video: str, source_digest: str, picture: Picture) -> Path:
    """Where the master's clean picture is kept between runs, named by what makes it: the
    render's shared decode writes it, and reruns of the master (an edited line) only mux."""
    key = canonical_hash({"source": source_digest, "picture": picture, "version": 3})
    return paths.pictures(video) / f"{key[:20]}.mp4"


def keep_clean_picture(target: Path, made: Path) -> None:
    """Put a freshly encoded clean picture in place; older ones of the video go."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        shutil.copyfile(made, tmp)
    for old in target.parent.glob("*.mp4"):
        if old != target:
            old.unlink(missing_ok=True)
