"""transcribe: speech to timed subtitle events (or read the script of a narrated b-roll)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import subtitles as subs
from pipeline.cache import read_json, write_json_atomic, write_text_atomic
from pipeline.engines import asr
from pipeline.glossary import asr_prompt, correct_names, load_glossary
from pipeline.rules import RuleBook, rules_for
from pipeline.stages import Result, Stage
from pipeline.workspace import Task, Workspace

if TYPE_CHECKING:
    from pipeline.executor import Engines

SCRIPT_CPS = 15.0  # reading pace used to lay out a plain-text script before it is narrated
SCRIPT_GAP_MS = 500


def asr_options(ws: Workspace) -> asr.AsrOptions:
    t = ws.config.transcribe
    return asr.AsrOptions(t.model, t.compute_type, t.beam_size, t.threads, t.vad)


def script_language(ws: Workspace) -> str:
    """A script has no speech to detect a language from: `auto` means English."""
    return "en" if ws.config.source_language == "auto" else ws.config.source_language


def time_plain_script(lines: list[str], duration_ms: int) -> list[subs.Cue]:
    """Lay script lines one after another at a speaking pace, squeezed to fit the video."""
    lengths = [max(800, int(1000 * subs.text_length(ln) / SCRIPT_CPS)) for ln in lines]
    total = sum(lengths) + SCRIPT_GAP_MS * (len(lines) + 1)
    scale = min(1.0, duration_ms / total) if total else 1.0
    cues, t = [], int(SCRIPT_GAP_MS * scale)
    for line, length in zip(lines, lengths):
        span = int(length * scale)
        cues.append(subs.Cue(t, t + span, line))
        t += span + int(SCRIPT_GAP_MS * scale)
    return cues


class Transcribe(Stage):
    name = "transcribe"
    version = 6  # 2: script breaks; 3: gaps kept; 4: name respelling; 5: events fit their lines;
    # 6: numbers kept with their unit, CJK runs whole, tails re-checked, lead-in when needed

    def deps(self, ws: Workspace, task: Task) -> list[Task]:
        return [Task("extract", task.video)]

    def inputs(self, ws: Workspace, task: Task) -> dict[str, Path]:
        video = ws.video(task.video)
        found = {"audio": ws.source_dir(task.video) / "audio.wav",
                 "probe": ws.source_dir(task.video) / "probe.json"}
        if video.script:
            found["script"] = video.script
        glossary = ws.config.translate.glossary
        if glossary and ws.project.path(glossary).is_file():
            found["glossary"] = ws.project.path(glossary)
        return found

    def params(self, ws: Workspace, task: Task) -> dict[str, Any]:
        if ws.video(task.video).script:
            return {"script_language": script_language(ws), "rules": RuleBook.from_config(ws.config.subtitles)}
        return {"asr": asr.identity(ws.config.transcribe.engine, asr_options(ws)),
                "source_language": ws.config.source_language, "rules": RuleBook.from_config(ws.config.subtitles)}

    def outputs(self, ws: Workspace, task: Task) -> list[Path]:
        d = ws.source_dir(task.video)
        return [d / "transcript.json", d / "transcript.srt"]

    def editable(self, ws: Workspace, task: Task) -> list[Path]:
        return [ws.source_dir(task.video) / "transcript.srt"]

    def run(self, ws: Workspace, task: Task, engines: Engines) -> Result:
        video = ws.video(task.video)
        out_json, out_srt = self.outputs(ws, task)
        result = Result()
        if video.script:
            language = script_language(ws)
            if video.script.suffix == ".srt":
                cues = subs.load_srt(video.script)
            else:
                lines = [ln.strip() for ln in video.script.read_text(encoding="utf-8").splitlines()]
                probe = read_json(ws.source_dir(task.video) / "probe.json") or {}
                cues = time_plain_script([ln for ln in lines if ln], int(1000 * probe.get("duration", 0)))
            rules = rules_for(ws.config, language)
            cues = [subs.Cue(c.start, c.end, subs.break_lines(c.text, rules)) for c in cues]
            record: dict[str, Any] = {"language": language, "engine": {"engine": "script",
                                      "file": video.script.name}, "segments": []}
        else:
            glossary = load_glossary(ws.project.path(ws.config.translate.glossary)
                                     if ws.config.translate.glossary else None)
            recognizer = engines.recognizer(ws.config.transcribe.engine, asr_options(ws))
            lang = None if ws.config.source_language == "auto" else ws.config.source_language
            transcript = recognizer.transcribe(ws.source_dir(task.video) / "audio.wav", lang,
                                               asr_prompt(glossary))
            language = transcript.language
            timed = [w for s in transcript.segments for w in s.words]
            spelled = correct_names([w.text for w in timed], glossary, language)
            words = [subs.Word(int(w.start * 1000), int(w.end * 1000), text)
                     for w, text in zip(timed, spelled)]
            cues = subs.segment_words(words, rules_for(ws.config, language))
            result.warnings.extend(transcript.warnings)
            if not cues:
                result.warnings.append(f"{video.source.name}: no speech found; the transcript is empty")
            record = {"language": language, "language_probability": transcript.language_probability,
                      "engine": transcript.engine,
                      "segments": [asdict(s) for s in transcript.segments]}
        record["events"] = [asdict(c) for c in cues]
        write_json_atomic(out_json, record)
        write_text_atomic(out_srt, subs.srt_text(cues))
        result.extra["language"] = language
        return result


def source_language(ws: Workspace, video: str) -> str | None:
    """The language transcribe settled on (None until it has run)."""
    record = read_json(ws.source_dir(video) / "transcript.json")
    return record.get("language") if isinstance(record, dict) else None
