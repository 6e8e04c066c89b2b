"""Where things are: the videos a config names, and every path under the output folder.

Every output's name is written once, here (Layout); stages, the runner, QA, the manifest
and the review desk all ask the layout instead of joining names themselves.
"""

from __future__ import annotations

import glob
import os
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pipeline import records
from pipeline.cache import HashCache
from pipeline.config import Project
from pipeline.errors import ConfigError

VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v", ".mxf", ".ts", ".mts"}
SCRIPT_SUFFIXES = (".script.srt", ".script.txt")

T = TypeVar("T")


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
    found: dict[Path, None] = {}  # ordered, and a file two globs name is one video
    warnings: list[str] = []
    for pattern in project.config.inputs:
        matches = sorted(Path(p) for p in glob.glob(str(project.root / pattern), recursive=True))
        media = [m for m in matches if m.suffix.lower() in VIDEO_SUFFIXES and not m.name.startswith(".")]
        if not media:
            warnings.append(f"inputs: {pattern!r} matches no video file under {project.root}")
        # absolute, not resolved: a symlink keeps its own name (and may dangle: reported later)
        found.update((m.absolute(), None) for m in media)
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


def deliverable_name(video: str, lang: str, profile: str) -> str:
    return f"{video}.{lang}.{profile}.mp4"


class Layout:
    """Every path under the output folder (and the project folders engines search)."""

    def __init__(self, out: Path, project_root: Path) -> None:
        self.out = out
        self.root = project_root
        self._prefix = str(out).rstrip(os.sep) + os.sep

    # per video, source language
    def probe(self, video: str) -> Path:
        return self.out.joinpath(video, "source", "probe.json")

    def audio(self, video: str) -> Path:
        return self.out.joinpath(video, "source", "audio.wav")

    def onscreen(self, video: str) -> Path:
        return self.out.joinpath(video, "source", "onscreen.json")

    def speech(self, video: str) -> Path:
        """What the recognizer heard (listen), before transcribe makes the subtitle events."""
        return self.out.joinpath(video, "source", "speech.json")

    def transcript_json(self, video: str) -> Path:
        return self.out.joinpath(video, "source", "transcript.json")

    def transcript_srt(self, video: str) -> Path:
        return self.out.joinpath(video, "source", "transcript.srt")

    # per video and language
    def lang_dir(self, video: str, lang: str) -> Path:
        return self.out.joinpath(video, lang)

    def subtitles_srt(self, video: str, lang: str) -> Path:
        return self.out.joinpath(video, lang, "subtitles.srt")

    def captions_srt(self, video: str, lang: str) -> Path:
        """The version's translations of the captions on screen (the captions stage)."""
        return self.out.joinpath(video, lang, "captions.srt")

    def subtitles_vtt(self, video: str, lang: str) -> Path:
        return self.out.joinpath(video, lang, "subtitles.vtt")

    def subtitles_ass(self, video: str, lang: str) -> Path:
        return self.out.joinpath(video, lang, "subtitles.ass")

    def narration(self, video: str, lang: str) -> Path:
        return self.out.joinpath(video, lang, "narration.wav")

    def timing(self, video: str, lang: str) -> Path:
        return self.out.joinpath(video, lang, "timing.json")

    def heard(self, video: str, lang: str) -> Path:
        """What narration.verify heard of the version's narration (the hear stage)."""
        return self.out.joinpath(video, lang, "heard.json")

    def deliverable(self, video: str, lang: str, profile: str) -> Path:
        return self.out.joinpath(video, lang, deliverable_name(video, lang, profile))

    def sample(self, video: str, lang: str, profile: str) -> Path:
        return self.out.joinpath("_samples", deliverable_name(video, lang, profile))

    def master(self, video: str) -> Path:
        return self.out.joinpath(video, f"{video}.master.mp4")

    # the runner's records
    def _record(self, task: Task, kind: str) -> Path:
        """A task's file in its video's .state folder: `<stage>[.<lang>]<kind>.json`."""
        suffix = f".{task.lang}" if task.lang else ""
        return self.out.joinpath(task.video, ".state", f"{task.stage}{suffix}{kind}.json")

    def state(self, task: Task) -> Path:
        return self._record(task, "")

    def failure(self, task: Task) -> Path:
        return self._record(task, ".failed")

    def running(self, task: Task) -> Path:
        """Written when a task starts and removed when it ends: left behind by a killed run,
        it says the task's outputs on disk are its own half-finished work, not hand edits."""
        return self._record(task, ".running")

    def detail(self, task: Task) -> Path:
        """What a task keeps beside its state (the lines a translation was made from)."""
        return self._record(task, ".detail")

    def manifest(self) -> Path:
        return self.out / "manifest.json"

    def lock(self) -> Path:
        return self.out / ".pipeline.lock"

    # caches (safe to delete)
    def hashes(self) -> Path:
        return self.out.joinpath(".pipeline", "hashes.json")

    def translation_memory(self) -> Path:
        return self.out.joinpath(".pipeline", "tm")

    def pictures(self, video: str) -> Path:
        """The master's clean pictures of a video, each named by the hash of what made it."""
        return self.out.joinpath(".pipeline", "pictures", video)

    def chunks(self, video: str) -> Path:
        """A video's rendered picture chunks (per stage), each named by the hash of what made
        it: an edit encodes only the chunks it touches (pipeline/av/chunks.py)."""
        return self.out.joinpath(".pipeline", "chunks", video)

    def line_audio(self, key: str) -> Path:
        """One narration line as synthesized, by its synthesis key (shared by every version)."""
        return self.out.joinpath(".pipeline", "lines", key[:2], f"{key}.wav")

    def heard_span(self, key: str) -> Path:
        """What the verifying Whisper heard in a span of a narration track, by its key."""
        return self.out.joinpath(".pipeline", "heard", key[:2], f"{key}.json")

    # project folders with extra model files
    def assets(self, kind: str) -> Path:
        """assets/voices, assets/fonts: files a project adds to what the packages hold."""
        return self.root / "assets" / kind

    def rel(self, path: Path) -> str:
        """A path relative to the output folder (how states and the manifest name files)."""
        text = str(path)
        if text.startswith(self._prefix):  # what relative_to gives, without its parsing
            return text[len(self._prefix):].replace(os.sep, "/")
        try:
            return path.relative_to(self.out).as_posix()
        except ValueError:
            return path.resolve().relative_to(self.out).as_posix()


