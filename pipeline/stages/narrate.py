"""narrate: the host's voice per subtitle line, fitted to its slot, on the video's timeline.

Each line's audio is kept in a synthesis cache (`Layout.line_audio`) keyed by what decides it:
the voice's identity (model and voice file digests), the voice, the rate, the lexicon entries
the line uses and its text. Editing one line synthesizes that line again; the others are
read back. With `narration.verify` the aired track is heard back (`pipeline.narration.hearing`) a
span of neighbouring lines at a time, each span's transcription cached by its samples.
"""

from __future__ import annotations

import hashlib
import tempfile
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
from pipeline.narration import hearing
from pipeline.engines.asr import roundtrip
from pipeline.cache import atomic_path, canonical_hash, read_json, write_json_atomic, write_text_atomic
from pipeline.config import NarrationConfig
from pipeline.engines import tts
from pipeline.engines.tts.lexicon import entries_used
from pipeline.language.glossary import load_glossary
from pipeline.language.tags import lookup, same_language
from pipeline.stages.base import Job, Result, RunContext, Stage
from pipeline.narration.fit import fit_lines, sequential_slots
from pipeline.narration.record import Hearing, NarratedLine, Synthesis, TimingRecord
from pipeline.workspace import Layout, Task, Workspace

RATE = 48000
SCRIPT_PAUSE_MS = 500  # between the lines of a plain-text script
# narration.verify hears each span of lines with up to a second of the track before and after
# it (other spans' lines silenced there):
# Whisper needs the margins to open the first segment and close the last (the demo's jinan
# zh: CER 0.285 with a 0.5 s lead-in, 0.248 with 1 s; jinan pt: WER 0.206 with a 0.5 s tail,
# 0.186 with 1 s, the same as the whole track)
HEAR_LEAD_MS = 1000
HEAR_TAIL_MS = 1000


def voice_spec(n: NarrationConfig, lang: str) -> str:
    """The configured voice, else `narration.default_voice`, else the built-in choice: a Kokoro
    voice for every language Kokoro speaks, Piper for English, espeak-ng for the rest."""
    configured = lookup(n.voices, lang)
    if configured:
        return str(configured)
    return n.default_voice.format(lang=lang) if n.default_voice else tts.default_voice(lang)


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
    verify: dict[str, Any] | None = None  # narration.verify: the hearing model's identity
    until_ms: int | None = None  # `run --sample`: only the lines of the excerpt (and the next)


def line_key(p: NarrateParams, text: str) -> str:
    """A line's synthesis cache key: everything that decides its audio, nothing else."""
    return canonical_hash([p.model, p.voice, p.rate, entries_used(text, dict(p.lexicon)), text])


