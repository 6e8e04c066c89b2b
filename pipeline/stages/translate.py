"""translate: the target-language subtitles, from a provided human translation, the source
itself (same language), or machine translation with the glossary enforced."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import subtitles as subs
from pipeline.cache import canonical_hash, write_text_atomic
from pipeline.engines import mt
from pipeline.glossary import find_terms, load_glossary, protect_terms
from pipeline.rules import rules_for
from pipeline.sentences import group_sentences, split_overfull, split_proportionally
from pipeline.stages import Result, Stage
from pipeline.stages.transcribe import source_language
from pipeline.tm import TranslationMemory
from pipeline.workspace import Task, Workspace

if TYPE_CHECKING:
    from pipeline.executor import Engines


def provided_path(ws: Workspace, task: Task) -> Path:
    template = ws.config.translate.provided
    return ws.project.path(template.format(video=task.video, lang=task.lang))


class Translate(Stage):
    name = "translate"
    version = 5  # 2: sentence-level MT through the translation memory; 3: raw Marian, splits;
    # 5: CJK split points keep Latin and digit runs whole; lead-in for slow-to-read events
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
        mt.choose_engine(ws.config.translate.engine, src, task.lang)  # raises with the fix
        return "machine", src

    def params(self, ws: Workspace, task: Task) -> dict[str, Any]:
        method, src = self._method(ws, task)
        assert task.lang
        found: dict[str, Any] = {"method": method, "source_language": src,
                                 "rules": rules_for(ws.config, task.lang).__dict__}
        if method == "machine":
            found["engine"] = mt.identity(ws.config.translate.engine, src, task.lang)
        return found

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
        """Translate whole sentences (through the memory), then share each translated
        sentence over its events in proportion, broken and timed for the target's rules."""
        assert task.lang
        tgt = task.lang
        glossary = load_glossary(ws.project.path(ws.config.translate.glossary)
                                 if ws.config.translate.glossary else None)
        engine = mt.identity(ws.config.translate.engine, src, tgt)
        memory = TranslationMemory(ws.out / ".pipeline" / "tm", engine,
                                   canonical_hash([[t.term, t.form(src), t.form(tgt)] for t in glossary]))
        groups = group_sentences(cues)
        sentences = [subs.join_words([cues[i].flat for i in g]) for g in groups]
        protected = [protect_terms(s, glossary, src, tgt) for s in sentences]
        todo = sorted({p for p in protected if memory.get(p) is None})
        if todo:
            translator = engines.translator(ws.config.translate.engine, src, tgt)
            for text, out in zip(todo, translator.translate(todo)):
                memory.put(text, out)
            memory.save()
        result.extra.update(engine=engine, mt_calls=len(todo), sentences=len(sentences))
        rules = rules_for(ws.config, tgt)
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
                out.append(subs.Cue(cues[i].start, cues[i].end, subs.break_lines(piece, rules)))
        return subs.fix_timing(split_overfull(out, rules), rules)
