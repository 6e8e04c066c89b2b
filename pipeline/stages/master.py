"""master: one file per video for partner channels, in one profile's frame, with no burned
subtitles, carrying every language as an audio track (its finished mix, copied from the
deliverable) and a soft mov_text subtitle track, each tagged with its language."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import langcodes

from pipeline import filtergraph as fg
from pipeline import media
from pipeline import subtitles as subs
from pipeline.cache import atomic_path, read_json
from pipeline.stages import Result, Stage
from pipeline.stages.render import clean_picture, deliverable_name, keep_clean_picture
from pipeline.workspace import Task, Workspace

if TYPE_CHECKING:
    from pipeline.executor import Engines


def iso639_2(code: str) -> str:
    """The three-letter code MP4 stores for a track's language (pt-BR -> por, zh -> zho)."""
    try:
        return langcodes.Language.get(code).to_alpha3()
    except (LookupError, ValueError):
        return "und"


class Master(Stage):
    name = "master"
    version = 1

    def deps(self, ws: Workspace, task: Task) -> list[Task]:
        return [Task("render", task.video, lang) for lang in ws.config.languages]

    def profile(self, ws: Workspace) -> str:
        assert ws.config.render.master
        return ws.config.render.master

    def inputs(self, ws: Workspace, task: Task) -> dict[str, Path]:
        found = {"source": ws.video(task.video).source,
                 "probe": ws.source_dir(task.video) / "probe.json"}
        for lang in ws.config.languages:
            found[f"{lang}.sound"] = (ws.lang_dir(task.video, lang)
                                      / deliverable_name(task.video, lang, self.profile(ws)))
            found[f"{lang}.subtitles"] = ws.lang_dir(task.video, lang) / "subtitles.vtt"
        return found

    def params(self, ws: Workspace, task: Task) -> dict[str, Any]:
        r = ws.config.render
        return {"profile": r.profiles[self.profile(ws)].model_dump(), "crf": r.crf,
                "preset": r.preset, "languages": ws.config.languages}

    def outputs(self, ws: Workspace, task: Task) -> list[Path]:
        return [ws.out / task.video / f"{task.video}.master.mp4"]

    def run(self, ws: Workspace, task: Task, engines: Engines) -> Result:
        cfg = ws.config.render
        profile = cfg.profiles[self.profile(ws)]
        langs = ws.config.languages
        inp = self.inputs(ws, task)
        probe = media.Probe.from_dict(read_json(inp["probe"]) or {})
        (target,) = self.outputs(ws, task)
        with tempfile.TemporaryDirectory(prefix="master-") as tmp_name:
            tmp = Path(tmp_name)
            picture = clean_picture(ws, task.video)
            shared = picture.is_file()
            if not shared:  # not made by the render's decode (an older run): encode it here
                picture = tmp / "picture.mp4"
                clean = fg.OutputSpec("master", profile.width, profile.height, profile.fit, True,
                                      None, media.file_url(picture))
                source = (media.file_url(inp["source"]) if probe.has_video
                          else fg.still_picture(probe.duration))
                media.run_ffmpeg(fg.video_args(source, [clean], fps=probe.fps, crf=cfg.crf,
                                               preset=cfg.preset, fonts_dir=None),
                                 what=f"master picture {task.video}", cwd=tmp)
                keep_clean_picture(ws, task.video, picture)
            tracks = []
            for lang in langs:  # the text as shown on the burned versions (sidecar VTT)
                srt = tmp / f"{lang}.srt"
                srt.write_text(subs.srt_text(subs.load_vtt(inp[f"{lang}.subtitles"])),
                               encoding="utf-8")
                tracks.append(fg.Track(iso639_2(lang), media.file_url(inp[f"{lang}.sound"]),
                                       media.file_url(srt)))
            with atomic_path(target) as out:
                media.run_ffmpeg(fg.master_args(media.file_url(picture), tracks,
                                                media.file_url(out)),
                                 what=f"master {task.video}", cwd=tmp)
        info = media.probe(target)
        return Result(extra={"master": {"duration": round(info.duration, 3),
                                        "width": info.width, "height": info.height,
                                        "languages": langs,
                                        "picture": "kept" if shared else "encoded"}})
