"""narrate: the host's voice per subtitle line, fitted to its slot, on the video's timeline."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline import media
from pipeline import subtitles as subs
from pipeline.audio import read_wav, write_wav
from pipeline.cache import atomic_path, read_json, write_json_atomic
from pipeline.config import NarrationConfig
from pipeline.engines import tts
from pipeline.stages.base import Job, Result, RunContext, Stage
from pipeline.timing import fit_lines, sequential_slots
from pipeline.workspace import Layout, Task, Workspace

RATE = 48000
SCRIPT_PAUSE_MS = 500  # between the lines of a plain-text script


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


class Narrate(Stage[NarrateParams]):
    name = "narrate"
    version = 4  # 2: speed smoothing, lexicon; 3: plain-text scripts at the voice's pace;
    # 4: pauses between script lines not counted in the speed-up

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
        return NarrateParams(True, n.host, bool(script and script.suffix == ".txt"), spec, model,
                             _for_lang(n.rate, task.lang) or 1.0, tuple(sorted(lexicon.items())),
                             n.max_speedup, int(n.gap_s * 1000), n.smoothing)

    def inputs(self, ws: Workspace, task: Task, params: NarrateParams) -> dict[str, Path]:
        assert task.lang
        return {"subtitles": ws.paths.subtitles_srt(task.video, task.lang),
                "probe": ws.paths.probe(task.video)}

    def outputs(self, paths: Layout, task: Task, params: NarrateParams) -> list[Path]:
        assert task.lang
        return [paths.narration(task.video, task.lang), paths.timing(task.video, task.lang)]

    def run(self, ctx: RunContext, job: Job[NarrateParams]) -> Result:
        p = job.params
        out_wav, out_timing = self.outputs(ctx.paths, job.task, p)
        duration = int(1000 * media.Probe.from_dict(read_json(job.inputs["probe"]) or {})
                       .usable_duration)  # the part of a damaged source kept that decodes
        track = np.zeros(int(duration * p.sample_rate / 1000), dtype=np.int32)
        cues = subs.load_srt(job.inputs["subtitles"])
        report: dict[str, Any] = {"narrated": p.narrated, "host": p.host, "retimed": p.retimed,
                                  "lines": []}
        result = Result()
        if p.narrated and cues:
            voice = ctx.engines.voice(p.voice, [ctx.paths.assets("voices")])
            report["voice"] = dict(p.model or {}, spec=p.voice, rate=p.rate)
            lexicon = dict(p.lexicon)
            with tempfile.TemporaryDirectory(prefix="narrate-") as tmp:
                raw = []
                for i, cue in enumerate(cues):
                    path = Path(tmp) / f"line{i:04d}.wav"
                    voice.synthesize(cue.flat, path, p.rate, lexicon)
                    samples, rate = read_wav(path)
                    raw.append((path, int(1000 * len(samples) / rate)))
                slots = [(c.start, c.end) for c in cues]
                if p.retimed:
                    slots = sequential_slots(cues[0].start, [r[1] for r in raw], duration,
                                             SCRIPT_PAUSE_MS, p.max_speedup)
                fits = fit_lines(slots, [r[1] for r in raw], duration,
                                 p.max_speedup, p.gap_ms, p.smoothing)
                for (path, _), fit in zip(raw, fits):
                    stretched = path.with_name(path.stem + ".fit.wav")
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
        with atomic_path(out_wav) as tmp_wav:
            write_wav(tmp_wav, np.clip(track, -32768, 32767), p.sample_rate)
        write_json_atomic(out_timing, report)
        result.extra["overflows"] = len(report["overflow_lines"])
        return result
