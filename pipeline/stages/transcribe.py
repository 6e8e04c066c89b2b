"""transcribe: speech to timed subtitle events (or read the script of a narrated b-roll).

What the recognizer heard comes from listen (source/speech.json): here the names are spelled
as the glossary has them, burned-in subtitles in the speech's language become the text
(scan), and the words become subtitle events."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from pipeline import records, subtitles as subs
from pipeline.av import media
from pipeline.cache import write_text_atomic
from pipeline.errors import PipelineError
from pipeline.language.glossary import correct_names, load_glossary
from pipeline.onscreen.model import load_onscreen
from pipeline.transcription.homophones import repair_words
from pipeline.transcription.record import SpeechRecord, TranscriptEvent, TranscriptRecord
from pipeline.transcription.screen import screen_lines
from pipeline.subtitles.rulebook import RuleBook
from pipeline.stages.base import Job, Result, RunContext, Stage
from pipeline.workspace import Layout, Task, Workspace

SCRIPT_CPS = 15.0  # reading pace used to lay out a plain-text script before it is narrated
SCRIPT_GAP_MS = 500


@dataclass(frozen=True)
class TranscribeParams:
    script: bool  # a script beside the video is read instead of recognizing speech
    language: str | None  # the source language; None: detected (speech only)
    rules: RuleBook  # the rules of that language, or of any language when it is detected


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


class Transcribe(Stage[TranscribeParams]):
    name = "transcribe"
    version = 9  # 2: script breaks; 3: gaps kept; 4: name respelling; 5: events fit their lines;
    # 6: numbers kept with their unit, CJK runs whole, tails re-checked, lead-in when needed;
    # 7: the prompt in the speech's language, Chinese homophone repair, written words from
    # Whisper's own word boundaries, balanced events without orphans; 8: burned-in subtitles
    # in the speech's language are the text (scan), each line's origin recorded; 9: the
    # recognizer's words read from listen's speech.json

    def params(self, ws: Workspace, task: Task) -> TranscribeParams:
        book = RuleBook.from_config(ws.config.subtitles)
        source = ws.config.source_language
        if ws.video(task.video).script:  # no speech to detect a language from: auto means en
            lang = "en" if source == "auto" else source
            return TranscribeParams(True, lang, book.only(lang))
        if source == "auto":
            return TranscribeParams(False, None, book)
        return TranscribeParams(False, source, book.only(source))

    def inputs(self, ws: Workspace, task: Task, params: TranscribeParams) -> dict[str, Path]:
        video = ws.video(task.video)
        found = {"probe": ws.paths.probe(task.video)}
        if video.script:
            found["script"] = video.script
            return found
        found["speech"] = ws.paths.speech(task.video)  # what the recognizer heard (listen)
        glossary = ws.config.translate.glossary
        if glossary and ws.project.path(glossary).is_file():
            found["glossary"] = ws.project.path(glossary)  # name respelling
        found["onscreen"] = ws.paths.onscreen(task.video)  # burned-in subtitles (scan)
        return found

    def outputs(self, paths: Layout, task: Task, params: TranscribeParams) -> list[Path]:
        return [paths.transcript_json(task.video), paths.transcript_srt(task.video)]

    def records(self, paths: Layout, task: Task, params: TranscribeParams) -> dict[Path, Any]:
        return {paths.transcript_json(task.video): TranscriptRecord}

    def editable(self, paths: Layout, task: Task) -> list[Path]:
        return [paths.transcript_srt(task.video)]

    def run(self, ctx: RunContext, job: Job[TranscribeParams]) -> Result:
        p = job.params
        result = Result()
        if p.script:
            assert p.language is not None
            language = p.language
            script = job.inputs["script"]
            if script.suffix == ".srt":
                cues = subs.load_srt(script)
            else:
                lines = [ln.strip() for ln in script.read_text(encoding="utf-8").splitlines()]
                usable = media.read_probe(job.inputs["probe"]).usable_duration
                cues = time_plain_script([ln for ln in lines if ln], int(1000 * usable))
            rules = p.rules.for_lang(language)
            cues = [subs.Cue(c.start, c.end, subs.break_lines(c.text, rules)) for c in cues]
            origins = ["script"] * len(cues)
            made: dict[str, Any] = {"engine": {"engine": "script", "file": script.name},
                                    "segments": ()}
        else:
            heard = records.load(SpeechRecord, job.inputs["speech"])
            if heard is None:
                raise PipelineError(f"{job.inputs['speech']} is not what listen records; run "
                                    f"`pipeline run --only transcribe --video {job.task.video}`")
            glossary = load_glossary(job.inputs.get("glossary"))
            language = heard.language
            words = subs.written_words([
                subs.Word(int(w.start * 1000), int(w.end * 1000), w.text, attached=not w.space_before)
                for s in heard.segments for w in s.words])
            spelled = correct_names([w.text for w in words], glossary, language)
            words = [replace(w, text=text) for w, text in zip(words, spelled)]
            words, repairs = repair_words(words, glossary, language)  # Chinese names by pinyin
            rules = p.rules.for_lang(language)
            onscreen = load_onscreen(job.inputs.get("onscreen"))
            shown = screen_lines(words, onscreen.items if onscreen else [], language, rules)
            if shown is None:
                cues = subs.segment_words(words, rules)
                origins = ["asr"] * len(cues)
            else:
                cues, origins = [ln.cue for ln in shown], [ln.origin for ln in shown]
                result.note = (f"{origins.count('screen')} of {len(cues)} line(s) read from "
                               "the screen")
            result.warnings.extend(heard.warnings)
            if not cues:
                result.warnings.append(f"{job.task.video}: no speech found; the transcript is empty")
            made = {"language_probability": heard.language_probability,
                    "engine": heard.engine, "model_choice": heard.model_choice,
                    "repairs": tuple(r.record() for r in repairs),
                    "segments": tuple(asdict(s) for s in heard.segments)}
        # where each line's text came from: screen (a burned-in subtitle), asr, script
        events = tuple(TranscriptEvent(c.start, c.end, c.text, o) for c, o in zip(cues, origins))
        record = TranscriptRecord(language=language, events=events, **made)
        out_json, out_srt = self.outputs(ctx.paths, job.task, p)
        write_text_atomic(out_json, record.to_json())
        write_text_atomic(out_srt, subs.srt_text(cues))
        result.extra["language"] = language
        return result