class Narrate(Stage[NarrateParams]):
    name = "narrate"
    version = 8  # 2: speed smoothing, lexicon; 3: plain-text scripts at the voice's pace;
    # 4: pauses between script lines not counted in the speed-up; 5: line cache, verify;
    # 6, 7: verify hears from a second before the first line to a second after the last;
    # 8: verify hears spans of neighbouring lines (each cached), lines side by side
    shared_per_video = True  # a video's languages synthesize side by side (run_many)

    def __init__(self, sample_seconds: float | None = None) -> None:
        self.sample_ms = None if sample_seconds is None else int(sample_seconds * 1000)

    def params(self, ws: Workspace, task: Task) -> NarrateParams:
        assert task.lang
        n = ws.config.narration
        script = ws.video(task.video).script
        if n.mode == "none":
            return NarrateParams(False, n.host)
        if script is None and n.source_language == "keep":
            src = ws.source_language(task.video)
            if src and same_language(src, task.lang):
                return NarrateParams(False, n.host)
        spec = voice_spec(n, task.lang)
        search = [ws.paths.assets("voices")]
        model = ws.memo(("tts", spec), lambda: tts.identity(spec, search, ws.hashes.sha256))
        lexicon = lookup(n.lexicon, task.lang) or {}
        verify = ws.memo(("hearing",), lambda: roundtrip.identity(ws.hashes.sha256)) \
            if n.verify else None
        return NarrateParams(True, n.host, bool(script and script.suffix == ".txt"), spec, model,
                             lookup(n.rate, task.lang) or 1.0, tuple(sorted(lexicon.items())),
                             n.max_speedup, int(n.gap_s * 1000), n.smoothing, verify=verify,
                             until_ms=self.sample_ms)

    def inputs(self, ws: Workspace, task: Task, params: NarrateParams) -> dict[str, Path]:
        assert task.lang
        found = {"subtitles": ws.paths.subtitles_srt(task.video, task.lang),
                 "probe": ws.paths.probe(task.video)}
        glossary = ws.config.translate.glossary
        if params.verify and glossary and ws.project.path(glossary).is_file():
            found["glossary"] = ws.project.path(glossary)  # the names the check listens for
        return found

    def outputs(self, paths: Layout, task: Task, params: NarrateParams) -> list[Path]:
        assert task.lang
        return [paths.narration(task.video, task.lang), paths.timing(task.video, task.lang)]

    def records(self, paths: Layout, task: Task, params: NarrateParams) -> dict[Path, Any]:
        assert task.lang
        return {paths.timing(task.video, task.lang): TimingRecord}

    def warm(self, ctx: RunContext, params: NarrateParams) -> None:
        if params.narrated:
            tts.warm(ctx.engines.voice(params.voice, [ctx.paths.assets("voices")]))

    def run(self, ctx: RunContext, job: Job[NarrateParams]) -> Result:
        with ThreadPoolExecutor(max(1, ctx.threads), thread_name_prefix="narrate-line") as pool:
            return self._narrate(ctx, job, _Lines(ctx, pool))

    def run_many(self, ctx: RunContext, jobs: list[Job[NarrateParams]]) -> list[Result | Exception]:
        """A video's languages at once: their lines share one pool of `ctx.threads` workers
        (one onnxruntime thread each, the voice model loaded once in this process), so every
        core synthesizes. Each line's audio is the same whatever the order or the thread."""
        results: list[Result | Exception] = []
        with ThreadPoolExecutor(max(1, ctx.threads), thread_name_prefix="narrate-line") as pool, \
                ThreadPoolExecutor(len(jobs), thread_name_prefix="narrate") as versions:
            lines = _Lines(ctx, pool)
            futures = [versions.submit(self._narrate, ctx, job, lines) for job in jobs]
            for future in futures:
                try:
                    results.append(future.result())
                except Exception as e:
                    results.append(e)
        return results

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
            with tempfile.TemporaryDirectory(prefix="narrate-") as tmp:
                stretched = [made_by.pool.submit(_stretched, path, Path(tmp) / f"line{i:04d}.wav",
                                                 fit.speed, p.sample_rate)
                             for i, (path, fit) in enumerate(zip(lines, fits))]
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
        if p.verify and report.lines:
            report = self._verify(ctx, p, job, pcm, report, result)
        write_text_atomic(out_timing, report.to_json())
        result.extra["overflows"] = len(report.overflow_lines)
        return result

    def _verify(self, ctx: RunContext, p: NarrateParams, job: Job[NarrateParams],
                pcm: np.ndarray, report: TimingRecord, result: Result) -> TimingRecord:
        """Hear the narration as aired, a span of neighbouring lines at a time
        (`hearing.spans`: Whisper hears a line better with the lines around it, zh CER 0.25
        against 0.34 line by line on the demo), each span cached by its samples and the
        model, so an edited line re-hears its span only; each line gets what was heard while
        it plays, checked for the glossary's names."""
        lang = job.task.lang
        assert lang
        lines = report.lines
        names = [t.form(lang) for t in load_glossary(job.inputs.get("glossary"))]
        heard: list[hearing.Heard] = []
        segments: list[dict[str, Any]] = []
        heard_now = 0
        groups = hearing.spans(lines)
        for group in groups:
            placed, fresh = self._heard_span(ctx, p, lang, pcm, group[0].start, group[-1].end)
            heard_now += fresh
            heard.extend(hearing.by_line(group, placed, names, lang))
            segments.extend(placed)
        verify = hearing.score(heard, segments, lang)
        result.extra["verify"] = verify.to_dict()
        result.note += f"; heard back: {verify.metric.upper()} {verify.error_rate:.2f}"
        return report.heard([(h.heard, h.unheard) for h in heard], verify,
                            Hearing(len(groups), heard_now))

    def _heard_span(self, ctx: RunContext, p: NarrateParams, lang: str, pcm: np.ndarray,
                    start_ms: int, end_ms: int) -> tuple[list[dict[str, Any]], int]:
        """What Whisper heard in the track from start_ms to end_ms with up to a second before
        and after (it needs them to open the first segment and close the last; the track's
        start cuts the lead-in short), every other line silenced there; times from the start
        of the lead-in. And 1 when it was heard now, 0 when cached."""
        first = max(0, start_ms - HEAR_LEAD_MS)
        a, s0, s1, b = (int(ms * p.sample_rate / 1000)
                        for ms in (first, start_ms, end_ms, end_ms + HEAR_TAIL_MS))
        span = pcm[a:b].astype("<i2")
        span[: s0 - a] = 0  # the margins hear silence, never a neighbouring span's line
        span[s1 - a:] = 0
        key = canonical_hash([hashlib.sha256(span.tobytes()).hexdigest(), p.verify, lang])
        cached = ctx.paths.heard(key)
        found = read_json(cached)
        heard_now = found is None
        if found is None:
            with tempfile.TemporaryDirectory(prefix="hear-") as tmp:
                wav = Path(tmp) / "span.wav"
                write_wav(wav, span, p.sample_rate)
                found = {"segments": roundtrip.transcribe_segments(ctx.engines.hearing(), wav, lang)}
            write_json_atomic(cached, found)
        return [dict(s, start=s["start"] + first, end=s["end"] + first)
                for s in found["segments"]], int(heard_now)


def _stretched(src: Path, dst: Path, speed: float, rate: int) -> np.ndarray:
    media.stretch_to_wav(src, dst, speed, rate)
    return read_wav(dst)[0]


class _Lines:
    """The synthesis cache of one run's narrations: each line's audio read back or made in
    the pool (a line wanted by two versions at once is made once). A voice is loaded only
    when a line is missing; a voice that is not `concurrent` makes one line at a time."""

    def __init__(self, ctx: RunContext, pool: ThreadPoolExecutor) -> None:
        self.ctx, self.pool = ctx, pool
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
        voice = self.ctx.engines.voice(p.voice, [self.ctx.paths.assets("voices")])
        with self._voice_lock(p.voice, voice):
            with atomic_path(path) as tmp:
                voice.synthesize(text, tmp, p.rate, dict(p.lexicon))

    def _voice_lock(self, spec: str, voice: tts.Voice) -> AbstractContextManager[Any]:
        if tts.is_concurrent(voice):
            return nullcontext()
        with self._lock:
            return self._voice_locks.setdefault(spec, threading.Lock())


def _excerpt(cues: list[subs.Cue], until_ms: int | None) -> list[subs.Cue]:
    """A sample's lines: those that start inside it, and the one after (the last line's fit
    depends on its neighbour). A full run narrates everything, reusing these lines' audio."""
    if until_ms is None:
        return cues
    inside = sum(1 for c in cues if c.start < until_ms)
    return cues[: inside + 1]

