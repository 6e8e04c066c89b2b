"""narrate: the host's voice per subtitle line, fitted to its slot, on the video's timeline.

Each line's audio is kept in a synthesis cache (`Layout.line_audio`) keyed by what decides it:
the voice's identity (model and voice file digests), the voice, the rate, the lexicon entries
the line uses and its text. Editing one line synthesizes that line again; the others are
read back. With `narration.verify` the aired track is heard back (`pipeline.narration.hearing`), its
transcription cached by the track's samples.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.av import media
from pipeline import subtitles as subs
from pipeline.av.wav import length_ms, read_wav, readable, write_wav
from pipeline.narration import hearing
from pipeline.engines.asr import roundtrip
from pipeline.cache import atomic_path, canonical_hash, read_json, write_json_atomic
from pipeline.config import NarrationConfig
from pipeline.engines import tts
from pipeline.engines.tts.lexicon import entries_used
from pipeline.language.glossary import load_glossary
from pipeline.stages.base import Job, Result, RunContext, Stage
from pipeline.narration.fit import fit_lines, sequential_slots
from pipeline.workspace import Layout, Task, Workspace

RATE = 48000
SCRIPT_PAUSE_MS = 500  # between the lines of a plain-text script
# narration.verify hears from a second before the first line to a second after the last:
# Whisper needs the margins to open the first segment and close the last (the demo's jinan
# zh: CER 0.285 with a 0.5 s lead-in, 0.248 with 1 s; jinan pt: WER 0.206 with a 0.5 s tail,
# 0.186 with 1 s, the same as the whole track)
HEAR_LEAD_MS = 1000
HEAR_TAIL_MS = 1000


def _for_lang(table: dict[str, Any], lang: str) -> Any:
    """A per-language config entry: the exact code first, then its base language."""
    return table.get(lang) or table.get(lang.split("-")[0])


def voice_spec(n: NarrationConfig, lang: str) -> str:
    """The configured voice, else `narration.default_voice`, else the built-in choice: a Kokoro
    voice for every language Kokoro speaks, Piper for English, espeak-ng for the rest."""
    configured = _for_lang(n.voices, lang)
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
    version = 7  # 2: speed smoothing, lexicon; 3: plain-text scripts at the voice's pace;
    # 4: pauses between script lines not counted in the speed-up; 5: line cache, verify;
    # 6, 7: verify hears from a second before the first line to a second after the last

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
            if src and src.split("-")[0] == task.lang.split("-")[0]:
                return NarrateParams(False, n.host)
        spec = voice_spec(n, task.lang)
        search = [ws.paths.assets("voices")]
        model = ws.memo(("tts", spec), lambda: tts.identity(spec, search, ws.hashes.sha256))
        lexicon = _for_lang(n.lexicon, task.lang) or {}
        verify = ws.memo(("hearing",), lambda: roundtrip.identity(ws.hashes.sha256)) \
            if n.verify else None
        return NarrateParams(True, n.host, bool(script and script.suffix == ".txt"), spec, model,
                             _for_lang(n.rate, task.lang) or 1.0, tuple(sorted(lexicon.items())),
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

    def run(self, ctx: RunContext, job: Job[NarrateParams]) -> Result:
        p = job.params
        out_wav, out_timing = self.outputs(ctx.paths, job.task, p)
        duration = int(1000 * media.Probe.from_dict(read_json(job.inputs["probe"]) or {})
                       .usable_duration)  # the part of a damaged source kept that decodes
        track = np.zeros(int(duration * p.sample_rate / 1000), dtype=np.int32)
        cues = _excerpt(subs.load_srt(job.inputs["subtitles"]), p.until_ms)
        report: dict[str, Any] = {"narrated": p.narrated, "host": p.host, "retimed": p.retimed,
                                  "lines": [], "sample_ms": p.until_ms}
        result = Result()
        if p.narrated and cues:
            report["voice"] = dict(p.model or {}, spec=p.voice, rate=p.rate)
            lines, made = self._line_audio(ctx, p, [c.flat for c in cues])
            report["synthesis"] = {"lines": len(lines), "synthesized": made,
                                   "reused": len(lines) - made}
            result.note = f"{made} of {len(lines)} line(s) synthesized"
            lengths = [length_ms(path) for path in lines]
            slots = [(c.start, c.end) for c in cues]
            if p.retimed:
                slots = sequential_slots(cues[0].start, lengths, duration, SCRIPT_PAUSE_MS,
                                         p.max_speedup)
            fits = fit_lines(slots, lengths, duration, p.max_speedup, p.gap_ms, p.smoothing)
            with tempfile.TemporaryDirectory(prefix="narrate-") as tmp:
                for i, (path, fit) in enumerate(zip(lines, fits)):
                    stretched = Path(tmp) / f"line{i:04d}.wav"
                    media.stretch_to_wav(path, stretched, fit.speed, p.sample_rate)
                    samples, _ = read_wav(stretched)
                    at = int(fit.start * p.sample_rate / 1000)
                    chunk = samples[: max(0, len(track) - at)]
                    track[at: at + len(chunk)] = chunk
            report["lines"] = [dict(f.as_dict(), text=c.flat) for f, c in zip(fits, cues)]
            for f in fits:
                if f.overflow > 0:
                    result.warnings.append(f"line {f.index} overflows its slot by {f.overflow} ms")
        report["overflow_lines"] = [ln["index"] for ln in report["lines"] if ln["overflow"] > 0]
        pcm = np.clip(track, -32768, 32767)
        with atomic_path(out_wav) as tmp_wav:
            write_wav(tmp_wav, pcm, p.sample_rate)
        if p.verify and report["lines"]:
            self._verify(ctx, p, job, pcm, report, result)
        write_json_atomic(out_timing, report)
        result.extra["overflows"] = len(report["overflow_lines"])
        return result

    def _line_audio(self, ctx: RunContext, p: NarrateParams, texts: list[str]) -> tuple[list[Path], int]:
        """Each line's synthesized audio, from the cache or made now; and how many were made.
        The voice is loaded only when a line is missing (a rerun that reuses all loads none)."""
        lexicon = dict(p.lexicon)
        voice: tts.Voice | None = None
        paths, made = [], 0
        for text in texts:
            path = ctx.paths.line_audio(line_key(p, text))
            if not path.is_file() or not readable(path):  # a broken entry is a miss
                voice = voice or ctx.engines.voice(p.voice, [ctx.paths.assets("voices")])
                with atomic_path(path) as tmp:
                    voice.synthesize(text, tmp, p.rate, lexicon)
                made += 1
            paths.append(path)
        return paths, made

    def _verify(self, ctx: RunContext, p: NarrateParams, job: Job[NarrateParams],
                pcm: np.ndarray, report: dict[str, Any], result: Result) -> None:
        """Hear the narration as aired, in one pass over the part of the track its lines span
        (Whisper hears a line better with the lines around it: zh CER 0.25 against 0.34 line
        by line on the demo), cached by those samples and the model; each line gets what was
        heard while it plays, checked for the glossary's names."""
        lang = job.task.lang
        assert lang
        lines = report["lines"]
        first = max(0, lines[0]["start"] - HEAR_LEAD_MS)
        a, b = (int(ms * p.sample_rate / 1000) for ms in (first, lines[-1]["end"] + HEAR_TAIL_MS))
        span = pcm[a:b].astype("<i2")
        key = canonical_hash([hashlib.sha256(span.tobytes()).hexdigest(), p.verify, lang])
        cached = ctx.paths.heard(key)
        found = read_json(cached)
        if found is None:
            with tempfile.TemporaryDirectory(prefix="hear-") as tmp:
                wav = Path(tmp) / "span.wav"
                write_wav(wav, span, p.sample_rate)
                found = {"segments": roundtrip.transcribe_segments(ctx.engines.hearing(), wav, lang)}
            write_json_atomic(cached, found)
        segments = [dict(s, start=s["start"] + first, end=s["end"] + first) for s in found["segments"]]
        names = [t.form(lang) for t in load_glossary(job.inputs.get("glossary"))]
        heard = hearing.by_line(lines, segments, names, lang)
        for line, h in zip(lines, heard):
            line.update(heard=h.heard, unheard=list(h.unheard))
        report["verify"] = hearing.score(heard, segments, lang)
        result.extra["verify"] = report["verify"]
        result.note += (f"; heard back: {report['verify']['metric'].upper()} "
                        f"{report['verify']['error_rate']:.2f}")


def _excerpt(cues: list[subs.Cue], until_ms: int | None) -> list[subs.Cue]:
    """A sample's lines: those that start inside it, and the one after (the last line's fit
    depends on its neighbour). A full run narrates everything, reusing these lines' audio."""
    if until_ms is None:
        return cues
    inside = sum(1 for c in cues if c.start < until_ms)
    return cues[: inside + 1]

