"""Pure builders of ffmpeg argv lists for the render (golden-tested without running ffmpeg).

Files referenced inside a graph (ASS scripts, the fonts folder) have fixed ASCII names in the
folder the command runs in, so only numbers ever enter a graph: nothing to escape.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cover:
    """An opaque band drawn over the picture (x, y, w, h in the output's pixels) while any
    of its windows (seconds) lasts: burned-in source subtitles under a version's own."""

    x: int
    y: int
    w: int
    h: int
    windows: tuple[tuple[float, float], ...]
    color: str = "0x101010"


@dataclass(frozen=True)
class OutputSpec:
    name: str  # profile name
    width: int
    height: int
    fit: str  # pad | crop
    audio: bool
    ass_file: str | None  # fixed relative name in the work folder; None: no subtitles
    target: str  # output URL (file:...)
    fps: str | None = None  # output frame rate ("25", "30000/1001"); None: the source's
    gop: int | None = None  # closed GOP in frames; None: half the frame rate
    max_kbps: int | None = None  # bitrate cap (maxrate, 2 s buffer); None: CRF alone
    covers: tuple[Cover, ...] = ()  # drawn before the subtitles
    # a chunk (video_args' `seek`): this output's frames from start to before end (seconds of
    # the source, None: to its end), their timestamps from 0 once burned
    span: tuple[float, float | None] | None = None
    # captions on screen (pipeline/onscreen/captions_graph.py): filter steps filling their
    # boxes (numbers only), then an ASS script of their translations (a fixed relative name)
    fills: tuple[str, ...] = ()
    captions_ass: str | None = None


@dataclass(frozen=True)
class Track:
    """One language of a master file: its sound and its subtitles."""

    language: str  # ISO 639-2, as MP4 stores it
    sound: str  # URL of a file whose first audio stream is the language's finished mix
    subtitles: str  # URL of an SRT file


def duck_expression(windows: list[tuple[float, float]], duck_db: float, ramp: float = 0.15) -> str:
    """A `volume` expression: 1 outside the windows, duck_db inside, linear ramps of `ramp` s."""
    if not windows:
        return "1"
    g = 10 ** (duck_db / 20)
    parts = [f"clip(min((t-{a - ramp:.3f})/{ramp},({b + ramp:.3f}-t)/{ramp}),0,1)" for a, b in windows]
    inside = parts[0]
    for p in parts[1:]:
        inside = f"max({inside},{p})"
    return f"1-{1 - g:.6f}*{inside}"


def merge_windows(windows: list[tuple[float, float]], join_gap: float = 0.6) -> list[tuple[float, float]]:
    """Join windows closer than join_gap, so the original audio does not pump between lines."""
    merged: list[tuple[float, float]] = []
    for a, b in sorted(windows):
        if merged and a - merged[-1][1] < join_gap:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def mix_args(source: str | None, narration: str, duration: float, mode: str,
             windows: list[tuple[float, float]], duck_db: float, target: str,
             music: str | None = None, music_db: float = -12.0) -> list[str]:
    """Mix the original audio (ducked, muted or as is) with the narration, 48 kHz stereo float.
    In replace mode with a music bed, the looped bed takes the original's place, at music_db
    and ducked under the host like the original in voiceover mode. The mix's loudness is
    measured on the way (ebur128's summary at info level; the samples pass unchanged)."""
    fmt = "aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo"
    args: list[str] = ["-v", "info"]
    if mode == "replace" and music is not None:
        args += ["-stream_loop", "-1", "-i", music]
        source = music
    elif source is not None:
        args += ["-i", source]
    else:
        args += ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo"]
    args += ["-i", narration]
    src_in = "[0:a:0]" if source is not None else "[0:a]"
    if mode == "voiceover":
        orig = f"{fmt},volume=volume='{duck_expression(merge_windows(windows), duck_db)}':eval=frame"
    elif mode == "replace" and music is not None:
        orig = (f"{fmt},volume={music_db}dB,"
                f"volume=volume='{duck_expression(merge_windows(windows), duck_db)}':eval=frame")
    elif mode == "replace":
        orig = f"{fmt},volume=0"
    else:
        orig = fmt
    graph = (f"{src_in}{orig},apad,atrim=0:{duration:.3f}[orig];"
             f"[1:a:0]{fmt},apad,atrim=0:{duration:.3f}[narr];"
             f"[orig][narr]amix=inputs=2:normalize=0:duration=first,ebur128=framelog=verbose[mix]")
    return args + ["-filter_complex", graph, "-map", "[mix]", "-c:a", "pcm_f32le",
                   "-f", "wav", target]


def normalize_args(mix: str, gain_db: float, peak_db: float, output: list[str]) -> list[str]:
    """A linear gain to the loudness target, then a look-ahead peak limiter at peak_db:
    unlike dynamic loudnorm, it keeps the mix's shape (the ducking depth) intact. The
    loudness reached is measured in the same pass (ebur128's summary, logged at info level;
    its per-frame lines only at verbose). `output`: wav_output or aac_output."""
    limit = 10 ** (peak_db / 20)
    chain = (f"volume={gain_db:.2f}dB,alimiter=limit={limit:.4f}:attack=5:release=50:level=0,"
             "ebur128=framelog=verbose,aresample=48000,aformat=sample_fmts=s16:channel_layouts=stereo")
    return ["-v", "info", "-guess_layout_max", "2", "-i", mix, "-af", chain, *output]


def wav_output(target: str) -> list[str]:
    return ["-c:a", "pcm_s16le", "-f", "wav", target]


def aac_output(target: str) -> list[str]:
    """The deliverable's sound: AAC-LC 192 kb/s at 48 kHz (ffmpeg's native coder)."""
    return ["-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-f", "mp4", target]


def _fit(o: OutputSpec, src: str, dst: str, i: int) -> str:
    """Graph fragment from label src to label dst: the picture fitted into the frame."""
    w, h = o.width, o.height
    if o.fit == "crop":
        return f"{src}scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},setsar=1{dst}"
    if o.fit == "blur":  # the picture over a blurred, zoomed copy of itself instead of bars
        return (f"{src}split=2[bg{i}][fg{i}];"
                f"[bg{i}]scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},"
                f"boxblur=20:4[bgb{i}];"
                f"[fg{i}]scale={w}:{h}:force_original_aspect_ratio=decrease:force_divisible_by=2[fgs{i}];"
                f"[bgb{i}][fgs{i}]overlay=(W-w)/2:(H-h)/2,setsar=1{dst}")
    return (f"{src}scale={w}:{h}:force_original_aspect_ratio=decrease,"
            f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1{dst}")


def _cover(c: Cover) -> str:
    when = "+".join(f"between(t,{a:.3f},{b:.3f})" for a, b in c.windows)
    return (f"drawbox=x={c.x}:y={c.y}:w={c.w}:h={c.h}:color={c.color}@1:t=fill:"
            f"enable='{when}'")


def _burn(o: OutputSpec, fonts: str) -> str:
    steps = list(o.fills)
    steps += [_cover(c) for c in o.covers if c.windows and c.w > 0 and c.h > 0]
    if o.captions_ass is not None:
        steps.append(f"ass=filename={o.captions_ass}{fonts}:shaping=complex")
    if o.ass_file is not None:
        steps.append(f"ass=filename={o.ass_file}{fonts}:shaping=complex")
    return ",".join(steps) or "null"


def _span(o: OutputSpec) -> tuple[str, str]:
    """What a chunk's output takes before its burn (its own frames) and after it (timestamps
    from 0): the burn sees the source's times, so a chunk's subtitles fall where a whole
    file's do."""
    if o.span is None:
        return "", ""
    start, end = o.span
    bounds = ([f"start={start:.6f}"] if start > 0 else []) + ([f"end={end:.6f}"] if end is not None else [])
    return (f"trim={':'.join(bounds)}," if bounds else ""), ",setpts=PTS-STARTPTS"


def still_picture(duration: float, fps: float = 25.0) -> list[str]:
    """Input args of a black picture, for sources that are sound only (a podcast, a talk)."""
    return ["-f", "lavfi", "-i", f"color=c=black:s=1280x720:r={fps:g}:d={duration:.3f}"]


def video_args(source: str | list[str], outputs: list[OutputSpec], *, fps: float, crf: int,
               preset: str, fonts_dir: str | None, limit: float | None = None,
               seek: float | None = None, to_key: bool = False) -> list[str]:
    """One decode of the source, split into every output: fit, burn subtitles, encode the
    picture (the audio is made meanwhile and muxed in after: see mux_args). With `seek` (a
    chunk of the source; 0: its first), the source's own timestamps are kept (from the start
    of the file) and the decode starts at `seek` seconds (to_key: at the key frame at or
    before it, every frame from there into the graph); each output's `span` cuts its frames."""
    # outputs of one frame (size and fit: a profile, across languages) share the fitting;
    # only the subtitle burn differs between them
    frames: dict[tuple[int, int, str, str | None], list[int]] = {}
    for i, o in enumerate(outputs):
        frames.setdefault((o.width, o.height, o.fit, o.fps), []).append(i)
    graph = []
    labels = [f"[v{j}]" for j in range(len(frames))]
    if len(frames) == 1:
        graph.append(f"[0:v:0]null{labels[0]}")
    else:
        graph.append(f"[0:v:0]split={len(frames)}{''.join(labels)}")
    fonts = f":fontsdir={fonts_dir}" if fonts_dir else ""
    for j, members in enumerate(frames.values()):
        graph.append(_fit(outputs[members[0]], labels[j], f"[f{j}]", j))
        rate = outputs[members[0]].fps
        pixels = f"fps={rate},format=yuv420p" if rate else "format=yuv420p"
        if len(members) == 1:
            i = members[0]
            head, tail = _span(outputs[i])
            graph.append(f"[f{j}]{pixels},{head}{_burn(outputs[i], fonts)}{tail}[o{i}]")
            continue
        graph.append(f"[f{j}]{pixels},split={len(members)}"
                     + "".join(f"[b{i}]" for i in members))
        for i in members:
            head, tail = _span(outputs[i])
            graph.append(f"[b{i}]{head}{_burn(outputs[i], fonts)}{tail}[o{i}]")
    trim = ["-t", f"{limit:.3f}"] if limit else []
    # a chunk: the source's timestamps kept (from the file's start), the decode from seek
    chunk = [] if seek is None else (["-copyts", "-start_at_zero"]
                                     + (["-noaccurate_seek"] if to_key and seek > 0 else [])
                                     + (["-ss", f"{seek:.6f}"] if seek > 0 else []))
    inputs = ["-i", source] if isinstance(source, str) else source
    args = ["-v", "error", *trim, *chunk, *inputs, "-filter_complex", ";".join(graph)]
    for i, o in enumerate(outputs):
        gop = o.gop if o.gop is not None else max(1, round(fps / 2))
        cap = ["-maxrate", f"{o.max_kbps}k", "-bufsize", f"{2 * o.max_kbps}k"] if o.max_kbps else []
        args += ["-map", f"[o{i}]", "-an", "-c:v", "libx264", "-profile:v", "high",
                 "-pix_fmt", "yuv420p", "-preset", preset, "-crf", str(crf), *cap, "-g", str(gop),
                 "-flags", "+cgop", "-map_metadata", "-1", "-f", "mp4", o.target]
    return args


def aac_args(wav: str, target: str) -> list[str]:
    return ["-v", "error", "-i", wav, *aac_output(target)]


def master_args(picture: str, tracks: list[Track], target: str) -> list[str]:
    """A picture with every language's sound and soft subtitles, all copied but the text
    (SRT to mov_text); the first language's tracks are the default ones."""
    args = ["-v", "error", "-i", picture]
    for t in tracks:
        args += ["-i", t.sound]
    for t in tracks:
        args += ["-i", t.subtitles]
    args += ["-map", "0:v:0"]
    args += [a for i in range(len(tracks)) for a in ("-map", f"{1 + i}:a:0")]
    args += [a for i in range(len(tracks)) for a in ("-map", f"{1 + len(tracks) + i}:s:0")]
    args += ["-c:v", "copy", "-c:a", "copy", "-c:s", "mov_text", "-map_metadata", "-1"]
    for i, t in enumerate(tracks):
        default = "default" if i == 0 else "0"
        args += [f"-metadata:s:a:{i}", f"language={t.language}", f"-disposition:a:{i}", default,
                 f"-metadata:s:s:{i}", f"language={t.language}", f"-disposition:s:{i}", "0"]
    return args + ["-movflags", "+faststart", "-f", "mp4", target]


def mux_args(video: str, audio: str | None, target: str, *, chunks: bool = False) -> list[str]:
    """The deliverable: picture and sound copied into one MP4 with the index up front
    (chunks: `video` is a concat demuxer's list of the picture's chunks, joined as they are)."""
    args = ["-v", "error", *(["-f", "concat"] if chunks else []), "-i", video]
    if audio is not None:
        args += ["-i", audio, "-map", "0:v:0", "-map", "1:a:0"]
    else:
        args += ["-map", "0:v:0"]
    return args + ["-c", "copy", "-movflags", "+faststart", "-map_metadata", "-1",
                   "-f", "mp4", target]
