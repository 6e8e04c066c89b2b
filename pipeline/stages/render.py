"""render: mix (duck the original under the host, normalize loudness), burn the subtitles,
encode every profile of a version from one decode of the source."""

from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import filtergraph as fg
from pipeline import media
from pipeline import subtitles as subs
from pipeline.cache import atomic_path, canonical_hash, read_json, write_text_atomic
from pipeline.config import ProfileConfig
from pipeline.fonts import check_coverage
from pipeline.rules import rules_for
from pipeline.stages import Result, Stage
from pipeline.workspace import Task, Workspace

if TYPE_CHECKING:
    from pipeline.executor import Engines


AAC_HEADROOM_DB = 1.0
# Output frames one decode feeds at most: x264 at veryfast held about 230 MB per 1080p
# encoder here (1 output 314 MB, 3 outputs 777 MB, 6 outputs 1.47 GB peak RSS, from a 1080p
# or a 2160p source alike), so eight 1080p frames stay under 2 GB per render process.
MAX_PIXELS_PER_DECODE = 8 * 1920 * 1080


def versions_per_decode(frames: list[tuple[int, int]], budget: int = MAX_PIXELS_PER_DECODE) -> int:
    """How many versions (each encoded in every profile's frame) one decode may feed."""
    per_version = sum(w * h for w, h in frames)
    return max(1, budget // max(1, per_version))


@dataclass
class _Version:
    """One (video, language) ready to render."""

    task: Task
    inputs: dict[str, Path]
    cues: list[subs.Cue]
    windows: list[tuple[float, float]]
    mode: str


def font_for(ws: Workspace, lang: str) -> str:
    s = ws.config.subtitles
    return s.fonts.get(lang) or s.fonts.get(lang.split("-")[0]) or s.font


def ass_style(ws: Workspace, lang: str, profile: ProfileConfig) -> subs.AssStyle:
    short = min(profile.width, profile.height)
    size = max(8, round(ws.config.subtitles.size * short * profile.text_scale))
    vertical = profile.height > profile.width
    # vertical feeds put app buttons over the bottom fifth: keep text above it
    safe = profile.safe_bottom if profile.safe_bottom is not None else (0.22 if vertical else 0.06)
    margin = round(profile.height * safe)
    return subs.AssStyle(profile.width, profile.height, font_for(ws, lang), size, margin,
                         outline_px=max(1.0, size * 0.08), shadow_px=max(0.0, size * 0.03))


def clean_picture(ws: Workspace, video: str) -> Path:
    """Where the master's picture (no subtitles) is kept between runs, named by what makes
    it: the render's shared decode writes it, and reruns of the master (an edited line)
    only mux."""
    r = ws.config.render
    assert r.master
    key = canonical_hash({"source": ws.hashes.sha256(ws.video(video).source),
                          "profile": r.profiles[r.master].model_dump(), "crf": r.crf,
                          "preset": r.preset, "version": 1})
    return ws.out / ".pipeline" / "pictures" / video / f"{key[:20]}.mp4"


def keep_clean_picture(ws: Workspace, video: str, made: Path) -> None:
    """Put a freshly encoded clean picture in place; older ones of the video go."""
    target = clean_picture(ws, video)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        shutil.copyfile(made, tmp)
    for old in target.parent.glob("*.mp4"):
        if old != target:
            old.unlink(missing_ok=True)


def deliverable_name(video: str, lang: str, profile: str) -> str:
    return f"{video}.{lang}.{profile}.mp4"


class Render(Stage):
    name = "render"
    version = 8  # 2: glyphs; 3: limiter; 4: music, scripts; 5: parallel sound; 6: 1 dB; 7: stills;
    # 8: script subtitles may lead in, loudness steps by the limiter's slope
    per_lang = True
    shared_per_video = True  # every language of a video from one decode

    def deps(self, ws: Workspace, task: Task) -> list[Task]:
        return [Task("narrate", task.video, task.lang)]

    def inputs(self, ws: Workspace, task: Task) -> dict[str, Path]:
        assert task.lang
        d = ws.lang_dir(task.video, task.lang)
        found = {"source": ws.video(task.video).source, "narration": d / "narration.wav",
                 "timing": d / "timing.json", "subtitles": d / "subtitles.srt",
                 "probe": ws.source_dir(task.video) / "probe.json"}
        music = ws.config.narration.music
        if music and ws.config.narration.mode == "replace":
            found["music"] = ws.project.path(music)
        return found

    def params(self, ws: Workspace, task: Task) -> dict[str, Any]:
        assert task.lang
        r = ws.config.render
        return {"render": r.model_dump(exclude={"master"}), "mode": ws.config.narration.mode,
                "duck_db": ws.config.narration.duck_db, "music_db": ws.config.narration.music_db, "font": font_for(ws, task.lang),
                "size": ws.config.subtitles.size, "fonts": self._fonts_listing(ws)}

    def _fonts_dir(self, ws: Workspace) -> Path | None:
        d = ws.search_dirs("fonts")[0]
        return d if d.is_dir() and any(d.iterdir()) else None

    def _fonts_listing(self, ws: Workspace) -> list[str]:
        d = self._fonts_dir(ws)
        return sorted(p.name for p in d.iterdir()) if d else []

    def deliverable(self, ws: Workspace, task: Task, profile: str) -> Path:
        assert task.lang
        return ws.lang_dir(task.video, task.lang) / deliverable_name(task.video, task.lang, profile)

    def length(self, ws: Workspace, probe: media.Probe) -> float | None:
        """Seconds to render from the start (None: the whole video)."""
        return None

    def outputs(self, ws: Workspace, task: Task) -> list[Path]:
        assert task.lang
        d = ws.lang_dir(task.video, task.lang)
        mp4s = [self.deliverable(ws, task, p) for p in ws.config.render.profiles]
        return mp4s + [d / "subtitles.vtt", d / "subtitles.ass"]

    def run_many(self, ws: Workspace, tasks: list[Task], engines: Engines) -> list[Result | Exception]:
        """Every given version of one video from one decode of its source (in passes of at
        most MAX_PIXELS_PER_DECODE of output frames); a version that cannot be prepared, or
        whose sound fails, fails alone."""
        results: dict[Task, Result | Exception] = {}
        versions: list[_Version] = []
        for task in tasks:
            try:
                versions.append(self._prepare(ws, task))
            except Exception as e:
                results[task] = e
        per_pass = versions_per_decode([(p.width, p.height)
                                        for p in ws.config.render.profiles.values()])
        for i in range(0, len(versions), per_pass):
            chunk = versions[i:i + per_pass]
            try:
                results.update(self._render(ws, chunk))
            except Exception as e:
                if len(chunk) == 1:
                    results[chunk[0].task] = e
                    continue
                for version in chunk:  # find which version it was: each on its own
                    try:
                        results.update(self._render(ws, [version]))
                    except Exception as e:
                        results[version.task] = e
        return [results[t] for t in tasks]

    def _prepare(self, ws: Workspace, task: Task) -> _Version:
        """A version's subtitles (glyphs checked), timing and inputs, before any encoding."""
        assert task.lang
        inp = self.inputs(ws, task)
        cues = subs.load_srt(inp["subtitles"])
        check_coverage([c.text for c in cues], font_for(ws, task.lang), ws.search_dirs("fonts"),
                       str(inp["subtitles"]))
        timing = read_json(inp["timing"]) or {}
        if timing.get("retimed") and len(timing.get("lines", [])) == len(cues):
            # a plain-text script: the subtitles follow the narration as it was produced
            cues = subs.fix_timing([subs.Cue(ln["start"], ln["end"], c.text)
                                    for ln, c in zip(timing["lines"], cues)],
                                   rules_for(ws.config, task.lang))
        windows = [(ln["start"] / 1000, ln["end"] / 1000) for ln in timing.get("lines", [])]
        mode = ws.config.narration.mode if timing.get("narrated") else "none"
        return _Version(task, inp, cues, windows, mode)

    def _render(self, ws: Workspace, versions: list[_Version]) -> dict[Task, Result | Exception]:
        """One decode, every (version, profile) picture encoded from it while each version's
        sound is mixed on other threads; then each deliverable is muxed without re-encoding."""
        cfg = ws.config.render
        profiles = list(cfg.profiles.items())
        source = versions[0].inputs["source"]
        probe = media.Probe.from_dict(read_json(versions[0].inputs["probe"]) or {})
        limit = self.length(ws, probe)
        label = f"{versions[0].task.video}/{','.join(v.task.lang or '' for v in versions)}"
        results: dict[Task, Result | Exception] = {}
        with tempfile.TemporaryDirectory(prefix="render-") as tmp_name:
            tmp = Path(tmp_name)
            outputs = []
            for a, version in enumerate(versions):
                assert version.task.lang
                for p, (name, profile) in enumerate(profiles):
                    style = ass_style(ws, version.task.lang, profile)
                    ass = f"l{a}p{p}.ass"
                    (tmp / ass).write_text(subs.ass_text(version.cues, style), encoding="utf-8")
                    outputs.append(fg.OutputSpec(name, profile.width, profile.height, profile.fit,
                                                 profile.audio, ass,
                                                 media.file_url(tmp / f"video-l{a}p{p}.mp4")))
            clean = self._clean_picture_output(ws, versions[0].task.video, limit, tmp)
            if clean:
                outputs.append(clean)
            fonts = self._fonts_dir(ws)
            if fonts:
                os.symlink(fonts, tmp / "fonts")
            with ThreadPoolExecutor(max_workers=len(versions)) as pool:
                sounds = [pool.submit(self._sound, ws, probe, v.inputs, v.windows,
                                      tmp / f"l{a}", limit, v.mode)
                          for a, v in enumerate(versions)]
                picture = media.file_url(source) if probe.has_video else fg.still_picture(probe.duration)
                media.run_ffmpeg(fg.video_args(picture, outputs, fps=probe.fps, crf=cfg.crf,
                                               preset=cfg.preset,
                                               fonts_dir="fonts" if fonts else None, limit=limit),
                                 what=f"render {label}", cwd=tmp)
                if clean:
                    keep_clean_picture(ws, versions[0].task.video, tmp / "clean.mp4")
                for a, (version, sound) in enumerate(zip(versions, sounds)):
                    try:
                        aac, loud = sound.result()
                        results[version.task] = self._deliver(ws, version, tmp, a, aac, loud)
                    except Exception as e:
                        results[version.task] = e
        return results

    def _clean_picture_output(self, ws: Workspace, video: str, limit: float | None,
                              tmp: Path) -> fg.OutputSpec | None:
        """The master's picture as one more output of this decode, when a master is
        configured and its picture is not kept yet (the master task then only muxes)."""
        name = ws.config.render.master
        if not name or limit is not None or clean_picture(ws, video).is_file():
            return None
        p = ws.config.render.profiles[name]
        return fg.OutputSpec("master", p.width, p.height, p.fit, True, None,
                             media.file_url(tmp / "clean.mp4"))

    def _deliver(self, ws: Workspace, version: _Version, tmp: Path, a: int, aac: Path,
                 loud: dict[str, Any]) -> Result:
        """A version's deliverables (its pictures muxed with its sound) and sidecars."""
        task = version.task
        assert task.lang
        profiles = list(ws.config.render.profiles.items())
        for p, (name, profile) in enumerate(profiles):
            with atomic_path(self.deliverable(ws, task, name)) as target:
                media.run_ffmpeg(fg.mux_args(media.file_url(tmp / f"video-l{a}p{p}.mp4"),
                                             media.file_url(aac) if profile.audio else None,
                                             media.file_url(target)),
                                 what=f"mux {task.label}", cwd=tmp)
        d = ws.lang_dir(task.video, task.lang)
        if d / "subtitles.vtt" in self.outputs(ws, task):
            write_text_atomic(d / "subtitles.vtt", subs.vtt_text(version.cues))
            write_text_atomic(d / "subtitles.ass", (tmp / f"l{a}p0.ass").read_text(encoding="utf-8"))
        result = Result()
        result.extra["loudness"] = loud
        result.extra["deliverables"] = {
            name: self._measure(self.deliverable(ws, task, name), loud if p.audio else None)
            for name, p in profiles}
        return result

    @staticmethod
    def _measure(path: Path, loudness: dict[str, Any] | None) -> dict[str, Any]:
        info = media.probe(path)
        found: dict[str, Any] = {"duration": round(info.duration, 3),
                                 "width": info.width, "height": info.height}
        if loudness:
            found.update({k: loudness[k] for k in ("integrated_lufs", "true_peak_dbtp")
                          if k in loudness})
        return found

    def _sound(self, ws: Workspace, probe: media.Probe, inp: dict[str, Path],
               windows: list[tuple[float, float]], tmp: Path, limit: float | None,
               mode: str) -> tuple[Path, dict[str, Any]]:
        """The version's sound as AAC, and its loudness as measured on that AAC (what the
        viewer hears, the codec's overshoot included)."""
        tmp.mkdir(exist_ok=True)
        wav, report = self._mix(ws, probe, inp, windows, tmp, limit, mode)
        aac = tmp / "audio.m4a"
        media.run_ffmpeg(fg.aac_args(media.file_url(wav), media.file_url(aac)),
                         what="encode audio", cwd=tmp)
        return aac, dict(report, **media.loudness(aac))

    def _mix(self, ws: Workspace, probe: media.Probe, inp: dict[str, Path],
             windows: list[tuple[float, float]], tmp: Path,
             limit: float | None, mode: str) -> tuple[Path, dict[str, Any]]:
        """The version's audio: mixed, measured, then brought to the target loudness."""
        cfg, n = ws.config.render, ws.config.narration
        raw, final = tmp / "mix.wav", tmp / "mix-norm.wav"
        source = media.file_url(inp["source"]) if probe.has_audio else None
        music = media.file_url(ws.project.path(n.music)) if n.music else None
        media.run_ffmpeg(fg.mix_args(source, media.file_url(inp["narration"]), limit or probe.duration,
                                     mode, windows, n.duck_db, media.file_url(raw), music,
                                     n.music_db),
                         what="mix audio", cwd=tmp)
        # One gain for the whole version (so the ducking depth survives), then a peak limiter
        # AAC_HEADROOM_DB under the true-peak target (room for the AAC encoder's overshoot:
        # with 0.5 dB, an espeak voice still measured -1.0 dBTP against a -1 target).
        measured = media.loudness(raw, true_peak=False)
        lufs = measured.get("integrated_lufs", -70.0)
        silent = lufs <= -70
        gain = 0.0 if silent else cfg.loudness_lufs - lufs
        tried: list[tuple[float, float]] = []
        for _ in range(3):  # the limiter takes loudness off peaky voices: make it up
            log = media.run_ffmpeg(fg.normalize_args(media.file_url(raw), gain,
                                                     cfg.true_peak_db - AAC_HEADROOM_DB,
                                                     media.file_url(final)),
                                   what="normalize loudness", cwd=tmp)
            reached = media.parse_loudness(log).get("integrated_lufs", lufs + gain)
            if silent or abs(reached - cfg.loudness_lufs) <= 0.3:
                break
            tried.append((gain, reached))
            gain += (cfg.loudness_lufs - reached) / _limited_slope(tried)
        return final, {"measured_input_lufs": lufs, "gain_db": round(gain, 2), "silent": silent}


# While the limiter works, each dB of gain adds only about 0.6 dB of loudness (0.54-0.67 on
# the demo's three voices): stepping by that slope reaches the target in two passes where
# plain steps took three.
LIMITED_SLOPE = 0.6


def _limited_slope(tried: list[tuple[float, float]]) -> float:
    """Loudness gained per dB of gain near the last try: the secant of the last two tries,
    or LIMITED_SLOPE after the first."""
    if len(tried) >= 2:
        (g1, r1), (g2, r2) = tried[-2:]
        if abs(g2 - g1) > 1e-6 and r2 != r1:
            return max(0.2, min(1.0, (r2 - r1) / (g2 - g1)))
    return LIMITED_SLOPE


class Sample(Render):
    """render of a short excerpt of every version into outputs/_samples/ (CI, previews)."""

    name = "sample"

    def deliverable(self, ws: Workspace, task: Task, profile: str) -> Path:
        assert task.lang
        return ws.out / "_samples" / deliverable_name(task.video, task.lang, profile)

    def length(self, ws: Workspace, probe: media.Probe) -> float | None:
        return min(ws.sample_seconds, probe.duration)

    def params(self, ws: Workspace, task: Task) -> dict[str, Any]:
        return dict(super().params(ws, task), sample_seconds=ws.sample_seconds)

    def outputs(self, ws: Workspace, task: Task) -> list[Path]:
        return [self.deliverable(ws, task, p) for p in ws.config.render.profiles]
