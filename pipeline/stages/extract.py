"""extract: probe the source and decode its audio to 16 kHz mono PCM."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline import media
from pipeline.audio import write_wav
from pipeline.cache import atomic_path, write_json_atomic
from pipeline.errors import MediaError
from pipeline.stages.base import Job, Result, RunContext, Stage
from pipeline.workspace import Layout, Task, Workspace

RATE = 16000


@dataclass(frozen=True)
class ExtractParams:
    rate: int
    script: bool  # a script is narrated: a source without sound is fine


class Extract(Stage[ExtractParams]):
    name = "extract"
    version = 2  # 2: sound-only sources accepted

    def params(self, ws: Workspace, task: Task) -> ExtractParams:
        return ExtractParams(RATE, ws.video(task.video).script is not None)

    def inputs(self, ws: Workspace, task: Task, params: ExtractParams) -> dict[str, Path]:
        return {"source": ws.video(task.video).source}

    def outputs(self, paths: Layout, task: Task, params: ExtractParams) -> list[Path]:
        return [paths.probe(task.video), paths.audio(task.video)]

    def run(self, ctx: RunContext, job: Job[ExtractParams]) -> Result:
        source = job.inputs["source"]
        info = media.probe(source)  # sound-only files are fine: render draws a still
        probe_json, audio_wav = self.outputs(ctx.paths, job.task, job.params)
        with atomic_path(audio_wav) as tmp:
            if info.has_audio:
                media.extract_audio(source, tmp, job.params.rate)
            elif job.params.script:
                write_wav(tmp, np.zeros(int(info.duration * job.params.rate), np.int16), job.params.rate)
            else:
                raise MediaError(
                    f"{source}: no audio stream, so there is no speech to transcribe; "
                    f"add {source.stem}.script.txt beside it to have the host narrate it")
        write_json_atomic(probe_json, info.as_dict())
        return Result()
