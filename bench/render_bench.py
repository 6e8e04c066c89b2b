"""Render cost on one 60 s 720p clip, every contender in one run:

- floor: a bare re-encode with the same settings (H.264 High, same preset and CRF, closed
  GOP, AAC 192k 48 kHz, faststart): what any tool must at least spend;
- the pipeline's render of one version (mix, ducking, loudness, subtitle burn, encode, mux),
  through the CLI as a user runs it;
- MoviePy burning the same subtitles (TextClip per event composited in Python, same encoder
  settings, the source's sound copied as is: less work than ours);
- N versions (en, pt, zh) together in one process (one decode) against N separate renders.

Run by hand: `make bench-render` (or `.venv/bin/python bench/render_bench.py`). It needs the
`bench` extra (MoviePy). The clip, config and outputs live in a scratch folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pysubs2
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("RENDER_BENCH_DIR", "/tmp/render-bench"))
LANGS = ["en", "pt", "zh"]
WIDTH, HEIGHT, CRF, PRESET = 1280, 720, 23, "veryfast"
FONT = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"


def timed(cmd: list[str], runs: int = 3) -> float:
    """Best wall time of `runs` runs (the least disturbed by the rest of the machine)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=WORK)
        best = min(best, time.perf_counter() - start)
    return best


def prepare(run: bool = True) -> Path:
    """A 60 s 720p clip (the demo's talk, looped) and a project that has run up to render
    (`run=False`: the project only)."""
    WORK.mkdir(parents=True, exist_ok=True)
    samples = ROOT / "assets" / "samples"
    if not (samples / "jinan_intro.mp4").exists():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "cached_demo_media.py"), str(samples)],
                       check=True)
    clip = WORK / "media" / "clip60.mp4"
    if not clip.exists():
        clip.parent.mkdir(exist_ok=True)
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", "1",
                        "-i", str(samples / "jinan_intro.mp4"), "-t", "60", "-c:v", "libx264",
                        "-preset", "fast", "-crf", "18", "-c:a", "aac", str(clip)], check=True)
    config = yaml.safe_load((ROOT / "pipeline.yaml").read_text(encoding="utf-8"))
    config.update(inputs=["media/*.mp4"], languages=LANGS)
    # zh comes from the demo's human translation, repeated with the picture
    talk = pysubs2.load(str(ROOT / "assets" / "translations" / "jinan_intro.zh.srt"))
    length = int(1000 * float(subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
         str(samples / "jinan_intro.mp4")], check=True, capture_output=True, text=True).stdout))
    looped = pysubs2.SSAFile()
    for shift in (0, length):
        for ev in talk:
            if ev.end + shift <= 60000:
                looped.append(pysubs2.SSAEvent(start=ev.start + shift, end=ev.end + shift,
                                               text=ev.text))
    (WORK / "translations").mkdir(exist_ok=True)
    looped.save(str(WORK / "translations" / "clip60.zh.srt"))
    config["translate"] = dict(config["translate"], glossary=str(ROOT / "assets" / "glossary.csv"),
                               provided="translations/{video}.{lang}.srt")
    config["render"] = {"profiles": {"landscape": {"width": WIDTH, "height": HEIGHT}},
                        "crf": CRF, "preset": PRESET, "loudness_lufs": -14}
    config["executor"] = {"jobs": 1}
    (WORK / "pipeline.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    if run:
        subprocess.run(pipeline("run"), check=True, capture_output=True, cwd=WORK)
    return clip


def pipeline(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", *args, "-c", str(WORK / "pipeline.yaml")]


def floor_cmd(clip: Path) -> list[str]:
    """A bare re-encode of the clip with the render's settings."""
    return ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(clip),
            "-vf", f"scale={WIDTH}:{HEIGHT}", "-c:v", "libx264", "-profile:v", "high",
            "-pix_fmt", "yuv420p", "-preset", PRESET, "-crf", str(CRF), "-g", "12",
            "-flags", "+cgop", "-c:a", "aac", "-b:a", "192k", "-ar", "48000",
            "-movflags", "+faststart", str(WORK / "floor.mp4")]


def floor(clip: Path) -> float:
    return timed(floor_cmd(clip))


MOVIEPY = """
import sys
from moviepy import CompositeVideoClip, TextClip, VideoFileClip
from moviepy.video.tools.subtitles import SubtitlesClip
src, srt, out, font, preset, crf = sys.argv[1:7]
video = VideoFileClip(src)
make = lambda text: TextClip(font=font, text=text, font_size=32, color="white",
                             stroke_color="black", stroke_width=2, method="label")
subs = SubtitlesClip(srt, make_textclip=make, encoding="utf-8")
final = CompositeVideoClip([video, subs.with_position(("center", 0.8), relative=True)])
final.write_videofile(out, codec="libx264", preset=preset, audio_codec="aac",
                      audio_bitrate="192k", audio_fps=48000, fps=video.fps, logger=None,
                      ffmpeg_params=["-crf", crf, "-profile:v", "high", "-pix_fmt", "yuv420p",
                                     "-g", "12", "-flags", "+cgop", "-movflags", "+faststart"])
"""


def moviepy(clip: Path) -> float:
    srt = WORK / "outputs" / "clip60" / "pt" / "subtitles.srt"
    env = dict(os.environ, IMAGEIO_FFMPEG_EXE=shutil.which("ffmpeg") or "ffmpeg")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", MOVIEPY, str(clip), str(srt), str(WORK / "moviepy.mp4"),
                    FONT, PRESET, str(CRF)], check=True, capture_output=True, cwd=WORK, env=env)
    return time.perf_counter() - start


def main() -> None:
    clip = prepare()
    base = floor(clip)
    one = timed(pipeline("run", "--only", "render", "--force", "--lang", "pt"))
    together, separate = float("inf"), float("inf")
    for _ in range(3):  # interleaved rounds, so a busy spell of the machine hits both alike
        together = min(together, timed(pipeline("run", "--only", "render", "--force"), runs=1))
        separate = min(separate, sum(timed(pipeline("run", "--only", "render", "--force",
                                                    "--lang", lang), runs=1) for lang in LANGS))
    movie = moviepy(clip) if "--no-moviepy" not in sys.argv else float("nan")
    print(f"clip: 60 s {WIDTH}x{HEIGHT}, libx264 {PRESET} CRF {CRF}, {os.cpu_count()} cores")
    print("| what | seconds | ratio |")
    print("|---|---|---|")
    print(f"| floor: bare re-encode | {base:.1f} | 1.00x floor |")
    print(f"| pipeline, one version (pt) | {one:.1f} | {one / base:.2f}x floor |")
    print(f"| MoviePy burn-in (pt) | {movie:.1f} | {movie / base:.2f}x floor, "
          f"{movie / one:.1f}x the pipeline |")
    print(f"| pipeline, {len(LANGS)} versions in one process | {together:.1f} | "
          f"{together / separate:.2f}x separate |")
    print(f"| pipeline, {len(LANGS)} versions one by one | {separate:.1f} | 1.00x |")


if __name__ == "__main__":
    main()
