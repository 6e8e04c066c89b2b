"""translate: the target-language subtitles, from a provided human translation, the source
itself (same language), or machine translation with the glossary enforced."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import subtitles as subs
from pipeline.cache import write_text_atomic
from pipeline.engines import mt
from pipeline.glossary import Term, find_terms, load_glossary
from pipeline.rules import rules_for
from pipeline.stages import Result, Stage
from pipeline.stages.transcribe import source_language
from pipeline.workspace import Task, Workspace

if TYPE_CHECKING:
    from pipeline.executor import Engines


def provided_path(ws: Workspace, task: Task) -> Path:
    template = ws.config.translate.provided
    return ws.project.path(template.format(video=task.video, lang=task.lang))


def protect_terms(text: str, terms: list[Term], src: str, tgt: str) -> str:
    """Put each glossary term's target form into the source before MT: engines keep a
    foreign proper name as it is, where they would translate the English one word by word."""
    for t in sorted(terms, key=lambda t: -len(t.form(src))):
        pattern = r"(?<!\w)" + re.escape(t.form(src)) + r"(?!\w)"
        text = re.sub(pattern, lambda _m, f=t.form(tgt): f, text, flags=re.IGNORECASE)
    return text


class Translate(Stage):
    name = "translate"
    version = 1
    per_lang = True

    def deps(self, ws: Workspace, task: Task) -> list[Task]:
        return [Task("transcribe", task.video)]

    def inputs(self, ws: Workspace, task: Task) -> dict[str, Path]:
        d = ws.source_dir(task.video)
        found = {"transcript": d / "transcript.srt", "record": d / "transcript.json"}
        provided = provided_path(ws, task)
        if provided.is_file():
            found["provided"] = provided
        glossary = ws.config.translate.glossary
        if glossary and ws.project.path(glossary).is_file():
            found["glossary"] = ws.project.path(glossary)
        return found

    def _method(self, ws: Workspace, task: Task) -> tuple[str, str]:
        src = source_language(ws, task.video) or "und"
        assert task.lang
        if provided_path(ws, task).is_file():
            return "provided", src
        if mt.base_lang(src) == mt.base_lang(task.lang):
            return "source", src
        if ws.config.translate.engine == "provided":
            from pipeline.errors import EngineError

            raise EngineError(f"translate.engine is 'provided' but {provided_path(ws, task)} does not "
                              "exist; add that file or set translate.engine: auto")
        return mt.choose_engine(ws.config.translate.engine, src, task.lang), src

    def params(self, ws: Workspace, task: Task) -> dict[str, Any]:
        method, src = self._method(ws, task)
        assert task.lang
        return {"method": method, "source_language": src,
                "rules": rules_for(ws.config, task.lang).__dict__}

    def outputs(self, ws: Workspace, task: Task) -> list[Path]:
        assert task.lang
        return [ws.lang_dir(task.video, task.lang) / "subtitles.srt"]

    def editable(self, ws: Workspace, task: Task) -> list[Path]:
        return self.outputs(ws, task)

    def run(self, ws: Workspace, task: Task, engines: Engines) -> Result:
        assert task.lang
        method, src = self._method(ws, task)
        result = Result(extra={"method": method})
        if method == "provided":
            cues = subs.load_srt(provided_path(ws, task))
        else:
            source_cues = subs.load_srt(ws.source_dir(task.video) / "transcript.srt")
            if method == "source":
                cues = source_cues
            else:
                cues = self._machine(ws, task, src, source_cues, engines, result)
        write_text_atomic(self.outputs(ws, task)[0], subs.srt_text(cues))
        return result

    def _machine(self, ws: Workspace, task: Task, src: str, cues: list[subs.Cue],
                 engines: Engines, result: Result) -> list[subs.Cue]:
        assert task.lang
        glossary = load_glossary(ws.project.path(ws.config.translate.glossary)
                                 if ws.config.translate.glossary else None)
        translator = engines.translator(ws.config.translate.engine, src, task.lang)
        texts = [protect_terms(c.flat, glossary, src, task.lang) for c in cues]
        translated = translator.translate(texts)
        rules = rules_for(ws.config, task.lang)
        out = []
        for n, (cue, text) in enumerate(zip(cues, translated), start=1):
            for term in find_terms(cue.flat, glossary, src):
                if term.form(task.lang).lower() not in text.lower():
                    lost = (f"line {n}: glossary term {term.term!r} lost in translation "
                            f"(expected {term.form(task.lang)!r})")
                    result.warnings.append(lost)
                    result.extra.setdefault("glossary_lost", []).append(lost)
            out.append(subs.Cue(cue.start, cue.end, subs.break_lines(text, rules)))
        result.extra["engine"] = translator.identity
        return out