class Workspace:
    """One run's view of the project: config, videos, the output layout, the hash cache."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.config = project.config
        self.out = project.output_dir
        self.paths = Layout(self.out, project.root)
        self.videos, self.warnings = discover(project)
        self.by_name = {v.name: v for v in self.videos}
        self.hashes = HashCache(self.paths.hashes())
        self._memo: dict[Any, Any] = {}
        self._memo_lock = threading.RLock()  # units side by side: an identity is hashed once

    def video(self, name: str) -> Video:
        if name not in self.by_name:
            raise ConfigError(f"--video {name!r}: no such video; known: {', '.join(self.by_name) or 'none'}")
        return self.by_name[name]

    def memo(self, key: Any, make: Callable[[], T]) -> T:
        """A value computed once per workspace (engine identities: they read no task's files)."""
        with self._memo_lock:
            if key not in self._memo:
                self._memo[key] = make()
            return self._memo[key]

    def read_record(self, path: Path, cls: records.Reader[T]) -> T | None:
        """A typed record (pipeline/records.py) read from its file, re-read only when its size
        or mtime changed (stages read upstream records, such as the transcript's language, for
        every task's parameters); None when it is missing or does not validate (a miss,
        never a crash)."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        key = ("record", str(path), cls)
        stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
        hit = self._memo.get(key)
        if hit is not None and hit[0] == stamp:
            found: T | None = hit[1]
            return found
        value = records.load(cls, path)
        self._memo[key] = (stamp, value)
        return value

    def source_language(self, video: str) -> str | None:
        """The language transcribe settled on (None until it has run)."""
        from pipeline.transcription.record import TranscriptRecord

        record = self.read_record(self.paths.transcript_json(video), TranscriptRecord)
        return record.language if record else None
