"""Where things are: the videos a config names, and every path under the output folder."""

from __future__ import annotations

import glob
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline.cache import HashCache
from pipeline.config import Project
from pipeline.errors import ConfigError

VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v", ".mxf", ".ts", ".mts"}
SCRIPT_SUFFIXES = (".script.srt", ".script.txt")


@dataclass(frozen=True)
class Video:
    name: str  # sanitized, unique file stem: the folder name under outputs/
    source: Path
    script: Path | None  # NAME.script.srt / NAME.script.txt beside the source: narrate it


@dataclass(frozen=True)
class Task:
    stage: str
    video: str
    lang: str | None = None

    @property
    def key(self) -> str:
        return f"{self.stage}:{self.video}" + (f":{self.lang}" if self.lang else "")

    @property
    def label(self) -> str:
        return self.video + (f"/{self.lang}" if self.lang else "")


def sanitize(stem: str) -> str:
    """A folder- and filter-safe name that keeps letters of every script."""
    text = unicodedata.normalize("NFKC", stem)
    text = re.sub(r"[^\w.-]+", "_", text, flags=re.UNICODE).strip("._")
    return text or "video"


def _find_script(source: Path) -> Path | None:
    for suffix in SCRIPT_SUFFIXES:
        candidate = source.with_name(source.stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def discover(project: Project) -> tuple[list[Video], list[str]]:
    """The videos the inputs globs name (sorted, unique names) and a warning per empty glob."""
    found: list[Path] = []
    warnings: list[str] = []
    for pattern in project.config.inputs:
        matches = sorted(Path(p) for p in glob.glob(str(project.root / pattern), recursive=True))
        media = [m for m in matches if m.suffix.lower() in VIDEO_SUFFIXES and not m.name.startswith(".")]
        if not media:
            warnings.append(f"inputs: {pattern!r} matches no video file under {project.root}")
        # absolute, not resolved: a symlink keeps its own name (and may dangle: reported later)
        found.extend(m.absolute() for m in media if m.absolute() not in found)
    videos: list[Video] = []
    used: set[str] = set()
    for path in found:
        name = base = sanitize(path.stem)
        n = 2
        while name in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name)
        videos.append(Video(name, path, _find_script(path)))
    return videos, warnings


class Workspace:
    """One run's view of the project: videos, output paths, hash cache."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.config = project.config
        self.out = project.output_dir
        self.videos, self.warnings = discover(project)
        self.by_name = {v.name: v for v in self.videos}
        self.hashes = HashCache(self.out / ".pipeline" / "hashes.json")
        self.sample_seconds = 10.0  # `run --sample SECONDS` sets it

    def video(self, name: str) -> Video:
        if name not in self.by_name:
            raise ConfigError(f"--video {name!r}: no such video; known: {', '.join(self.by_name) or 'none'}")
        return self.by_name[name]

    def vdir(self, video: str) -> Path:
        return self.out / video

    def source_dir(self, video: str) -> Path:
        return self.out / video / "source"

    def lang_dir(self, video: str, lang: str) -> Path:
        return self.out / video / lang

    def state_dir(self, video: str) -> Path:
        return self.out / video / ".state"

    def rel(self, path: Path) -> str:
        return path.resolve().relative_to(self.out).as_posix()

    def search_dirs(self, kind: str) -> list[Path]:
        """Project folders that may hold extra model files (assets/voices, assets/fonts)."""
        return [self.project.root / "assets" / kind]
