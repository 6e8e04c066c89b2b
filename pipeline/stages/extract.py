"""extract: probe the source, decode its audio to 16 kHz mono PCM, and check that the source
decodes to its end (the whole sound, the picture's packets and key frames): a damaged source
fails with its cause, or with `extract.damaged: keep` its decodable part is what renders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.av import media
from pipeline.av.wav import write_wav
from pipeline.cache import atomic_path, write_text_atomic
from pipeline.errors import MediaError
from pipeline.stages.base import Job, Result, RunContext, Stage
from pipeline.workspace import Layout, Task, Workspace

RATE = 16000


@dataclass(frozen=True)
class ExtractParams:
    rate: int
    script: bool  # a script is narrated: a source without sound is fine
    damaged: str  # fail | keep: what a source that does not decode to its end gets


class Extract(Stage[ExtractParams]):
    name = "extract"
    version = 3  # 2: sound-only sources accepted; 3: the decode check, usable duration

    def params(self, ws: Workspace, task: Task) -> ExtractParams:
        return ExtractParams(RATE, ws.video(task.video).script is not None,
                             ws.config.extract.damaged)

    def inputs(self, ws: Workspace, task: Task, params: ExtractParams) -> dict[str, Path]:
        return {"source": ws.video(task.video).source}

    def outputs(self, paths: Layout, task: Task, params: ExtractParams) -> list[Path]:
        return [paths.probe(task.video), paths.audio(task.video)]

    def records(self, paths: Layout, task: Task, params: ExtractParams) -> dict[Path, Any]:
        return {paths.probe(task.video): media.Probe}

    def run(self, ctx: RunContext, job: Job[ExtractParams]) -> Result:
        source, p = job.inputs["source"], job.params
        info = media.probe(source)  # sound-only files are fine: render draws a still
        probe_json, audio_wav = self.outputs(ctx.paths, job.task, p)
        with atomic_path(audio_wav) as tmp:
            if info.has_audio:
                report = media.check_source(source, info, media.decode_audio(source, tmp, p.rate))
            elif p.script:
                report = media.check_source(source, info, None)
                write_wav(tmp, np.zeros(int(report.usable * p.rate), np.int16), p.rate)
            else:
                raise MediaError(
                    f"{source}: no audio stream, so there is no speech to transcribe; "
                    f"add {source.stem}.script.txt beside it to have the host narrate it")
            # fail: the one-line cause, and no sound is kept; keep: the warnings
            warnings = report.enforce(source, p.damaged)
            if report.cut_off:
                media.trim_wav(tmp, report.usable)
        write_text_atomic(probe_json, info.with_decode(report).to_json())
        return Result(warnings=warnings)
