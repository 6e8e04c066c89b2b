"""render: every profile of every language of a video from one decode of its source: the
picture fitted and the subtitles burned per output, each version's sound made meanwhile
(pipeline.av.mixing), then each deliverable muxed without re-encoding."""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline.av import chunks
from pipeline.av import filtergraph as fg
from pipeline.av import media
from pipeline import records, subtitles as subs
from pipeline.cache import TaskState, atomic_path, canonical_hash, sha256_file, write_text_atomic
from pipeline.config import Config
from pipeline.av.fonts import check_coverage, text_width
from pipeline.language.tags import lookup, same_language
from pipeline.av.mixing import SoundInputs, SoundSpec, make_sound
from pipeline.errors import PipelineError
from pipeline.narration.record import TimingRecord
from pipeline.onscreen import captions_graph, cover, readback
from pipeline.onscreen.captions import Caption, foreign_captions, load_captions
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
    """One deliverable frame with its delivery settings, resolved from the config (a preset
    merged in, defaults filled): each profile is fingerprinted on its own."""

    name: str
    width: int
    height: int
    fit: str
    audio: bool
    text_scale: float
    safe_bottom: float | None
    safe_sides: float | None = None
    loudness_lufs: float = -14.0
    true_peak_db: float = -1.0
    fps: float | None = None  # None: the source's
    gop_s: float = 0.5
    max_kbps: int | None = None
    burn: bool = True  # False: a clean picture
    min_text_px: int | None = None


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
    chunk_s: float = 0.0  # the picture encoded in windows of this many seconds (0: whole)
    onscreen: str = "keep"  # replace | label | keep: captions on screen (<lang>/captions.srt)


def profiles_of(config: Config) -> tuple[Profile, ...]:
    r = config.render
    return tuple(Profile(name, p.width, p.height, p.fit, p.audio, p.text_scale, p.safe_bottom,
                         p.safe_sides,
                         p.loudness_lufs if p.loudness_lufs is not None else r.loudness_lufs,
                         p.true_peak_db if p.true_peak_db is not None else r.true_peak_db,
                         p.fps, p.gop_s, p.max_kbps, p.subtitles == "burned", p.min_text_px)
                 for name, p in r.profiles.items())


# libass sizes a font by its whole line (ascender to descender): Noto Sans capitals came out
# 25 px high at size 48 here (CJK characters' bodies are taller), so a minimum capital height
# of N px needs a size of N / 0.52
CAPITAL_SHARE = 0.52


def ass_style(p: RenderParams, profile: Profile) -> subs.AssStyle:
    short = min(profile.width, profile.height)
    size = max(8, round(p.size * short * profile.text_scale))
    if profile.min_text_px:
        size = max(size, math.ceil(profile.min_text_px / CAPITAL_SHARE))
    vertical = profile.height > profile.width
    # vertical feeds put app buttons over the bottom fifth: keep text above it
    safe = profile.safe_bottom if profile.safe_bottom is not None else (0.22 if vertical else 0.06)
    margin = round(profile.height * safe)
    return subs.AssStyle(profile.width, profile.height, p.font, size, margin,
                         outline_px=max(1.0, size * 0.08), shadow_px=max(0.0, size * 0.03),
                         margin_sides=profile.safe_sides)


def fit_to_frame(cues: list[subs.Cue], style: subs.AssStyle, max_lines: int,
                 width_of: Callable[[str], float | None]) -> tuple[list[subs.Cue], list[int]]:
    """Cues re-wrapped to the frame's width between the side margins at the style's size
    (screens' large captions: libass would wrap them itself, into as many lines as it takes),
    and the numbers of the cues that still need more than max_lines."""
    room = style.width * (1 - 2 * (0.05 if style.margin_sides is None else style.margin_sides))
    fitted, over = [], []
    for n, cue in enumerate(cues, start=1):
        flat = " ".join(cue.text.split())
        spaced = " " in flat
        tokens = flat.split(" ") if spaced else list(flat)
        lines: list[str] = []
        for token in tokens:
            candidate = (lines[-1] + (" " if spaced else "") + token) if lines else token
            if lines and (width_of(candidate) or 0) > room:
                lines.append(token)
            elif lines:
                lines[-1] = candidate
            else:
                lines.append(token)
        if len(lines) > max_lines:
            over.append(n)
        fitted.append(subs.Cue(cue.start, cue.end, "\n".join(lines)))
    return fitted, over


