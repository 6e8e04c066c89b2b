"""narrate: the host's voice per subtitle line, fitted to its slot, on the video's timeline.

Each line's audio is kept in a synthesis cache (`Layout.line_audio`) keyed by what decides it:
the voice's identity (model and voice file digests), the voice, the rate, the lexicon entries
the line uses and its text. Editing one line synthesizes that line again; the others are
read back. With `narration.verify` the hear stage (pipeline/stages/hear.py) hears the track
back, beside the render.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.av import media
from pipeline import subtitles as subs
from pipeline.av.wav import length_ms, read_wav, readable, write_wav
from pipeline.cache import atomic_path, canonical_hash, write_text_atomic
from pipeline.config import NarrationConfig
from pipeline.engines import tts
from pipeline.engines.tts.lexicon import entries_used
from pipeline.language.tags import lookup, same_language
from pipeline.stages.base import Job, Result, RunContext, Stage, settled
from pipeline.narration.fit import fit_lines, sequential_slots
from pipeline.narration.record import NarratedLine, Synthesis, TimingRecord
from pipeline.workspace import Layout, Task, Workspace

RATE = 48000
SCRIPT_PAUSE_MS = 500  # between the lines of a plain-text script


def voice_spec(n: NarrationConfig, lang: str) -> str:
    """The configured voice, else `narration.default_voice`, else the built-in choice: a Kokoro
    voice for every language Kokoro speaks, Piper for English, espeak-ng for the rest."""
    configured = lookup(n.voices, lang)
    if configured:
        return str(configured)
    return n.default_voice.format(lang=lang) if n.default_voice else tts.default_voice(lang)


def narrated(ws: Workspace, task: Task) -> bool:
    """Whether the version gets the host's voice: not with `narration.mode: none`, nor the
    source language's own version of a film with speech (`narration.source_language: keep`)."""
    assert task.lang
    n = ws.config.narration
    if n.mode == "none":
        return False
    if ws.video(task.video).script is None and n.source_language == "keep":
        src = ws.source_language(task.video)
        return not (src and same_language(src, task.lang))
    return True


@dataclass(frozen=True)
class NarrateParams:
    narrated: bool  # the source language keeps its own speech (narration.source_language)
    host: str
    retimed: bool = False  # a plain-text script: lines laid out at the voice's own pace
    voice: str = ""
    model: dict[str, Any] | None = None  # the voice's identity (model files by content)
    rate: float = 1.0
    lexicon: tuple[tuple[str, str], ...] = ()
    max_speedup: float = 1.35
    gap_ms: int = 100
    smoothing: float | None = None
    sample_rate: int = RATE
    until_ms: int | None = None  # `run --sample`: only the lines of the excerpt (and the next)


def line_key(p: NarrateParams, text: str) -> str:
    """A line's synthesis cache key: everything that decides its audio, nothing else."""
    return canonical_hash([p.model, p.voice, p.rate, entries_used(text, dict(p.lexicon)), text])


