"""render: every profile of every language of a video from one decode of its source: the
picture fitted and the subtitles burned per output, each version's sound made meanwhile
(pipeline.av.mixing), then each deliverable muxed without re-encoding."""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.av import filtergraph as fg
from pipeline.av import media
from pipeline import subtitles as subs
from pipeline.cache import atomic_path, read_json, write_text_atomic
from pipeline.config import Config
from pipeline.av.fonts import check_coverage
from pipeline.av.mixing import SoundInputs, SoundSpec, make_sound
from pipeline.onscreen import cover, readback
from pipeline.onscreen.model import Onscreen, load_onscreen
from pipeline.stages.pictures import Picture, clean_picture_path, keep_clean_picture, master_picture
from pipeline.subtitles.rulebook import RuleBook
from pipeline.stages.base import Job, Result, RunContext, Stage
from pipeline.workspace import Layout, Task, Workspace

# Output frames one decode feeds at most: x264 at veryfast held about 230 MB per 1080p
# encoder here (1 output 314 MB, 3 outputs 777 MB, 6 outputs 1.47 GB peak RSS, from a 1080p
# or a 2160p source alike), so eight 1080p frames stay under 2 GB per render process.
MAX_PIXELS_PER_DECODE = 8 * 1920 * 1080


def versions_per_decode(frames: list[tuple[int, int]], budget: int = MAX_PIXELS_PER_DECODE) -> int:
    """How many versions (each encoded in every profile's frame) one decode may feed."""
    per_version = sum(w * h for w, h in frames)
    return max(1, budget // max(1, per_version))


@dataclass(frozen=True)
class Profile:
    name: str
    width: int
    height: int
    fit: str
    audio: bool
    text_scale: float
    safe_bottom: float | None


@dataclass(frozen=True)
class RenderParams:
    profiles: tuple[Profile, ...]
    crf: int
    preset: str
    sound: SoundSpec
    font: str
    size: float  # share of the frame's shorter side
    rules: subs.Rules  # for subtitles retimed to a plain-text script's narration
    fonts: tuple[tuple[str, str], ...]  # assets/fonts: file name and content hash
    master_picture: Picture | None  # made from this decode too, when a master is configured
    seconds: float | None = None  # a sample: only the first seconds
    source_subtitles: str = "keep"  # cover | above | keep: subtitles burned into the source
    own_language: bool = False  # the version is in the source's language
    readback: str = "none"  # the OCR engine that reads the finished picture back (QA)


def profiles_of(config: Config) -> tuple[Profile, ...]:
    return tuple(Profile(name, p.width, p.height, p.fit, p.audio, p.text_scale, p.safe_bottom)
                 for name, p in config.render.profiles.items())


def ass_style(p: RenderParams, profile: Profile) -> subs.AssStyle:
    short = min(profile.width, profile.height)
    size = max(8, round(p.size * short * profile.text_scale))
    vertical = profile.height > profile.width
    # vertical feeds put app buttons over the bottom fifth: keep text above it
    safe = profile.safe_bottom if profile.safe_bottom is not None else (0.22 if vertical else 0.06)
    margin = round(profile.height * safe)
    return subs.AssStyle(profile.width, profile.height, p.font, size, margin,
                         outline_px=max(1.0, size * 0.08), shadow_px=max(0.0, size * 0.03))


def _placement(version: _Version, profile: Profile,
               probe: media.Probe) -> tuple[subs.AssStyle, tuple[fg.Cover, ...]]:
    """The version's subtitle style in this frame, and the band it draws over the source's
    burned-in subtitles: the band reaches as high as the version's lines need, and they sit
    in it (cover); or they sit above the source's (above)."""
    style = ass_style(version.job.params, profile)
    plan, onscreen = version.source, version.onscreen
    if onscreen is None or (plan.band is None and plan.top is None):
        return style, ()
    frame = cover.Frame(profile.width, profile.height, profile.fit)
    src_w, src_h = onscreen.width or probe.width, onscreen.height or probe.height
    pad = max(2, round(cover.PAD * profile.height))
    if plan.band is None:  # above: clear of the source's subtitles
        assert plan.top is not None
        top = frame.box((0, plan.top, src_w, plan.top + 1), src_w, src_h)[1]
        return replace(style, margin_v=max(style.margin_v, profile.height - top + pad)), ()
    x, y, w, h = frame.box(plan.band, src_w, src_h)
    lines = max((c.text.count("\n") + 1 for c in plan.cues), default=1)
    bottom = y + h
    top = min(y, bottom - round(lines * style.size_px * 1.3) - 2 * pad)
    band = fg.Cover(x, max(0, top), w, bottom - max(0, top),
                    tuple((a / 1000, b / 1000) for a, b in plan.windows))
    return replace(style, margin_v=profile.height - bottom + pad), (band,)


@dataclass
class _Version:
    """One (video, language) ready to render."""

    job: Job[RenderParams]
    cues: list[subs.Cue]
    windows: tuple[tuple[float, float], ...]
    mode: str
    source: cover.SourceText  # the source's burned-in subtitles: covered, avoided, or kept
    onscreen: Onscreen | None


class Render(Stage[RenderParams]):
    name = "render"
    version = 9  # 2: glyphs; 3: limiter; 4: music, scripts; 5: parallel sound; 6: 1 dB; 7: stills;
    # 8: script subtitles may lead in, loudness steps by the limiter's slope; 9: the source's
    # burned-in subtitles covered (or avoided), the source language's not burned twice
    shared_per_video = True  # every language of a video from one decode

    def params(self, ws: Workspace, task: Task) -> RenderParams:
        assert task.lang
        c = ws.config
        s, n, r = c.subtitles, c.narration, c.render
        fonts_dir = ws.paths.assets("fonts")
        fonts = tuple((f.name, ws.hashes.sha256(f)) for f in sorted(fonts_dir.iterdir())
                      if f.is_file()) if fonts_dir.is_dir() else ()
        font = s.fonts.get(task.lang) or s.fonts.get(task.lang.split("-")[0]) or s.font
        source = ws.source_language(task.video) or ""
        own = source.split("-")[0].lower() == task.lang.split("-")[0].lower()
        return RenderParams(profiles_of(c), r.crf, r.preset,
                            SoundSpec(n.mode, n.duck_db, n.music_db, r.loudness_lufs, r.true_peak_db),
                            font, s.size, RuleBook.from_config(s).for_lang(task.lang), fonts,
                            master_picture(c), source_subtitles=r.source_subtitles,
                            own_language=own, readback=c.scan.engine)

    def inputs(self, ws: Workspace, task: Task, params: RenderParams) -> dict[str, Path]:
        assert task.lang
        p = ws.paths
        found = {"source": ws.video(task.video).source,
                 "narration": p.narration(task.video, task.lang),
                 "timing": p.timing(task.video, task.lang),
                 "subtitles": p.subtitles_srt(task.video, task.lang),
                 "probe": p.probe(task.video)}
        if p.onscreen(task.video).is_file():  # the scan's record (scan.engine)
            found["onscreen"] = p.onscreen(task.video)
        music = ws.config.narration.music
        if music and params.sound.mode == "replace":
            found["music"] = ws.project.path(music)
        return found

    def deliverable(self, paths: Layout, task: Task, profile: str) -> Path:
        assert task.lang
        return paths.deliverable(task.video, task.lang, profile)

    def outputs(self, paths: Layout, task: Task, params: RenderParams) -> list[Path]:
        assert task.lang
        mp4s = [self.deliverable(paths, task, p.name) for p in params.profiles]
        return mp4s + [paths.subtitles_vtt(task.video, task.lang),
                       paths.subtitles_ass(task.video, task.lang)]

    def run_many(self, ctx: RunContext, jobs: list[Job[RenderParams]]) -> list[Result | Exception]:
        """Every given version of one video from one decode of its source (in passes of at
        most MAX_PIXELS_PER_DECODE of output frames); a version that cannot be prepared, or
        whose sound fails, fails alone."""
        results: dict[Task, Result | Exception] = {}
        versions: list[_Version] = []
        for job in jobs:
            try:
                versions.append(self._prepare(ctx, job))
            except Exception as e:
                results[job.task] = e
        if versions:
            per_pass = versions_per_decode([(p.width, p.height)
                                            for p in versions[0].job.params.profiles])
            for i in range(0, len(versions), per_pass):
                chunk = versions[i:i + per_pass]
                try:
                    results.update(self._render(ctx, chunk))
                except Exception as e:
                    if len(chunk) == 1:
                        results[chunk[0].job.task] = e
                        continue
                    for version in chunk:  # find which version it was: each on its own
                        try:
                            results.update(self._render(ctx, [version]))
                        except Exception as e:
                            results[version.job.task] = e
        return [results[j.task] for j in jobs]

    def _prepare(self, ctx: RunContext, job: Job[RenderParams]) -> _Version:
        """A version's subtitles (glyphs checked), timing and inputs, before any encoding."""
        p = job.params
        cues = subs.load_srt(job.inputs["subtitles"])
        check_coverage([c.text for c in cues], p.font, [ctx.paths.assets("fonts")],
                       str(job.inputs["subtitles"]))
        timing = read_json(job.inputs["timing"]) or {}
        if timing.get("retimed") and len(timing.get("lines", [])) == len(cues):
            # a plain-text script: the subtitles follow the narration as it was produced
            cues = subs.fix_timing([subs.Cue(ln["start"], ln["end"], c.text)
                                    for ln, c in zip(timing["lines"], cues)], p.rules)
        windows = tuple((ln["start"] / 1000, ln["end"] / 1000) for ln in timing.get("lines", []))
        mode = p.sound.mode if timing.get("narrated") else "none"
        onscreen = load_onscreen(job.inputs.get("onscreen"))
        source = cover.plan(onscreen, cues, p.source_subtitles, p.own_language)
        return _Version(job, cues, windows, mode, source, onscreen)

    def _render(self, ctx: RunContext, versions: list[_Version]) -> dict[Task, Result | Exception]:
        """One decode, every (version, profile) picture encoded from it while each version's
        sound is mixed on other threads; then each deliverable is muxed without re-encoding."""
        first = versions[0].job
        p = first.params
        source = first.inputs["source"]
        probe = media.Probe.from_dict(read_json(first.inputs["probe"]) or {})
        # every profile the same length: the part that decodes (a damaged source kept on
        # purpose, extract.damaged: keep), or the sample's excerpt
        usable = probe.usable_duration
        limit = usable if usable < probe.duration else None
        if p.seconds is not None:
            limit = min(p.seconds, usable)
        label = f"{first.task.video}/{','.join(v.job.task.lang or '' for v in versions)}"
        results: dict[Task, Result | Exception] = {}
        with tempfile.TemporaryDirectory(prefix="render-") as tmp_name:
            tmp = Path(tmp_name)
            outputs = []
            for a, version in enumerate(versions):
                for i, profile in enumerate(p.profiles):
                    ass = f"l{a}p{i}.ass"
                    style, covers = _placement(version, profile, probe)
                    (tmp / ass).write_text(subs.ass_text(list(version.source.cues), style),
                                           encoding="utf-8")
                    outputs.append(fg.OutputSpec(profile.name, profile.width, profile.height,
                                                 profile.fit, profile.audio, ass,
                                                 media.file_url(tmp / f"video-l{a}p{i}.mp4"),
                                                 covers))
            clean = self._clean_picture(ctx, first)
            if clean:
                outputs.append(fg.OutputSpec("master", clean[1].width, clean[1].height,
                                             clean[1].fit, True, None,
                                             media.file_url(tmp / "clean.mp4")))
            if p.fonts:
                os.symlink(ctx.paths.assets("fonts"), tmp / "fonts")
            with ThreadPoolExecutor(max_workers=len(versions)) as pool:
                sounds = [pool.submit(make_sound, replace(v.job.params.sound, mode=v.mode),
                                      SoundInputs(source if probe.has_audio else None,
                                                  v.job.inputs["narration"],
                                                  v.job.inputs.get("music"), v.windows,
                                                  limit or probe.duration),
                                      tmp / f"l{a}")
                          for a, v in enumerate(versions)]
                picture = media.file_url(source) if probe.has_video else fg.still_picture(usable)
                media.run_ffmpeg(fg.video_args(picture, outputs, fps=probe.fps, crf=p.crf,
                                               preset=p.preset,
                                               fonts_dir="fonts" if p.fonts else None, limit=limit),
                                 what=f"render {label}", cwd=tmp)
                if clean:
                    keep_clean_picture(clean[0], tmp / "clean.mp4")
                for a, (version, sound) in enumerate(zip(versions, sounds)):
                    try:
                        aac, loud = sound.result()
                        results[version.job.task] = self._deliver(ctx, version, tmp, a, aac, loud)
                    except Exception as e:
                        results[version.job.task] = e
        return results

    def _clean_picture(self, ctx: RunContext, job: Job[RenderParams]) -> tuple[Path, Picture] | None:
        """The master's picture as one more output of this decode, when a master is
        configured and its picture is not kept yet (the master task then only muxes)."""
        picture = job.params.master_picture
        if picture is None or job.params.seconds is not None:
            return None  # a sample
        target = clean_picture_path(ctx.paths, job.task.video, job.digests["source"], picture)
        return None if target.is_file() else (target, picture)

    def _deliver(self, ctx: RunContext, version: _Version, tmp: Path, a: int, aac: Path,
                 loud: dict[str, Any]) -> Result:
        """A version's deliverables (its pictures muxed with its sound) and sidecars."""
        task, p = version.job.task, version.job.params
        assert task.lang
        for i, profile in enumerate(p.profiles):
            with atomic_path(self.deliverable(ctx.paths, task, profile.name)) as target:
                media.run_ffmpeg(fg.mux_args(media.file_url(tmp / f"video-l{a}p{i}.mp4"),
                                             media.file_url(aac) if profile.audio else None,
                                             media.file_url(target)),
                                 what=f"mux {task.label}", cwd=tmp)
        if p.seconds is None:
            write_text_atomic(ctx.paths.subtitles_vtt(task.video, task.lang),
                              subs.vtt_text(version.cues))
            write_text_atomic(ctx.paths.subtitles_ass(task.video, task.lang),
                              (tmp / f"l{a}p0.ass").read_text(encoding="utf-8"))
        result = Result()
        if p.seconds is None:
            readback = self._read_back(ctx, version)
            if readback:
                result.extra["readback"] = readback
        result.extra["loudness"] = loud
        result.extra["deliverables"] = {
            profile.name: self._measure(self.deliverable(ctx.paths, task, profile.name),
                                        loud if profile.audio else None)
            for profile in p.profiles}
        return result

    def _read_back(self, ctx: RunContext, version: _Version) -> dict[str, Any] | None:
        """Where the source has burned-in subtitles: the deliverable in the source's shape,
        read back by OCR at the middle of its subtitles (QA: text boxes that overlap, the
        source's script left in a translated version's subtitle band)."""
        p, onscreen = version.job.params, version.onscreen
        if onscreen is None or not onscreen.subtitles() or p.readback == "none":
            return None
        aspect = onscreen.width / max(1, onscreen.height)
        profile = next((f for f in p.profiles if abs(f.width / f.height - aspect) < 0.02), None)
        if profile is None:
            return None
        path = self.deliverable(ctx.paths, version.job.task, profile.name)
        frames = [(t, media.gray_frame_at(path, t)) for t in readback.moments(onscreen)]
        found = readback.read_back(ctx.engines.reader(p.readback), frames, onscreen,
                                   profile.height, not p.own_language,
                                   list(version.source.cues))
        return {"profile": profile.name, "frames": len(frames), "findings": found}

    @staticmethod
    def _measure(path: Path, loudness: dict[str, Any] | None) -> dict[str, Any]:
        info = media.probe(path)
        found: dict[str, Any] = {"duration": round(info.duration, 3),
                                 "width": info.width, "height": info.height}
        if loudness:
            found.update({k: loudness[k] for k in ("integrated_lufs", "true_peak_dbtp")
                          if k in loudness})
        return found


class Sample(Render):
    """render of a short excerpt of every version into outputs/_samples/ (CI, previews)."""

    name = "sample"

    def __init__(self, seconds: float = 10.0) -> None:
        self.seconds = seconds

    def params(self, ws: Workspace, task: Task) -> RenderParams:
        return replace(super().params(ws, task), master_picture=None, seconds=self.seconds)

    def deliverable(self, paths: Layout, task: Task, profile: str) -> Path:
        assert task.lang
        return paths.sample(task.video, task.lang, profile)

    def outputs(self, paths: Layout, task: Task, params: RenderParams) -> list[Path]:
        return [self.deliverable(paths, task, p.name) for p in params.profiles]
