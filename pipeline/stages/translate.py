"""translate: the target-language subtitles, from a provided human translation, the source
itself (same language), the picture's own subtitles in that language (bilingual burned-in
subtitles), machine translation of a provided translation in the pivot language
(`translate.pivot`), or machine translation of the source; the glossary enforced in MT."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pipeline import subtitles as subs
from pipeline.cache import canonical_hash, write_text_atomic
from pipeline.engines import mt
from pipeline.errors import EngineError, PipelineError
from pipeline.language.tags import primary
from pipeline.language.glossary import load_glossary, lost_terms, protect_terms
from pipeline.onscreen.languages import subtitle_tracks
from pipeline.onscreen.model import load_onscreen
from pipeline.translation.baseline import Baseline, TimedLine
from pipeline.translation.routes import choose_route
from pipeline.subtitles.rulebook import RuleBook
from pipeline.translation.sentences import group_sentences, split_overfull, split_proportionally
from pipeline.stages.base import Job, Result, RunContext, Stage
from pipeline.translation.memory import TranslationMemory
from pipeline.workspace import Layout, Task, Workspace


@dataclass(frozen=True)
class TranslateParams:
    method: Literal["provided", "source", "screen", "pivot", "machine"]
    source_language: str | None  # the language translated from (None for a provided file)
    target: str
    rules: subs.Rules  # the target language's reading rules
    # the human translation read (provided, screen, pivot), project-relative
    provided: str | None = None
    engine: str = ""
    model: dict[str, Any] | None = None  # the MT engine's identity (pivot, machine)
    screen: bool = False  # `provided` is the scan's record: its subtitles in that language


# the input each method makes the version from
SOURCE_INPUT = {"provided": "provided", "source": "transcript", "screen": "screen",
                "pivot": "pivot", "machine": "transcript"}


def timed(cues: list[subs.Cue]) -> tuple[TimedLine, ...]:
    """Lines as a state file records them: (start ms, end ms, text)."""
    return tuple((c.start, c.end, c.text) for c in cues)


def baseline(source: list[subs.Cue], written: list[subs.Cue]) -> Baseline:
    """What a version's subtitles were made from and what they were (translation/baseline.py)."""
    return Baseline(timed(source), timed(written))


def _route(p: TranslateParams) -> dict[str, Any]:
    """How the version was made (the manifest's `route`)."""
    route: dict[str, Any] = {"method": p.method, "from": p.source_language}
    if p.provided:
        route["file"] = p.provided
    if p.screen:
        route["screen"] = True
    return {"method": p.method, "route": route}


def provided_path(ws: Workspace, video: str, lang: str) -> str:
    """Where a human translation of a version goes (relative to the project)."""
    return ws.config.translate.provided.format(video=video, lang=lang)


