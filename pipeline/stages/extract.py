"""extract: probe the source and decode its audio to 16 kHz mono PCM."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import media
from pipeline.cache import atomic_path, write_json_atomic
from pipeline.errors import MediaError
from pipeline.stages import Result, Stage
from pipeline.workspace import Task, Workspace

if TYPE_CHECKING:
    from pipeline.executor import Engines

RATE = 16000


def write_silence(path: Path, seconds: float, rate: int = RATE) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * int(seconds * rate))


class Extract(Stage):
    name = "extract"
    version = 2  # 2: sound-only sources accepted

    def inputs(self, ws: Workspace, task: Task) -> dict[str, Path]:
        return {"source": ws.video(task.video).source}

    def params(self, ws: Workspace, task: Task) -> dict[str, Any]:
        return {"rate": RATE, "script": ws.video(task.video).script is not None}

    def outputs(self, ws: Workspace, task: Task) -> list[Path]:
        d = ws.source_dir(task.video)
        return [d / "probe.json", d / "audio.wav"]

    def run(self, ws: Workspace, task: Task, engines: Engines) -> Result:
        video = ws.video(task.video)
        info = media.probe(video.source)  # sound-only files are fine: render draws a still
        probe_json, audio_wav = self.outputs(ws, task)
        with atomic_path(audio_wav) as tmp:
            if info.has_audio:
                media.extract_audio(video.source, tmp, RATE)
            elif video.script is not None:
                write_silence(tmp, info.duration)
            else:
                raise MediaError(
                    f"{video.source}: no audio stream, so there is no speech to transcribe; "
                    f"add {video.source.stem}.script.txt beside it to have the host narrate it")
        write_json_atomic(probe_json, info.as_dict())
        return Result()
