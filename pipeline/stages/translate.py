"""translate: the target-language subtitles, from a provided human translation, the source
itself (same language), or machine translation with the glossary enforced."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pipeline import subtitles as subs
from pipeline.cache import canonical_hash, write_text_atomic
from pipeline.engines import mt
from pipeline.errors import EngineError, PipelineError
from pipeline.glossary import find_terms, load_glossary, protect_terms
from pipeline.rules import RuleBook
from pipeline.sentences import group_sentences, split_overfull, split_proportionally
from pipeline.stages.base import Job, Result, RunContext, Stage
from pipeline.tm import TranslationMemory
from pipeline.workspace import Layout, Task, Workspace


@dataclass(frozen=True)
class TranslateParams:
    method: Literal["provided", "source", "machine"]
    source_language: str | None  # what transcribe settled on (None for a provided file)
    target: str
    rules: subs.Rules  # the target language's reading rules
    provided: str | None = None  # the human translation, relative to the project
    engine: str = ""
    model: dict[str, Any] | None = None  # the MT engine's identity (machine only)


def provided_path(ws: Workspace, task: Task) -> str:
    """Where a human translation of this version goes (relative to the project)."""
    return ws.config.translate.provided.format(video=task.video, lang=task.lang)


class Translate(Stage[TranslateParams]):
    name = "translate"
    version = 5  # 2: sentence-level MT through the translation memory; 3: raw Marian, splits;
    # 5: CJK split points keep Latin and digit runs whole; lead-in for slow-to-read events

    def params(self, ws: Workspace, task: Task) -> TranslateParams:
        assert task.lang
        rules = RuleBook.from_config(ws.config.subtitles).for_lang(task.lang)
        provided = provided_path(ws, task)
        if ws.project.path(provided).is_file():
            return TranslateParams("provided", None, task.lang, rules, provided)
        src = ws.source_language(task.video)
        if src is None:
            raise PipelineError(f"{ws.paths.transcript_json(task.video)} is not written yet; "
                                "transcribe this video first")
        if mt.base_lang(src) == mt.base_lang(task.lang):
            return TranslateParams("source", src, task.lang, rules)
        engine = ws.config.translate.engine
        if engine == "provided":
            raise EngineError(f"translate.engine is 'provided' but {ws.project.path(provided)} does "
                              "not exist; add that file or set translate.engine: auto")
        tgt = task.lang
        model = ws.memo(("mt", engine, src, tgt), lambda: mt.identity(engine, src, tgt))
        return TranslateParams("machine", src, tgt, rules, None, engine, model)

    def inputs(self, ws: Workspace, task: Task, params: TranslateParams) -> dict[str, Path]:
        if params.method == "provided":
            assert params.provided
            return {"provided": ws.project.path(params.provided)}
        found = {"transcript": ws.paths.transcript_srt(task.video)}
        glossary = ws.config.translate.glossary
        if params.method == "machine" and glossary and ws.project.path(glossary).is_file():
            found["glossary"] = ws.project.path(glossary)
        return found

    def outputs(self, paths: Layout, task: Task, params: TranslateParams) -> list[Path]:
        assert task.lang
        return [paths.subtitles_srt(task.video, task.lang)]

    def editable(self, paths: Layout, task: Task) -> list[Path]:
        assert task.lang
        return [paths.subtitles_srt(task.video, task.lang)]

    def run(self, ctx: RunContext, job: Job[TranslateParams]) -> Result:
        p = job.params
        result = Result(extra={"method": p.method})
        if p.method == "provided":
            cues = subs.load_srt(job.inputs["provided"])
        elif p.method == "source":
            cues = subs.load_srt(job.inputs["transcript"])
        else:
            cues = self._machine(ctx, job, subs.load_srt(job.inputs["transcript"]), result)
        write_text_atomic(self.outputs(ctx.paths, job.task, p)[0], subs.srt_text(cues))
        return result

    def _machine(self, ctx: RunContext, job: Job[TranslateParams], cues: list[subs.Cue],
                 result: Result) -> list[subs.Cue]:
        """Translate whole sentences (through the memory), then share each translated
        sentence over its events in proportion, broken and timed for the target's rules."""
        p = job.params
        assert p.source_language and p.model is not None
        src, tgt = p.source_language, p.target
        glossary = load_glossary(job.inputs.get("glossary"))
        memory = TranslationMemory(ctx.paths.translation_memory(), p.model,
                                   canonical_hash([[t.term, t.form(src), t.form(tgt)] for t in glossary]))
        groups = group_sentences(cues)
        sentences = [subs.join_words([cues[i].flat for i in g]) for g in groups]
        protected = [protect_terms(s, glossary, src, tgt) for s in sentences]
        todo = sorted({text for text in protected if memory.get(text) is None})
        if todo:
            translator = ctx.engines.translator(p.engine, src, tgt)
            for text, translated in zip(todo, translator.translate(todo)):
                memory.put(text, translated)
            memory.save()
        result.extra.update(engine=p.model, mt_calls=len(todo), sentences=len(sentences))
        out: list[subs.Cue] = []
        for n, (group, sentence, key) in enumerate(zip(groups, sentences, protected), start=1):
            translation = memory.get(key) or ""
            for term in find_terms(sentence, glossary, src):
                if term.form(tgt).lower() not in translation.lower():
                    lost = (f"sentence {n}: glossary term {term.term!r} lost in translation "
                            f"(expected {term.form(tgt)!r})")
                    result.warnings.append(lost)
                    result.extra.setdefault("glossary_lost", []).append(lost)
            weights = [subs.text_length(cues[i].flat) for i in group]
            for i, piece in zip(group, split_proportionally(translation, weights)):
                out.append(subs.Cue(cues[i].start, cues[i].end, subs.break_lines(piece, p.rules)))
        return subs.fix_timing(split_overfull(out, p.rules), p.rules)
