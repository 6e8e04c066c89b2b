"""Small stages of text files for fast tests of the runner (graph, executors, cache).

They follow the real stage contract (a frozen parameters object, declared inputs, outputs
and editable outputs) and run through the real graph, executors and state files; only the
work is trivial. Importable by Dask workers (tests are a package)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.cache import write_text_atomic
from pipeline.errors import MediaError
from pipeline.orchestration.registry import Registry
from pipeline.stage_table import StageInfo
from pipeline.stages.base import Job, Result, RunContext, Stage
from pipeline.workspace import Layout, Task, Workspace

TABLE = (
    StageInfo("read", per_lang=False, needs=()),
    StageInfo("word", per_lang=True, needs=("read",)),
    StageInfo("shout", per_lang=True, needs=("word",)),
    StageInfo("bundle", per_lang=False, needs=("shout",)),
)


@dataclass(frozen=True)
class Text:
    marker: str  # the config's narration.host: a parameter the user can change


def _log(paths: Layout, task: Task) -> None:
    """Every run of a task leaves a line: tests count what really ran."""
    log = paths.out / "runs.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "a", encoding="utf-8") as f:
        f.write(task.key + "\n")


class Read(Stage[Text]):
    """The source file's text, marked."""

    name = "read"
    version = 1

    def params(self, ws: Workspace, task: Task) -> Text:
        return Text(ws.config.narration.host)

    def inputs(self, ws: Workspace, task: Task, params: Text) -> dict[str, Path]:
        return {"source": ws.video(task.video).source}

    def outputs(self, paths: Layout, task: Task, params: Text) -> list[Path]:
        return [paths.out / task.video / "read.txt"]

    def run(self, ctx: RunContext, job: Job[Text]) -> Result:
        _log(ctx.paths, job.task)
        text = job.inputs["source"].read_text(encoding="utf-8")
        write_text_atomic(self.outputs(ctx.paths, job.task, job.params)[0],
                          f"{job.params.marker}:{text}")
        return Result()


class Word(Stage[Text]):
    """The text with the language: an output editors may change (like subtitles.srt)."""

    name = "word"
    version = 1

    def params(self, ws: Workspace, task: Task) -> Text:
        return Text("")

    def inputs(self, ws: Workspace, task: Task, params: Text) -> dict[str, Path]:
        return {"read": ws.paths.out / task.video / "read.txt"}

    def outputs(self, paths: Layout, task: Task, params: Text) -> list[Path]:
        assert task.lang
        return [paths.lang_dir(task.video, task.lang) / "word.txt"]

    def editable(self, paths: Layout, task: Task) -> list[Path]:
        return self.outputs(paths, task, Text(""))

    def run(self, ctx: RunContext, job: Job[Text]) -> Result:
        _log(ctx.paths, job.task)
        text = job.inputs["read"].read_text(encoding="utf-8")
        write_text_atomic(self.outputs(ctx.paths, job.task, job.params)[0],
                          f"{text}/{job.task.lang}")
        return Result()


class Shout(Stage[Text]):
    """The word upper-cased; a word containing FAIL fails (a broken input)."""

    name = "shout"
    version = 1
    shared_per_video = True  # like render: a video's languages come together

    def params(self, ws: Workspace, task: Task) -> Text:
        return Text("")

    def inputs(self, ws: Workspace, task: Task, params: Text) -> dict[str, Path]:
        assert task.lang
        return {"word": ws.paths.lang_dir(task.video, task.lang) / "word.txt"}

    def outputs(self, paths: Layout, task: Task, params: Text) -> list[Path]:
        assert task.lang
        return [paths.lang_dir(task.video, task.lang) / "shout.txt"]

    def run(self, ctx: RunContext, job: Job[Text]) -> Result:
        _log(ctx.paths, job.task)
        text = job.inputs["word"].read_text(encoding="utf-8")
        if "FAIL" in text:
            raise MediaError(f"{job.inputs['word']}: says FAIL; fix the word")
        write_text_atomic(self.outputs(ctx.paths, job.task, job.params)[0], text.upper())
        return Result()


class Bundle(Stage[Text]):
    """Every language's shout in one file (like the master)."""

    name = "bundle"
    version = 1

    def params(self, ws: Workspace, task: Task) -> Text:
        return Text(",".join(ws.config.languages))

    def inputs(self, ws: Workspace, task: Task, params: Text) -> dict[str, Path]:
        return {lang: ws.paths.lang_dir(task.video, lang) / "shout.txt"
                for lang in params.marker.split(",")}

    def outputs(self, paths: Layout, task: Task, params: Text) -> list[Path]:
        return [paths.out / task.video / "bundle.txt"]

    def run(self, ctx: RunContext, job: Job[Text]) -> Result:
        _log(ctx.paths, job.task)
        parts = [job.inputs[k].read_text(encoding="utf-8") for k in sorted(job.inputs)]
        write_text_atomic(self.outputs(ctx.paths, job.task, job.params)[0], "|".join(parts))
        return Result()


def registry() -> Registry:
    return Registry(TABLE, {s.name: s for s in (Read(), Word(), Shout(), Bundle())})
