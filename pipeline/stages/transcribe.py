"""transcribe: speech to timed subtitle events (or read the script of a narrated b-roll)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from pipeline import subtitles as subs
from pipeline.av import media
from pipeline.cache import write_text_atomic
from pipeline.engines import asr
from pipeline.engines.asr.choice import choose_model
from pipeline.engines.asr.language import detect_language
from pipeline.engines.models import AUTO, resolve_model
from pipeline.language.glossary import asr_prompt, correct_names, load_glossary
from pipeline.onscreen.model import load_onscreen
from pipeline.transcription.homophones import repair_words
from pipeline.transcription.record import TranscriptEvent, TranscriptRecord
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
    engine: str = ""
    options: asr.AsrOptions | None = None
    model: dict[str, Any] | None = None  # the ASR engine's identity (weights by content)


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
    version = 8  # 2: script breaks; 3: gaps kept; 4: name respelling; 5: events fit their lines;
    # 6: numbers kept with their unit, CJK runs whole, tails re-checked, lead-in when needed;
    # 7: the prompt in the speech's language, Chinese homophone repair, written words from
    # Whisper's own word boundaries, balanced events without orphans; 8: burned-in subtitles
    # in the speech's language are the text (scan), each line's origin recorded

    def params(self, ws: Workspace, task: Task) -> TranscribeParams:
        book = RuleBook.from_config(ws.config.subtitles)
        source = ws.config.source_language
        if ws.video(task.video).script:  # no speech to detect a language from: auto means en
            lang = "en" if source == "auto" else source
            return TranscribeParams(True, lang, book.only(lang))
        t = ws.config.transcribe
        # `auto` is the English model for English, the multilingual one otherwise; with the
        # language left to detection it stays `auto` (its identity names both models) and
        # `choose_model` settles it per source once the language is detected
        model_name = resolve_model(t.model, source) if t.model == AUTO and source != AUTO else t.model
        options = asr.AsrOptions(model_name, t.compute_type, t.beam_size, t.threads, t.vad)
        model = ws.memo(("asr", t.engine, options),
                        lambda: asr.identity(t.engine, options, ws.hashes.sha256))
        if source == "auto":
            return TranscribeParams(False, None, book, t.engine, options, model)
        return TranscribeParams(False, source, book.only(source), t.engine, options, model)

    def inputs(self, ws: Workspace, task: Task, params: TranscribeParams) -> dict[str, Path]:
        video = ws.video(task.video)
        found = {"audio": ws.paths.audio(task.video), "probe": ws.paths.probe(task.video)}
        if video.script:
            found["script"] = video.script
            return found
        glossary = ws.config.translate.glossary
        if glossary and ws.project.path(glossary).is_file():
            found["glossary"] = ws.project.path(glossary)  # the ASR prompt and name respelling
        found["onscreen"] = ws.paths.onscreen(task.video)  # burned-in subtitles (scan)
        return found

    def outputs(self, paths: Layout, task: Task, params: TranscribeParams) -> list[Path]:
        return [paths.transcript_json(task.video), paths.transcript_srt(task.video)]

    def records(self, paths: Layout, task: Task, params: TranscribeParams) -> dict[Path, Any]:
        return {paths.transcript_json(task.video): TranscriptRecord}

    def editable(self, paths: Layout, task: Task) -> list[Path]:
        return [paths.transcript_srt(task.video)]

    def warm(self, ctx: RunContext, task: Task, params: TranscribeParams) -> None:
        """While the picture is scanned: the language detector when the language is left to
        it, the recognizer when its model is already settled."""
        if params.script or params.options is None:
            return
        if params.language is None:
            ctx.engines.language_detector()
        if params.options.model != AUTO:
            ctx.engines.recognizer(params.engine, params.options)

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
            assert p.options is not None
            glossary = load_glossary(job.inputs.get("glossary"))
            audio = job.inputs["audio"]
            choice = choose_model(p.options.model, p.language or AUTO, audio,
                                  lambda a: detect_language(a, ctx.engines.language_detector()))
            recognizer = ctx.engines.recognizer(p.engine, replace(p.options, model=choice.model))
            transcript = recognizer.transcribe(audio, choice.language,
                                               asr_prompt(glossary, choice.language or "en"))
            language = transcript.language
            # Whisper's pieces as written words (" 3" ",000" -> "3,000"; "Ba" "ot" "u" -> Baotu)
            words = subs.written_words([
                subs.Word(int(w.start * 1000), int(w.end * 1000), w.text, attached=not w.space_before)
                for s in transcript.segments for w in s.words])
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
            result.warnings.extend(transcript.warnings)
            if not cues:
                result.warnings.append(f"{job.task.video}: no speech found; the transcript is empty")
            made = {"language_probability": transcript.language_probability,
                    "engine": dict(p.model or {}, engine=p.engine, name=choice.model),
                    "model_choice": {"model": choice.model, "detected": choice.detected},
                    "repairs": tuple(r.record() for r in repairs),
                    "segments": tuple(asdict(s) for s in transcript.segments)}
        # where each line's text came from: screen (a burned-in subtitle), asr, script
        events = tuple(TranscriptEvent(c.start, c.end, c.text, o) for c, o in zip(cues, origins))
        record = TranscriptRecord(language=language, events=events, **made)
        out_json, out_srt = self.outputs(ctx.paths, job.task, p)
        write_text_atomic(out_json, record.to_json())
        write_text_atomic(out_srt, subs.srt_text(cues))
        result.extra["language"] = language
        return result
