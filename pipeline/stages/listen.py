"""listen: the source's speech recognized (Whisper) into source/speech.json, for transcribe.

A stage of its own so that it needs only the extracted audio: it runs beside the scan of the
picture (transcribe needs both). A narrated b-roll (a script beside the video) has no speech
to hear: nothing to do, no file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.cache import write_text_atomic
from pipeline.engines import asr
from pipeline.engines.asr.choice import choose_model
from pipeline.engines.asr.language import detect_language
from pipeline.engines.models import AUTO, resolve_model
from pipeline.language.glossary import asr_prompt, load_glossary
from pipeline.stages.base import Job, Result, RunContext, Stage
from pipeline.transcription.record import SpeechRecord
from pipeline.workspace import Layout, Task, Workspace


@dataclass(frozen=True)
class ListenParams:
    language: str | None  # the source language; None: detected
    engine: str = ""
    options: asr.AsrOptions | None = None  # None: a script is read instead (nothing to hear)
    model: dict[str, Any] | None = None  # the ASR engine's identity (weights by content)


class Listen(Stage[ListenParams]):
    name = "listen"
    version = 1  # transcribe's ASR (its version 8) as a stage of its own

    def params(self, ws: Workspace, task: Task) -> ListenParams:
        source = ws.config.source_language
        if ws.video(task.video).script:
            return ListenParams(None)
        t = ws.config.transcribe
        # `auto` is the English model for English, the multilingual one otherwise; with the
        # language left to detection it stays `auto` (its identity names both models) and
        # `choose_model` settles it per source once the language is detected
        model_name = resolve_model(t.model, source) if t.model == AUTO and source != AUTO else t.model
        options = asr.AsrOptions(model_name, t.compute_type, t.beam_size, t.threads, t.vad)
        model = ws.memo(("asr", t.engine, options),
                        lambda: asr.identity(t.engine, options, ws.hashes.sha256))
        return ListenParams(None if source == AUTO else source, t.engine, options, model)

    def inputs(self, ws: Workspace, task: Task, params: ListenParams) -> dict[str, Path]:
        if params.options is None:
            return {}
        found = {"audio": ws.paths.audio(task.video)}
        glossary = ws.config.translate.glossary
        if glossary and ws.project.path(glossary).is_file():
            found["glossary"] = ws.project.path(glossary)  # the names in the prompt
        return found

    def outputs(self, paths: Layout, task: Task, params: ListenParams) -> list[Path]:
        return [] if params.options is None else [paths.speech(task.video)]

    def records(self, paths: Layout, task: Task, params: ListenParams) -> dict[Path, Any]:
        return {path: SpeechRecord for path in self.outputs(paths, task, params)}

    def warm(self, ctx: RunContext, task: Task, params: ListenParams) -> None:
        """While the audio is extracted: the language detector when the language is left to
        it, the recognizer when its model is already settled."""
        if params.options is None:
            return
        if params.language is None:
            ctx.engines.language_detector()
        if params.options.model != AUTO:
            ctx.engines.recognizer(params.engine, params.options)

    def run(self, ctx: RunContext, job: Job[ListenParams]) -> Result:
        p = job.params
        if p.options is None:
            return Result(note="a script: nothing to hear")
        audio = job.inputs["audio"]
        choice = choose_model(p.options.model, p.language or AUTO, audio,
                              lambda a: detect_language(a, ctx.engines.language_detector()))
        recognizer = ctx.engines.recognizer(p.engine, replace(p.options, model=choice.model))
        glossary = load_glossary(job.inputs.get("glossary"))
        transcript = recognizer.transcribe(audio, choice.language,
                                           asr_prompt(glossary, choice.language or "en"))
        record = SpeechRecord(
            transcript.language, transcript.language_probability,
            dict(p.model or {}, engine=p.engine, name=choice.model),
            {"model": choice.model, "detected": choice.detected},
            tuple(transcript.segments), tuple(transcript.warnings))
        (out,) = self.outputs(ctx.paths, job.task, p)
        write_text_atomic(out, record.to_json())
        # the warnings are transcribe's to report, with the transcript they concern
        return Result(note=f"{transcript.language}, {choice.model}")