class Narrate(Stage[NarrateParams]):
    name = "narrate"
    version = 9  # 2: speed smoothing, lexicon; 3: plain-text scripts at the voice's pace;
    # 4: pauses between script lines not counted in the speed-up; 5: line cache, verify;
    # 6, 7: verify hears from a second before the first line to a second after the last;
    # 8: verify hears spans of neighbouring lines (each cached), lines side by side;
    # 9: verify moved to the hear stage (timing.json without heard, unheard, verify, hearing)
    shared_per_video = True  # a video's languages synthesize side by side (run_many)

    def __init__(self, sample_seconds: float | None = None) -> None:
        self.sample_ms = None if sample_seconds is None else int(sample_seconds * 1000)

    def params(self, ws: Workspace, task: Task) -> NarrateParams:
        assert task.lang
        n = ws.config.narration
        script = ws.video(task.video).script
        if not narrated(ws, task):
            return NarrateParams(False, n.host)
        spec = voice_spec(n, task.lang)
        search = [ws.paths.assets("voices")]
        model = ws.memo(("tts", spec), lambda: tts.identity(spec, search, ws.hashes.sha256))
        lexicon = lookup(n.lexicon, task.lang) or {}
        return NarrateParams(True, n.host, bool(script and script.suffix == ".txt"), spec, model,
                             lookup(n.rate, task.lang) or 1.0, tuple(sorted(lexicon.items())),
                             n.max_speedup, int(n.gap_s * 1000), n.smoothing,
                             until_ms=self.sample_ms)

    def inputs(self, ws: Workspace, task: Task, params: NarrateParams) -> dict[str, Path]:
        assert task.lang
        return {"subtitles": ws.paths.subtitles_srt(task.video, task.lang),
                "probe": ws.paths.probe(task.video)}

    def outputs(self, paths: Layout, task: Task, params: NarrateParams) -> list[Path]:
        assert task.lang
        return [paths.narration(task.video, task.lang), paths.timing(task.video, task.lang)]

    def records(self, paths: Layout, task: Task, params: NarrateParams) -> dict[Path, Any]:
        assert task.lang
        return {paths.timing(task.video, task.lang): TimingRecord}

    def warm(self, ctx: RunContext, task: Task, params: NarrateParams) -> None:
        """The voice as the task will use it: none when every line is in the cache, on more
        cores when fewer lines are missing than there are cores (an editor's one line)."""
        if not params.narrated:
            return
        assert task.lang
        srt = ctx.paths.subtitles_srt(task.video, task.lang)
        missing = _missing(ctx.paths, params, srt) if srt.is_file() else ctx.threads
        if missing:
            voice = ctx.engines.voice(params.voice, [ctx.paths.assets("voices")])
            tts.warm(tts.with_threads(voice, line_threads(ctx.threads, missing)))

    def run(self, ctx: RunContext, job: Job[NarrateParams]) -> Result:
        (result,) = self.run_many(ctx, [job])
        if isinstance(result, Exception):
            raise result
        return result

    @staticmethod
    def _line_threads(ctx: RunContext, jobs: list[Job[NarrateParams]]) -> int:
        missing = sum(_missing(ctx.paths, job.params, job.inputs["subtitles"])
                      for job in jobs if job.params.narrated)
        return line_threads(ctx.threads, missing)

    def run_many(self, ctx: RunContext, jobs: list[Job[NarrateParams]]) -> list[Result | Exception]:
        """A video's languages at once: their lines share one pool of `ctx.threads` workers
        (one onnxruntime thread each, the voice model loaded once in this process), so every
        core synthesizes. Each line's audio is the same whatever the order or the thread."""
        with ThreadPoolExecutor(max(1, ctx.threads), thread_name_prefix="narrate-line") as pool, \
                ThreadPoolExecutor(len(jobs), thread_name_prefix="narrate") as versions:
            lines = _Lines(ctx, pool, self._line_threads(ctx, jobs))
            return settled([versions.submit(self._narrate, ctx, job, lines) for job in jobs])

    def _narrate(self, ctx: RunContext, job: Job[NarrateParams], made_by: _Lines) -> Result:
        p = job.params
        out_wav, out_timing = self.outputs(ctx.paths, job.task, p)
        duration = int(1000 * media.read_probe(job.inputs["probe"])
                       .usable_duration)  # the part of a damaged source kept that decodes
        track = np.zeros(int(duration * p.sample_rate / 1000), dtype=np.int32)
        cues = _excerpt(subs.load_srt(job.inputs["subtitles"]), p.until_ms)
        report = TimingRecord(p.narrated, p.host, p.retimed, (), p.until_ms)
        result = Result()
        if p.narrated and cues:
            lines, made = made_by.audio(p, [c.flat for c in cues])
            result.note = f"{made} of {len(lines)} line(s) synthesized"
            lengths = [length_ms(path) for path in lines]
            slots = [(c.start, c.end) for c in cues]
            if p.retimed:
                slots = sequential_slots(cues[0].start, lengths, duration, SCRIPT_PAUSE_MS,
                                         p.max_speedup)
            fits = fit_lines(slots, lengths, duration, p.max_speedup, p.gap_ms, p.smoothing)
            stretched = [made_by.pool.submit(_stretched, path, fit.speed, p.sample_rate)
                         for path, fit in zip(lines, fits)]
            for fit, future in zip(fits, stretched):  # placed in order: later lines win
                samples = future.result()
                at = int(fit.start * p.sample_rate / 1000)
                chunk = samples[: max(0, len(track) - at)]
                track[at: at + len(chunk)] = chunk
            report = TimingRecord(p.narrated, p.host, p.retimed,
                                  tuple(NarratedLine.placed(f, c.flat) for f, c in zip(fits, cues)),
                                  p.until_ms, dict(p.model or {}, spec=p.voice, rate=p.rate),
                                  Synthesis(len(lines), made, len(lines) - made))
            for f in fits:
                if f.overflow > 0:
                    result.warnings.append(f"line {f.index} overflows its slot by {f.overflow} ms")
        pcm = np.clip(track, -32768, 32767)
        with atomic_path(out_wav) as tmp_wav:
            write_wav(tmp_wav, pcm, p.sample_rate)
        write_text_atomic(out_timing, report.to_json())
        result.extra["overflows"] = len(report.overflow_lines)
        return result