def sound_of(p: RenderParams, profile: Profile) -> SoundSpec:
    """The profile's sound: the version's mix at the profile's loudness and true peak."""
    return replace(p.sound, loudness_lufs=profile.loudness_lufs,
                   true_peak_db=profile.true_peak_db)


def rate_text(fps: float) -> str:
    """An ffmpeg frame rate: the NTSC rates as fractions (29.97 is 30000/1001)."""
    for nominal in (24, 30, 60):
        if abs(fps - nominal * 1000 / 1001) < 0.01:
            return f"{nominal * 1000}/1001"
    return f"{fps:g}"


def profile_fingerprints(version: int, job: Job[RenderParams]) -> dict[str, str]:
    """Each profile's own fingerprint: the version's inputs and the settings every profile
    shares, with that profile's settings alone (adding a profile leaves the others' as they
    were, so only the new one is encoded)."""
    p = job.params
    shared = replace(p, profiles=(), master_picture=None,
                     sound=replace(p.sound, loudness_lufs=0.0, true_peak_db=0.0))
    return {profile.name: canonical_hash([version, job.digests, shared, profile])
            for profile in p.profiles}


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
class _Planned:
    """One picture a render makes (a version's profile, or the master's clean picture): its
    output without a window, what it burns, its frame rate, and its chunks in window order
    (`_encode` fills them in, counting those it encoded)."""

    name: str  # l{version}p{profile}, or clean
    spec: fg.OutputSpec
    style: subs.AssStyle | None
    cues: list[subs.Cue] | None  # burned subtitles, fitted to the frame; None: none burned
    rate: Fraction
    cached: bool = True  # False: the master's clean picture, kept whole (pictures.py)
    pieces: list[Path] = field(default_factory=list)
    encoded: int = 0


@dataclass
class _Version:
    """One (video, language) ready to render: the profiles to encode, and the measurements of
    those whose deliverable is kept (its fingerprint and file as recorded)."""

    job: Job[RenderParams]
    cues: list[subs.Cue]
    windows: tuple[tuple[float, float], ...]
    mode: str
    fingerprints: dict[str, str]
    kept: dict[str, dict[str, Any]]
    source: cover.SourceText  # the source's burned-in subtitles: covered, avoided, or kept
    onscreen: Onscreen | None
    captions: list[Caption]  # the captions on screen and their translations
    # cues that need more lines than the rules allow at a profile's minimum caption height
    overflow: dict[str, list[int]] = field(default_factory=dict)

    @property
    def todo(self) -> list[tuple[int, Profile]]:
        return [(i, pr) for i, pr in enumerate(self.job.params.profiles)
                if pr.name not in self.kept]


