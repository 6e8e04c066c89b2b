"""captions: each caption the scan found on screen (a title, a lower third) translated for a
version into `<lang>/captions.srt` (pipeline/onscreen/captions.py), by the version's route:
a provided caption translation, the glossary (a caption that is one name), machine
translation of the pivot's provided caption, or of the caption itself; what none of them
translates is written as it is on screen (a warning: the editor translates it there).
The file is editable: render reads it, so an edit reruns only that version's render."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import subtitles as subs
from pipeline.cache import canonical_hash
from pipeline.engines import mt
from pipeline.errors import EngineError
from pipeline.language.glossary import Term, load_glossary, lost_terms, protect_terms
from pipeline.language.tags import same_language
from pipeline.onscreen.captions import Caption, foreign_captions, write_captions
from pipeline.onscreen.model import OnscreenItem, language_of_script, load_onscreen, writes_in
from pipeline.stages.base import Job, Result, RunContext, Stage
from pipeline.translation.memory import TranslationMemory
from pipeline.workspace import Layout, Task, Workspace



@dataclass(frozen=True)
class CaptionsParams:
    target: str
    source_language: str
    captions: int  # captions on screen to translate (none: the file is empty, reads nothing else)
    engine: str
    # the MT engine's identity from each language captions are in (None: no engine for it)
    models: tuple[tuple[str, dict[str, Any] | None], ...] = ()
    pivot: str | None = None  # a pivot language whose provided captions exist
    provided: str | None = None  # the target's provided captions (project-relative)
    pivot_file: str | None = None
    expected: str = ""  # where a provided captions file would be read from (for the warning)


def provided_captions(template: str, video: str, lang: str) -> str:
    """Where a human translation of a version's captions goes: the provided subtitles' path
    with `.captions` before `.srt` (translations/{video}.{lang}.captions.srt)."""
    path = template.format(video=video, lang=lang)
    return path[:-4] + ".captions.srt" if path.endswith(".srt") else path + ".captions.srt"


def caption_language(item: OnscreenItem, source: str) -> str:
    """The language a caption is taken to be in: the source's when its script is the
    source's, else the one its script says (language_of_script), else the source's."""
    if writes_in(source, item.script):
        return source
    return language_of_script(item.script) or source


def _flat(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum()).lower()


def _overlap(cue: subs.Cue, item: OnscreenItem) -> int:
    return min(cue.end, item.end) - max(cue.start, item.start)


def _provided(path: Path | None, items: list[OnscreenItem]) -> dict[OnscreenItem, str]:
    """A provided captions file joined to the items: each item takes the unused event that
    overlaps it longest (its times need not be the scan's)."""
    if path is None:
        return {}
    cues = subs.load_srt(path, overlapping=True)
    found: dict[OnscreenItem, str] = {}
    used: set[int] = set()
    for item in items:
        best = max((n for n in range(len(cues)) if n not in used and _overlap(cues[n], item) > 0),
                   key=lambda n: _overlap(cues[n], item), default=None)
        if best is not None:
            used.add(best)
            found[item] = cues[best].text
    return found


def _name(item: OnscreenItem, glossary: list[Term], lang: str, target: str) -> str | None:
    """A caption that is one glossary name: its form in the target language."""
    for term in glossary:
        form = term.own_form(lang)
        if form and _flat(form) == _flat(item.text) and term.own_form(target):
            return term.form(target)
    return None


class Captions(Stage[CaptionsParams]):
    name = "captions"
    version = 1

    def params(self, ws: Workspace, task: Task) -> CaptionsParams:
        assert task.lang
        tgt, t = task.lang, ws.config.translate
        source = ws.source_language(task.video) or ws.config.source_language or ""
        items = foreign_captions(load_onscreen(ws.paths.onscreen(task.video)), tgt)
        if not items:  # nothing to translate: a fingerprint of the scan's record alone
            return CaptionsParams(tgt, "", 0, "")
        langs = sorted({caption_language(i, source) for i in items})
        provided = provided_captions(t.provided, task.video, tgt)
        pivot_file = provided_captions(t.provided, task.video, t.pivot) if t.pivot else None
        has_pivot = bool(t.pivot and pivot_file and not same_language(t.pivot, tgt)
                         and ws.project.path(pivot_file).is_file())
        models = tuple((lang, self._model(ws, t.engine, lang, tgt)) for lang in langs
                       + ([t.pivot] if has_pivot and t.pivot and t.pivot not in langs else []))
        return CaptionsParams(tgt, source, len(items), t.engine, models,
                              t.pivot if has_pivot else None,
                              provided if ws.project.path(provided).is_file() else None,
                              pivot_file if has_pivot else None, provided)

    @staticmethod
    def _model(ws: Workspace, engine: str, src: str, tgt: str) -> dict[str, Any] | None:
        if engine == "provided" or same_language(src, tgt):
            return None
        try:
            return ws.memo(("mt", engine, src, tgt), lambda: mt.identity(engine, src, tgt))
        except EngineError:
            return None  # no engine for the pair: the provided file or the glossary, or as is

    def inputs(self, ws: Workspace, task: Task, params: CaptionsParams) -> dict[str, Path]:
        found = {"onscreen": ws.paths.onscreen(task.video)}
        if not params.captions:
            return found
        glossary = ws.config.translate.glossary
        if glossary and ws.project.path(glossary).is_file():
            found["glossary"] = ws.project.path(glossary)
        if params.provided:
            found["provided"] = ws.project.path(params.provided)
        if params.pivot_file:
            found["pivot"] = ws.project.path(params.pivot_file)
        return found

    def outputs(self, paths: Layout, task: Task, params: CaptionsParams) -> list[Path]:
        assert task.lang
        return [paths.captions_srt(task.video, task.lang)]

    def editable(self, paths: Layout, task: Task) -> list[Path]:
        assert task.lang
        return [paths.captions_srt(task.video, task.lang)]

    def run(self, ctx: RunContext, job: Job[CaptionsParams]) -> Result:
        p = job.params
        items = foreign_captions(load_onscreen(job.inputs["onscreen"]), p.target)
        result = Result()
        glossary = load_glossary(job.inputs.get("glossary"))
        provided = _provided(job.inputs.get("provided"), items)
        pivot = _provided(job.inputs.get("pivot"), items)
        models = dict(p.models)
        made: dict[OnscreenItem, tuple[str, str]] = {}  # item -> (text, route)
        todo: dict[tuple[str, str], list[OnscreenItem]] = {}  # (from, text) -> items
        for item in items:
            lang = caption_language(item, p.source_language)
            name = _name(item, glossary, lang, p.target)
            if item in provided:
                made[item] = (provided[item], "provided")
            elif name is not None:
                made[item] = (name, "glossary")
            elif item in pivot and p.pivot and models.get(p.pivot) is not None:
                todo.setdefault((p.pivot, pivot[item]), []).append(item)
            elif models.get(lang) is not None:
                todo.setdefault((lang, item.text), []).append(item)
            else:
                made[item] = (item.text, "none")
        for src in dict.fromkeys(lang for lang, _ in todo):
            texts = [text for lang, text in todo if lang == src]
            for text, translation in zip(texts, self._machine(ctx, p, src, texts, glossary,
                                                              result)):
                for item in todo[(src, text)]:
                    made[item] = (translation, "pivot" if src == p.pivot else "machine")
        captions = [Caption(i, made[i][0]) for i in items]
        write_captions(self.outputs(ctx.paths, job.task, p)[0], captions)
        left = [i.text for i in items if made[i][1] == "none"]
        if left:
            result.warnings.append(
                f"{len(left)} caption(s) left as on screen ({', '.join(left)}): no translation "
                f"for them (add {p.expected} or a glossary entry, or translate them in "
                f"{ctx.paths.rel(self.outputs(ctx.paths, job.task, p)[0])})")
        result.extra["captions"] = [{"text": i.text, "translation": made[i][0], "via": made[i][1]}
                                    for i in items]
        if items:
            result.note = f"{len(items) - len(left)} of {len(items)} caption(s) translated"
        return result

    @staticmethod
    def _machine(ctx: RunContext, p: CaptionsParams, src: str, texts: list[str],
                 glossary: list[Term], result: Result) -> list[str]:
        """Captions in `src` through the translation memory (glossary names put in first): one
        load of the memory, one call of the engine for what it lacks, one save."""
        model = dict(p.models)[src]
        assert model is not None
        memory = TranslationMemory(ctx.paths.translation_memory(), model,
                                   canonical_hash([[t.term, t.form(src), t.form(p.target)]
                                                   for t in glossary]))
        keys = [protect_terms(" ".join(text.split()), glossary, src, p.target) for text in texts]
        missing = list(dict.fromkeys(k for k in keys if memory.get(k) is None))
        if missing:
            translator = ctx.engines.translator(p.engine, src, p.target)
            for key, translated in zip(missing, translator.translate(missing)):
                memory.put(key, translated)
            memory.save()
        translations = [memory.get(key) or "" for key in keys]
        for text, translation in zip(texts, translations):
            for term in lost_terms(text, translation, glossary, src, p.target):
                result.warnings.append(f"caption {text!r}: glossary term {term.term!r} lost in "
                                       f"translation (expected {term.form(p.target)!r})")
        return translations