def _stretched(src: Path, speed: float, rate: int) -> np.ndarray:
    """A line's audio at its fitted speed and the track's rate, kept beside the line as
    synthesized (named by the tempo ffmpeg applies): an editor's rerun re-places the other
    lines without an ffmpeg run each (16 of them cost 0.5 s of a 2.9 s narrate)."""
    tempo = media.tempo_filter_value(speed)
    dst = src.with_name(f"{src.stem}.{tempo}x.{rate}.wav")
    if not dst.is_file() or not readable(dst):
        with atomic_path(dst) as tmp:
            media.stretch_to_wav(src, tmp, speed, rate)
    return read_wav(dst)[0]


class _Lines:
    """The synthesis cache of one run's narrations: each line's audio read back or made in
    the pool (a line wanted by two versions at once is made once). A voice is loaded only
    when a line is missing; a voice that is not `concurrent` makes one line at a time."""

    def __init__(self, ctx: RunContext, pool: ThreadPoolExecutor, threads: int = 1) -> None:
        self.ctx, self.pool = ctx, pool
        self.threads = threads  # cores each line is computed on (line_threads)
        self._lock = threading.Lock()
        self._making: dict[Path, Future[None]] = {}
        self._voice_locks: dict[str, threading.Lock] = {}

    def audio(self, p: NarrateParams, texts: list[str]) -> tuple[list[Path], int]:
        """Each line's audio file, in order, and how many of them this call had made."""
        paths = [self.ctx.paths.line_audio(line_key(p, text)) for text in texts]
        mine: list[Future[None]] = []
        waits: list[Future[None]] = []
        with self._lock:
            for path, text in zip(paths, texts):
                if path in self._making:
                    waits.append(self._making[path])
                elif not path.is_file() or not readable(path):  # a broken entry is a miss
                    future = self.pool.submit(self._make, p, text, path)
                    self._making[path] = future
                    mine.append(future)
        for future in mine + waits:
            future.result()
        return paths, len(mine)

    def _make(self, p: NarrateParams, text: str, path: Path) -> None:
        voice = tts.with_threads(self.ctx.engines.voice(p.voice, [self.ctx.paths.assets("voices")]),
                                 self.threads)
        with self._voice_lock(p.voice, voice):
            with atomic_path(path) as tmp:
                voice.synthesize(text, tmp, p.rate, dict(p.lexicon))

    def _voice_lock(self, spec: str, voice: tts.Voice) -> AbstractContextManager[Any]:
        if tts.is_concurrent(voice):
            return nullcontext()
        with self._lock:
            return self._voice_locks.setdefault(spec, threading.Lock())


def line_threads(cores: int, missing: int) -> int:
    """Cores each missing line is synthesized on: one while there are lines for every core
    (side by side, each on its own), more when fewer lines are missing than there are cores
    (an editor's one changed line takes both)."""
    return max(1, cores // missing) if 0 < missing < cores else 1


def _missing(paths: Layout, p: NarrateParams, subtitles: Path) -> int:
    """How many of a version's lines are not in the synthesis cache (0 for subtitles that do
    not read: their version fails on its own, with the cause, when it is narrated)."""
    try:
        texts = {c.flat for c in _excerpt(subs.load_srt(subtitles), p.until_ms)}
    except Exception:
        return 0
    return sum(1 for text in texts if not paths.line_audio(line_key(p, text)).is_file())


def _excerpt(cues: list[subs.Cue], until_ms: int | None) -> list[subs.Cue]:
    """A sample's lines: those that start inside it, and the one after (the last line's fit
    depends on its neighbour). A full run narrates everything, reusing these lines' audio."""
    if until_ms is None:
        return cues
    inside = sum(1 for c in cues if c.start < until_ms)
    return cues[: inside + 1]

