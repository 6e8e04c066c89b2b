"""scan: the text in the source's picture (burned-in subtitles, titles, lower thirds) into
source/onscreen.json. Small grey frames are compared to find where text changed; only those
bands are read by the OCR engine (scan.engine; `none` reads nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.av import media
from pipeline.cache import write_json_atomic
from pipeline.engines import ocr
from pipeline.onscreen.model import Onscreen
from pipeline.onscreen.scan import scan_frames
from pipeline.stages.base import Job, Result, RunContext, Stage
from pipeline.workspace import Layout, Task, Workspace

MAX_ROWS = 720  # frames are read at most this tall: a subtitle line stays 20+ pixels high


@dataclass(frozen=True)
class ScanParams:
    engine: str
    fps: float
    model: dict[str, Any]  # the OCR engine's identity (models by content)


def shown_size(probe: media.Probe) -> tuple[int, int]:
    """The picture's size as it is shown (the probe applies the rotation): what the boxes
    are in."""
    return probe.width, probe.height


def frame_size(shown: tuple[int, int]) -> tuple[int, int]:
    """The frames read: at most MAX_ROWS tall, even sizes."""
    w, h = shown
    rows = min(h, MAX_ROWS) // 2 * 2
    return max(2, round(w * rows / h / 2) * 2), rows


class _Lazy:
    """The pool's OCR engine, loaded at the first read: a picture without text loads none."""

    def __init__(self, ctx: RunContext, engine: str) -> None:
        self.ctx, self.engine = ctx, engine

    def read(self, image: Any) -> list[ocr.TextLine]:
        return self.ctx.engines.reader(self.engine).read(image)


class Scan(Stage[ScanParams]):
    name = "scan"
    version = 1

    def params(self, ws: Workspace, task: Task) -> ScanParams:
        s = ws.config.scan
        model = ws.memo(("ocr", s.engine), lambda: ocr.identity(s.engine, ws.hashes.sha256))
        return ScanParams(s.engine, s.fps, model)

    def inputs(self, ws: Workspace, task: Task, params: ScanParams) -> dict[str, Path]:
        if params.engine == ocr.OFF:
            return {"probe": ws.paths.probe(task.video)}
        return {"source": ws.video(task.video).source, "probe": ws.paths.probe(task.video)}

    def outputs(self, paths: Layout, task: Task, params: ScanParams) -> list[Path]:
        return [paths.onscreen(task.video)]

    def run(self, ctx: RunContext, job: Job[ScanParams]) -> Result:
        p = job.params
        probe = media.read_probe(job.inputs["probe"])
        (out,) = self.outputs(ctx.paths, job.task, p)
        record: dict[str, Any] = {"engine": p.model}
        if p.engine == ocr.OFF or not probe.has_video or not probe.width or not probe.height:
            write_json_atomic(out, dict(record, **Onscreen(*shown_size(probe)).as_dict()))
            return Result(note="scan off" if p.engine == ocr.OFF else "no picture to read")
        shown = shown_size(probe)
        width, height = frame_size(shown)
        usable = probe.usable_duration
        report = scan_frames(media.gray_frames(job.inputs["source"], width, height, p.fps,
                                               usable if usable < probe.duration else None,
                                               skip_unreferenced=True),
                             p.fps, _Lazy(ctx, p.engine), shown, round(usable * 1000))
        record.update(report.onscreen.as_dict(), fps=p.fps, samples=report.samples,
                      reads=report.reads)
        write_json_atomic(out, record)
        subtitles = len(report.onscreen.subtitles())
        captions = len(report.onscreen.items) - subtitles
        return Result(note=f"{subtitles} subtitle(s), {captions} caption(s); "
                           f"{report.reads} read(s) of {report.samples} picture(s)",
                      extra={"onscreen": {"subtitles": subtitles, "captions": captions}})
