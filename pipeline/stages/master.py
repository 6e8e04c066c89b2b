"""master: one file per video for partner channels, in one profile's frame, with no burned
subtitles, carrying every language as an audio track (its finished mix, copied from the
deliverable) and a soft mov_text subtitle track, each tagged with its language."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import langcodes

from pipeline.av import filtergraph as fg
from pipeline.av import media
from pipeline import subtitles as subs
from pipeline.cache import atomic_path
from pipeline.config import Config
from pipeline.stages.base import Job, Result, RunContext, Stage
from pipeline.stages.pictures import Picture, clean_picture_path, keep_clean_picture, master_picture
from pipeline.workspace import Layout, Task, Workspace


def iso639_2(code: str) -> str:
    """The three-letter code MP4 stores for a track's language (pt-BR -> por, zh -> zho)."""
    try:
        return str(langcodes.Language.get(code).to_alpha3())
    except (LookupError, ValueError):
        return "und"


@dataclass(frozen=True)
class MasterParams:
    profile: str  # the deliverables whose sound is copied
    picture: Picture
    languages: tuple[str, ...]


class Master(Stage[MasterParams]):
    name = "master"
    version = 1

    def wanted(self, config: Config) -> bool:
        return config.render.master is not None

    def params(self, ws: Workspace, task: Task) -> MasterParams:
        picture = master_picture(ws.config)
        assert ws.config.render.master and picture
        return MasterParams(ws.config.render.master, picture, tuple(ws.config.languages))

    def inputs(self, ws: Workspace, task: Task, params: MasterParams) -> dict[str, Path]:
        found = {"source": ws.video(task.video).source, "probe": ws.paths.probe(task.video)}
        for lang in params.languages:
            found[f"{lang}.sound"] = ws.paths.deliverable(task.video, lang, params.profile)
            found[f"{lang}.subtitles"] = ws.paths.subtitles_vtt(task.video, lang)
        return found

    def outputs(self, paths: Layout, task: Task, params: MasterParams) -> list[Path]:
        return [paths.master(task.video)]

    def run(self, ctx: RunContext, job: Job[MasterParams]) -> Result:
        p, inp = job.params, job.inputs
        probe = media.read_probe(inp["probe"])
        (target,) = self.outputs(ctx.paths, job.task, p)
        with tempfile.TemporaryDirectory(prefix="master-") as tmp_name:
            tmp = Path(tmp_name)
            picture = clean_picture_path(ctx.paths, job.task.video, job.digests["source"], p.picture)
            shared = picture.is_file()
            if not shared:  # not made by the render's decode (an older run): encode it here
                made = tmp / "picture.mp4"
                clean = fg.OutputSpec("master", p.picture.width, p.picture.height, p.picture.fit,
                                      True, None, media.file_url(made))
                usable = probe.usable_duration  # a damaged source kept: the part that decodes
                source = (media.file_url(inp["source"]) if probe.has_video
                          else fg.still_picture(usable))
                media.run_ffmpeg(fg.video_args(source, [clean], fps=probe.fps, crf=p.picture.crf,
                                               preset=p.picture.preset, fonts_dir=None,
                                               limit=usable if usable < probe.duration else None),
                                 what=f"master picture {job.task.video}", cwd=tmp)
                keep_clean_picture(picture, made)
            tracks = []
            for lang in p.languages:  # the text as shown on the burned versions (sidecar VTT)
                srt = tmp / f"{lang}.srt"
                srt.write_text(subs.srt_text(subs.load_vtt(inp[f"{lang}.subtitles"])),
                               encoding="utf-8")
                tracks.append(fg.Track(iso639_2(lang), media.file_url(inp[f"{lang}.sound"]),
                                       media.file_url(srt)))
            with atomic_path(target) as out:
                media.run_ffmpeg(fg.master_args(media.file_url(picture), tracks,
                                                media.file_url(out)),
                                 what=f"master {job.task.video}", cwd=tmp)
        info = media.probe(target)
        return Result(extra={"master": {"duration": round(info.duration, 3),
                                        "width": info.width, "height": info.height,
                                        "languages": list(p.languages),
                                        "picture": "kept" if shared else "encoded"}})