class Translate(Stage[TranslateParams]):
    name = "translate"
    version = 6  # 2: sentence-level MT through the translation memory; 3: raw Marian, splits;
    # 5: CJK split points keep Latin and digit runs whole; lead-in for slow-to-read events;
    # 6: glossary terms found by script (Chinese without word boundaries), pivot routes

    def params(self, ws: Workspace, task: Task) -> TranslateParams:
        assert task.lang
        tgt = task.lang
        rules = RuleBook.from_config(ws.config.subtitles).for_lang(tgt)
        pivot = ws.config.translate.pivot
        files = {lang: provided_path(ws, task.video, lang) for lang in {tgt, pivot} if lang}
        provided = {lang: Path(f) for lang, f in files.items() if ws.project.path(f).is_file()}
        if tgt in provided:
            return TranslateParams("provided", None, tgt, rules, files[tgt])
        src = ws.source_language(task.video)
        if src is None:
            raise PipelineError(f"{ws.paths.transcript_json(task.video)} is not written yet; "
                                "transcribe this video first")
        route = choose_route(src, tgt, provided, pivot, self._screen(ws, task.video, src))
        if route.method == "source":
            return TranslateParams("source", src, tgt, rules)
        if route.method == "screen":
            return TranslateParams("screen", None, tgt, rules, str(route.source_file),
                                   screen=True)
        engine = ws.config.translate.engine
        if engine == "provided":
            raise EngineError(f"translate.engine is 'provided' but {ws.project.path(files[tgt])} "
                              "does not exist; add that file or set translate.engine: auto")
        origin = route.source_lang
        try:
            model = ws.memo(("mt", engine, origin, tgt), lambda: mt.identity(engine, origin, tgt))
        except EngineError as e:
            if pivot and route.method == "machine" and pivot not in provided:
                raise EngineError(f"{e}; or, with translate.pivot: {pivot}, add the {pivot} "
                                  f"translation at {ws.project.path(files[pivot])}") from None
            raise
        return TranslateParams(route.method, origin, tgt, rules,
                               str(route.source_file) if route.source_file else None, engine, model,
                               route.screen)

    @staticmethod
    def _screen(ws: Workspace, video: str, source: str) -> dict[str, Path]:
        """The languages the picture's subtitles are in besides the source's (the scan's
        record, project-relative, for each)."""
        if ws.config.scan.engine == "none":
            return {}
        path = ws.paths.onscreen(video)
        tracks = subtitle_tracks(load_onscreen(path), [source, *ws.config.languages])
        rel = Path(os.path.relpath(path, ws.project.root))
        return {lang: rel for lang in tracks if lang != primary(source)}

    def inputs(self, ws: Workspace, task: Task, params: TranslateParams) -> dict[str, Path]:
        if params.method in ("provided", "screen"):
            assert params.provided
            return {params.method: ws.project.path(params.provided)}
        found = {"transcript": ws.paths.transcript_srt(task.video)}
        if params.method == "pivot":
            assert params.provided
            found = {"pivot": ws.project.path(params.provided)}
        glossary = ws.config.translate.glossary
        if params.method != "source" and glossary and ws.project.path(glossary).is_file():
            found["glossary"] = ws.project.path(glossary)
        return found

    def outputs(self, paths: Layout, task: Task, params: TranslateParams) -> list[Path]:
        assert task.lang
        return [paths.subtitles_srt(task.video, task.lang)]

    def editable(self, paths: Layout, task: Task) -> list[Path]:
        assert task.lang
        return [paths.subtitles_srt(task.video, task.lang)]

    def source_cues(self, job: Job[TranslateParams]) -> list[subs.Cue]:
        """The lines this version is made from: the provided translation, the pivot
        translation (a file or the picture's subtitles) or the source transcript, as the
        pipeline reads them."""
        p = job.params
        path = job.inputs[SOURCE_INPUT[p.method]]
        if not p.screen:
            return subs.load_srt(path)
        lang = p.target if p.method == "screen" else p.source_language
        assert lang
        items = subtitle_tracks(load_onscreen(path), [lang]).get(lang, [])
        return [subs.Cue(i.start, i.end, subs.break_lines(i.text, p.rules)) for i in items]

    def cues(self, ctx: RunContext, job: Job[TranslateParams], result: Result) -> list[subs.Cue]:
        """The version's subtitles as this job makes them, written nowhere (the review desk
        shows them beside a hand edit); `result` gets the route and MT warnings."""
        return self._made(ctx, job, self.source_cues(job), result)

    def _made(self, ctx: RunContext, job: Job[TranslateParams], source: list[subs.Cue],
              result: Result) -> list[subs.Cue]:
        result.extra.update(_route(job.params))
        if job.params.method in ("provided", "source", "screen"):
            return source
        return self._machine(ctx, job, source, result)

    def run(self, ctx: RunContext, job: Job[TranslateParams]) -> Result:
        result = Result()
        source = self.source_cues(job)
        cues = self._made(ctx, job, source, result)
        write_text_atomic(self.outputs(ctx.paths, job.task, job.params)[0], subs.srt_text(cues))
        result.detail = baseline(source, cues)
        return result

    def kept(self, paths: Layout, job: Job[TranslateParams]) -> Result:
        """A hand-edited subtitle file kept as the output: it is the new baseline, made from
        the lines the source has now."""
        target = self.outputs(paths, job.task, job.params)[0]
        return Result(extra=_route(job.params),
                      detail=baseline(self.source_cues(job), subs.load_srt(target)))

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
            for term in lost_terms(sentence, translation, glossary, src, tgt):
                lost = (f"sentence {n}: glossary term {term.term!r} lost in translation "
                        f"(expected {term.form(tgt)!r})")
                result.warnings.append(lost)
                result.extra.setdefault("glossary_lost", []).append(lost)
            weights = [subs.text_length(cues[i].flat) for i in group]
            for i, piece in zip(group, split_proportionally(translation, weights)):
                out.append(subs.Cue(cues[i].start, cues[i].end, subs.break_lines(piece, p.rules)))
        return subs.fix_timing(split_overfull(out, p.rules), p.rules)