class Render(Stage[RenderParams]):
    name = "render"
    version = 10  # 2: glyphs; 3: limiter; 4: music, scripts; 5: parallel sound; 6: 1 dB; 7: stills;
    # 8: script subtitles may lead in, loudness steps by the limiter's slope; 9: the source's
    # burned-in subtitles covered (or avoided), the source language's not burned twice;
    # 10: the picture encoded in chunks (chunks.py), an edit encodes the ones it touches;
    # captions on screen replaced or labelled (render.onscreen)
    shared_per_video = True  # every language of a video from one decode

    def params(self, ws: Workspace, task: Task) -> RenderParams:
        assert task.lang
        c = ws.config
        s, n, r = c.subtitles, c.narration, c.render
        fonts_dir = ws.paths.assets("fonts")
        fonts = tuple((f.name, ws.hashes.sha256(f)) for f in sorted(fonts_dir.iterdir())
                      if f.is_file()) if fonts_dir.is_dir() else ()
        font = lookup(s.fonts, task.lang) or s.font
        source = ws.source_language(task.video) or ""
        own = bool(source) and same_language(source, task.lang)
        return RenderParams(profiles_of(c), r.crf, r.preset,
                            SoundSpec(n.mode, n.duck_db, n.music_db, r.loudness_lufs, r.true_peak_db),
                            font, s.size, RuleBook.from_config(s).for_lang(task.lang), fonts,
                            master_picture(c), source_subtitles=r.source_subtitles,
                            own_language=own, readback=c.scan.engine, chunk_s=r.chunk_s,
                            onscreen=r.onscreen)

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
        if p.captions_srt(task.video, task.lang).is_file():  # captions' translations
            found["captions"] = p.captions_srt(task.video, task.lang)
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
        timing = records.load(TimingRecord, job.inputs["timing"])
        if timing is None:
            raise PipelineError(f"{job.inputs['timing']} is not a timing record narrate wrote; "
                                f"run `pipeline run --only narrate --video {job.task.video}` again")
        if timing.retimed and len(timing.lines) == len(cues):
            # a plain-text script: the subtitles follow the narration as it was produced
            cues = subs.fix_timing([subs.Cue(ln.start, ln.end, c.text)
                                    for ln, c in zip(timing.lines, cues)], p.rules)
        windows = tuple((ln.start / 1000, ln.end / 1000) for ln in timing.lines)
        mode = p.sound.mode if timing.narrated else "none"
        fingerprints = profile_fingerprints(self.version, job)
        kept = {} if ctx.force else self._kept(ctx, job, fingerprints)
        onscreen = load_onscreen(job.inputs.get("onscreen"))
        source = cover.plan(onscreen, cues, p.source_subtitles, p.own_language)
        captions: list[Caption] = []
        if "captions" in job.inputs and p.onscreen != "keep" and job.task.lang:
            captions = load_captions(job.inputs["captions"],
                                     foreign_captions(onscreen, job.task.lang))
            check_coverage([c.text for c in captions if c.translated], p.font,
                           [ctx.paths.assets("fonts")], str(job.inputs["captions"]))
        return _Version(job, cues, windows, mode, fingerprints, kept, source, onscreen, captions)

    def _kept(self, ctx: RunContext, job: Job[RenderParams],
              fingerprints: dict[str, str]) -> dict[str, dict[str, Any]]:
        """Profiles whose deliverable was made under the same profile fingerprint and is on
        disk as recorded: their measurements, kept without encoding them again."""
        state = TaskState.load(ctx.paths.state(job.task))
        if state is None:
            return {}
        before = state.extra.get("profiles") or {}
        measured = state.extra.get("deliverables") or {}
        kept = {}
        for name, fp in fingerprints.items():
            path = self.deliverable(ctx.paths, job.task, name)
            recorded = state.outputs.get(ctx.paths.rel(path))
            if (before.get(name) == fp and name in measured and recorded and path.is_file()
                    and sha256_file(path) == recorded):
                kept[name] = measured[name]
        return kept

    def _render(self, ctx: RunContext, versions: list[_Version]) -> dict[Task, Result | Exception]:
        """Every (version, profile) picture encoded window by window, only the windows not
        made before (`_encode`), while each version's sound is mixed on other threads; then
        each deliverable is joined from its windows and muxed with its sound, without
        re-encoding."""
        first = versions[0].job
        p = first.params
        source = first.inputs["source"]
        probe = media.read_probe(first.inputs["probe"])
        # every profile the same length: the part that decodes (a damaged source kept on
        # purpose, extract.damaged: keep), or the sample's excerpt
        usable = probe.usable_duration
        limit = usable if usable < probe.duration else None
        if p.seconds is not None:
            limit = min(p.seconds, usable)
        label = f"{first.task.video}/{','.join(v.job.task.lang or '' for v in versions)}"
        store = chunks.ChunkStore(ctx.paths.chunks(first.task.video) / self.name)
        results: dict[Task, Result | Exception] = {}
        with tempfile.TemporaryDirectory(prefix="render-") as tmp_name:
            tmp = Path(tmp_name)
            planned = []
            for a, version in enumerate(versions):
                for i, profile in version.todo:
                    style, covers = _placement(version, profile, probe)
                    cues = None
                    if profile.burn:
                        cues = list(version.source.cues)
                        if profile.min_text_px:
                            cues, over = fit_to_frame(cues, style, version.job.params.rules.max_lines,
                                                      self._width_of(ctx, style))
                            if over:
                                version.overflow[profile.name] = over
                    shown = self._captions(ctx, version, profile, style, probe)
                    captions_ass = None
                    if shown.ass is not None:
                        # named by its content: the name is in each chunk's key, so an edited
                        # caption makes new chunks
                        captions_ass = f"c-{canonical_hash(shown.ass)[:16]}.ass"
                        (tmp / captions_ass).write_text(shown.ass, encoding="utf-8")
                    rate = profile.fps or probe.fps
                    planned.append(_Planned(f"l{a}p{i}", fg.OutputSpec(
                        profile.name, profile.width, profile.height, profile.fit, profile.audio,
                        None, "", fps=rate_text(profile.fps) if profile.fps else None,
                        gop=max(1, round(rate * profile.gop_s)), max_kbps=profile.max_kbps,
                        covers=covers if profile.burn else (), fills=shown.steps,
                        captions_ass=captions_ass), style, cues, Fraction(rate_text(rate))))
            clean = self._clean_picture(ctx, first)
            if clean:
                planned.append(_Planned("clean", fg.OutputSpec(
                    "master", clean[1].width, clean[1].height, clean[1].fit, True, None, ""),
                    None, None, Fraction(rate_text(probe.fps)), cached=False))
            if p.fonts:
                os.symlink(ctx.paths.assets("fonts"), tmp / "fonts")
            # one mix per version and loudness target (profiles with the same target share it)
            specs = [{sound_of(v.job.params, pr): None for _, pr in v.todo if pr.audio}
                     for v in versions]
            with ThreadPoolExecutor(max_workers=max(1, len(versions))) as pool:
                sounds = [{spec: pool.submit(make_sound, replace(spec, mode=v.mode),
                                             SoundInputs(source if probe.has_audio else None,
                                                         v.job.inputs["narration"],
                                                         v.job.inputs.get("music"), v.windows,
                                                         limit or probe.duration),
                                             tmp / (f"l{a}" if k == 0 else f"l{a}s{k}"))
                           for k, spec in enumerate(specs[a])}
                          for a, v in enumerate(versions)]
                if planned:
                    self._encode(ctx, first, probe, planned, limit, store, tmp, label)
                by_name = {pl.name: pl for pl in planned}
                if clean:
                    joined = tmp / "clean.mp4"
                    listing = chunks.concat_list(by_name["clean"].pieces, tmp, "clean")
                    media.run_ffmpeg(fg.mux_args(media.file_url(listing), None,
                                                 media.file_url(joined), chunks=True),
                                     what=f"join {first.task.video} clean picture", cwd=tmp)
                    keep_clean_picture(clean[0], joined)
                for a, version in enumerate(versions):
                    try:
                        made = {spec: f.result() for spec, f in sounds[a].items()}
                        results[version.job.task] = self._deliver(ctx, version, tmp, a, made,
                                                                  by_name, store)
                    except Exception as e:
                        results[version.job.task] = e
        store.prune()
        return results

    def _encode(self, ctx: RunContext, job: Job[RenderParams], probe: media.Probe,
                planned: list[_Planned], limit: float | None, store: chunks.ChunkStore,
                tmp: Path, label: str) -> None:
        """Each planned picture's chunks (its `pieces`, window by window): those in the store
        are reused, the others encoded, each window's from one decode of the source; windows
        side by side as far as the run's threads and the memory of the encoders allow (two on
        two cores: one encode leaves part of the second core idle at each window's start and
        end)."""
        p = job.params
        rate = Fraction(rate_text(probe.fps))
        windows = chunks.chunk_windows(limit or probe.duration, rate,
                                       p.chunk_s if probe.has_video else 0.0)
        encoder = {"source": job.digests["source"], "ffmpeg": media.ffmpeg_version(),
                   "crf": p.crf, "preset": p.preset, "fps": probe.fps, "fonts": p.fonts,
                   "render": self.version}
        work: dict[int, list[fg.OutputSpec]] = {}
        scheduled: set[Path] = set()
        for pl in planned:
            for w in windows:
                span = w.span(pl.rate, limit)
                shown = chunks.cues_in(pl.cues, span) if pl.cues else []
                ass = subs.ass_text(shown, pl.style) if shown and pl.style else ""
                spec = replace(pl.spec, span=span, covers=chunks.covers_in(pl.spec.covers, span))
                seek = w.seek(pl.spec.fps is not None)
                target = (store.path(chunks.chunk_key(spec, ass, seek, encoder)) if pl.cached
                          else tmp / f"{pl.name}w{w.index}.mp4")
                pl.pieces.append(target)
                if target in scheduled or (pl.cached and not ctx.force and target.is_file()):
                    continue  # made before, or by another output of this run
                scheduled.add(target)
                pl.encoded += 1
                if ass:
                    name = f"{pl.name}w{w.index}.ass"
                    (tmp / name).write_text(ass, encoding="utf-8")
                    spec = replace(spec, ass_file=name)
                work.setdefault(w.index, []).append(replace(spec, target=str(target)))
        picture = media.file_url(job.inputs["source"]) if probe.has_video \
            else fg.still_picture(probe.usable_duration)
        pixels = sum(pl.spec.width * pl.spec.height for pl in planned)
        at_once = max(1, min(ctx.threads, MAX_PIXELS_PER_DECODE // max(1, pixels), len(work)))

        def encode(index: int) -> None:
            # from the window's start, or a margin before it when an output converts the
            # frame rate (the frames each output keeps are the same either way)
            margin = any(o.fps is not None for o in work[index])
            with contextlib.ExitStack() as stack:
                outputs = [replace(o, target=media.file_url(stack.enter_context(
                    atomic_path(Path(o.target))))) for o in work[index]]
                media.run_ffmpeg(fg.video_args(picture, outputs, fps=probe.fps, crf=p.crf,
                                               preset=p.preset,
                                               fonts_dir="fonts" if p.fonts else None,
                                               seek=windows[index].seek(margin),
                                               to_key=not margin),
                                 what=f"render {label} (chunk {index + 1} of {len(windows)})",
                                 cwd=tmp)

        with ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="render-chunk") as pool:
            list(pool.map(encode, sorted(work)))

    @staticmethod
    def _captions(ctx: RunContext, version: _Version, profile: Profile, style: subs.AssStyle,
                  probe: media.Probe) -> captions_graph.CaptionPieces:
        """The captions on screen in this frame (render.onscreen): fills and translations."""
        p, onscreen = version.job.params, version.onscreen
        if not profile.burn or not version.captions or onscreen is None:
            return captions_graph.CaptionPieces((), None)
        fonts = [ctx.paths.assets("fonts")]
        return captions_graph.pieces(
            version.captions, (onscreen.width or probe.width, onscreen.height or probe.height),
            cover.Frame(profile.width, profile.height, profile.fit), p.onscreen, p.font,
            style.size_px, lambda text, size: text_width(text, p.font, size, fonts))

    @staticmethod
    def _width_of(ctx: RunContext, style: subs.AssStyle) -> Callable[[str], float | None]:
        fonts = [ctx.paths.assets("fonts")]
        return lambda text: text_width(text, style.font, style.size_px, fonts)

    def _clean_picture(self, ctx: RunContext, job: Job[RenderParams]) -> tuple[Path, Picture] | None:
        """The master's picture as one more output of this decode, when a master is
        configured and its picture is not kept yet (the master task then only muxes)."""
        picture = job.params.master_picture
        if picture is None or job.params.seconds is not None:
            return None  # a sample
        target = clean_picture_path(ctx.paths, job.task.video, job.digests["source"], picture)
        return None if target.is_file() else (target, picture)

    def _deliver(self, ctx: RunContext, version: _Version, tmp: Path, a: int,
                 sounds: dict[SoundSpec, tuple[Path, dict[str, Any]]],
                 pictures: dict[str, _Planned], store: chunks.ChunkStore) -> Result:
        """A version's deliverables (its pictures joined from their chunks and muxed with each
        profile's sound), the kept ones' measurements, and its sidecars."""
        task, p = version.job.task, version.job.params
        assert task.lang
        measured = dict(version.kept)
        made: dict[str, dict[str, int]] = {}
        for i, profile in version.todo:
            aac, loud = sounds[sound_of(p, profile)] if profile.audio else (None, None)
            target_path = self.deliverable(ctx.paths, task, profile.name)
            picture = pictures[f"l{a}p{i}"]
            listing = chunks.concat_list(picture.pieces, tmp, picture.name)
            with atomic_path(target_path) as target:
                media.run_ffmpeg(fg.mux_args(media.file_url(listing),
                                             media.file_url(aac) if aac else None,
                                             media.file_url(target), chunks=True),
                                 what=f"mux {task.label}", cwd=tmp)
            store.record(f"{task.lang}.{profile.name}", picture.pieces)
            made[profile.name] = {"chunks": len(picture.pieces), "encoded": picture.encoded}
            measured[profile.name] = self._measure(target_path, loud)
        if p.seconds is None:
            write_text_atomic(ctx.paths.subtitles_vtt(task.video, task.lang),
                              subs.vtt_text(version.cues))
            write_text_atomic(ctx.paths.subtitles_ass(task.video, task.lang),
                              subs.ass_text(version.cues, ass_style(p, p.profiles[0])))
        result = Result()
        if p.seconds is None:
            readback = self._read_back(ctx, version)
            if readback:
                result.extra["readback"] = readback
        if sounds:
            result.extra["loudness"] = next(iter(sounds.values()))[1]
        result.extra["deliverables"] = {pr.name: measured[pr.name] for pr in p.profiles}
        result.extra["profiles"] = version.fingerprints
        for name, numbers in version.overflow.items():
            measured[name]["caption_overflow"] = numbers  # kept with the file's measurements
            result.warnings.append(
                f"{name}: subtitle(s) {', '.join(map(str, numbers))} need more than "
                f"{p.rules.max_lines} lines at the profile's minimum caption height; "
                "shorten them")
        encoded = [pr.name for _, pr in version.todo]
        notes = []
        if len(encoded) < len(p.profiles):
            notes.append(f"{len(encoded)} of {len(p.profiles)} profile(s) encoded"
                         + (f" ({', '.join(encoded)})" if encoded else ""))
        if made:  # what an edit cost: the chunks it touched
            result.extra["chunks"] = made
            notes.append(f"{sum(m['encoded'] for m in made.values())} of "
                         f"{sum(m['chunks'] for m in made.values())} chunk(s) encoded")
        result.note = "; ".join(notes)
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
                                   list(version.source.cues), version.job.task.lang or "")
        return {"profile": profile.name, "frames": len(frames), "findings": found}

    @staticmethod
    def _measure(path: Path, loudness: dict[str, Any] | None) -> dict[str, Any]:
        info = media.probe(path)
        found: dict[str, Any] = {"duration": round(info.duration, 3),
                                 "width": info.width, "height": info.height}
        if loudness:
            found.update({k: loudness[k] for k in ("integrated_lufs", "true_peak_dbtp",
                                                   "max_short_term_lufs") if k in loudness})
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
