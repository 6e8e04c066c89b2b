"""narrate: the host's voice per subtitle line, fitted to its slot, on the video's timeline."""

from __future__ import annotations

import re
import tempfile
import wave
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline import media
from pipeline import subtitles as subs
from pipeline.cache import atomic_path, read_json, write_json_atomic
from pipeline.stages import Result, Stage
from pipeline.stages.transcribe import source_language
from pipeline.timing import fit_lines, sequential_slots
from pipeline.workspace import Task, Workspace

if TYPE_CHECKING:
    from pipeline.executor import Engines

RATE = 48000
SCRIPT_PAUSE_MS = 500  # between the lines of a plain-text script


def voice_spec(ws: Workspace, lang: str) -> str:
    voices = ws.config.narration.voices
    return voices.get(lang) or voices.get(lang.split("-")[0]) or \
        ws.config.narration.default_voice.format(lang=lang)


def voice_rate(ws: Workspace, lang: str) -> float:
    rates = ws.config.narration.rate
    return rates.get(lang) or rates.get(lang.split("-")[0]) or 1.0


def lexicon_for(ws: Workspace, lang: str) -> dict[str, str]:
    lex = ws.config.narration.lexicon
    return lex.get(lang) or lex.get(lang.split("-")[0]) or {}


def spoken_text(text: str, lexicon: dict[str, str]) -> str:
    """The line as the voice should read it: lexicon words replaced by their spelling."""
    for word in sorted(lexicon, key=len, reverse=True):
        pattern = r"(?<!\w)" + re.escape(word) + r"(?!\w)"
        text = re.sub(pattern, lambda _m, w=lexicon[word]: w, text, flags=re.IGNORECASE)
    return text


def narrated(ws: Workspace, task: Task) -> bool:
    """Whether the host speaks in this version (the source language keeps its own speech)."""
    n = ws.config.narration
    if n.mode == "none":
        return False
    if ws.video(task.video).script is not None:
        return True
    src = source_language(ws, task.video)
    return not (n.source_language == "keep" and src and src.split("-")[0] == (task.lang or ""))


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        frames = w.readframes(w.getnframes())
        return np.frombuffer(frames, dtype=np.int16), w.getframerate()


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype(np.int16).tobytes())


class Narrate(Stage):
    name = "narrate"
    version = 4  # 2: speed smoothing, lexicon; 3: plain-text scripts at the voice's pace;
    # 4: pauses between script lines not counted in the speed-up
    per_lang = True

    def deps(self, ws: Workspace, task: Task) -> list[Task]:
        return [Task("translate", task.video, task.lang)]

    def inputs(self, ws: Workspace, task: Task) -> dict[str, Path]:
        assert task.lang
        return {"subtitles": ws.lang_dir(task.video, task.lang) / "subtitles.srt",
                "probe": ws.source_dir(task.video) / "probe.json",
                "record": ws.source_dir(task.video) / "transcript.json"}

    def params(self, ws: Workspace, task: Task) -> dict[str, Any]:
        assert task.lang
        n = ws.config.narration
        if not narrated(ws, task):
            return {"narrated": False}
        return {"narrated": True, "voice": voice_spec(ws, task.lang), "rate": voice_rate(ws, task.lang),
                "max_speedup": n.max_speedup, "gap_s": n.gap_s, "sample_rate": RATE,
                "smoothing": n.smoothing, "lexicon": lexicon_for(ws, task.lang)}

    def outputs(self, ws: Workspace, task: Task) -> list[Path]:
        assert task.lang
        d = ws.lang_dir(task.video, task.lang)
        return [d / "narration.wav", d / "timing.json"]

    def run(self, ws: Workspace, task: Task, engines: Engines) -> Result:
        assert task.lang
        out_wav, out_timing = self.outputs(ws, task)
        duration = int(1000 * (read_json(ws.source_dir(task.video) / "probe.json") or {})["duration"])
        track = np.zeros(int(duration * RATE / 1000), dtype=np.int32)
        cues = subs.load_srt(ws.lang_dir(task.video, task.lang) / "subtitles.srt")
        script = ws.video(task.video).script
        report: dict[str, Any] = {"narrated": narrated(ws, task), "host": ws.config.narration.host,
                                  "retimed": bool(script and script.suffix == ".txt"), "lines": []}
        result = Result()
        if report["narrated"] and cues:
            voice = engines.voice(voice_spec(ws, task.lang), ws.search_dirs("voices"),
                                  voice_rate(ws, task.lang))
            lexicon = lexicon_for(ws, task.lang)
            report["voice"] = voice.identity
            with tempfile.TemporaryDirectory(prefix="narrate-") as tmp:
                raw = []
                for i, cue in enumerate(cues):
                    path = Path(tmp) / f"line{i:04d}.wav"
                    voice.synthesize(spoken_text(cue.flat, lexicon), path)
                    samples, rate = read_wav(path)
                    raw.append((path, int(1000 * len(samples) / rate)))
                n = ws.config.narration
                slots = [(c.start, c.end) for c in cues]
                if report["retimed"]:
                    slots = sequential_slots(cues[0].start, [r[1] for r in raw], duration,
                                             SCRIPT_PAUSE_MS, n.max_speedup)
                fits = fit_lines(slots, [r[1] for r in raw], duration,
                                 n.max_speedup, int(n.gap_s * 1000), n.smoothing)
                for (path, _), fit in zip(raw, fits):
                    stretched = path.with_name(path.stem + ".fit.wav")
                    media.stretch_to_wav(path, stretched, fit.speed, RATE)
                    samples, _ = read_wav(stretched)
                    at = int(fit.start * RATE / 1000)
                    chunk = samples[: max(0, len(track) - at)]
                    track[at: at + len(chunk)] = chunk
                report["lines"] = [dict(f.as_dict(), text=c.flat) for f, c in zip(fits, cues)]
                over = [f for f in fits if f.overflow > 0]
                for f in over:
                    result.warnings.append(f"line {f.index} overflows its slot by {f.overflow} ms")
        report["overflow_lines"] = [ln["index"] for ln in report["lines"] if ln["overflow"] > 0]
        with atomic_path(out_wav) as tmp_wav:
            write_wav(tmp_wav, np.clip(track, -32768, 32767))
        write_json_atomic(out_timing, report)
        result.extra["overflows"] = len(report["overflow_lines"])
        return result
