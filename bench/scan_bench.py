"""Scan cost (the text in the picture, issue 20) on two 60 s 720p clips made here:

- subtitled: moving gradients, a title top left all along, burned-in Chinese subtitles
  changing every ~3 s, a lower third for 4 s;
- textless: moving gradients under a moving cellular texture with grain, then a zoom.

Each is scanned as the scan stage does (one ffmpeg decode, skipping the pictures nothing is
predicted from, piped as grey frames at most 720 rows tall; the differencing in numpy on a
~180-row copy; the packaged RapidOCR on the bands that changed), three times; the best wall
time, and the CPU time of this process and of ffmpeg, are printed as a share of real time,
with the machine's load (the machine is shared: read the numbers with it). The decode floor
is printed twice: decoding every picture, and only those the scan decodes (no scan of the
clip can cost less CPU than the latter).

Run by hand: `.venv/bin/python bench/scan_bench.py` (scratch folder: SCAN_BENCH_DIR).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.av import media  # noqa: E402
from pipeline.engines.pool import EnginePool  # noqa: E402
from pipeline.onscreen.scan import scan_frames  # noqa: E402
from pipeline.stages.scan import frame_size, shown_size  # noqa: E402

WORK = Path(os.environ.get("SCAN_BENCH_DIR", "/tmp/scan-bench"))
SECONDS, W, H, FPS = 60, 1280, 720, 4.0
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
LINES = ["济南被称为泉城", "趵突泉的泉水从地下涌出", "登上千佛山可以俯瞰全城", "芙蓉街有很多济南小吃",
         "大明湖畔垂柳依依", "黑虎泉的泉水清澈见底", "百花洲的夜景十分迷人", "泉水人家世代相传"]


def _ffmpeg(args: list[str], cwd: Path) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True, cwd=cwd)


# ffmpeg 5.1's gradients source draws random colours whatever its seed: named, so every run
# scans the same picture
COLOURS = "nb_colors=3:c0=0x0b3d5c:c1=0x1f7a8c:c2=0x9fd3c7"

def make_subtitled(out: Path) -> None:
    draws = [f"drawtext=fontfile={FONT}:text='泉城济南':fontsize=48:x=48:y=40:fontcolor=white:"
             "shadowcolor=black@0.6:shadowx=2:shadowy=2",
             f"drawtext=fontfile={FONT}:text='趵突泉':fontsize=40:x=64:y=420:fontcolor=white:"
             "box=1:boxcolor=0x1f4e79@0.85:boxborderw=12:enable='between(t,10,14)'"]
    for i in range(SECONDS // 3):
        a, b = i * 3 + 0.2, i * 3 + 2.9
        draws.append(f"drawtext=fontfile={FONT}:text='{LINES[i % len(LINES)]}':fontsize=46:"
                     f"x=(w-tw)/2:y=h-th-50:fontcolor=white:borderw=3:bordercolor=black:"
                     f"enable='between(t,{a},{b})'")
    _ffmpeg(["-f", "lavfi", "-i", f"gradients=s={W}x{H}:r=25:d={SECONDS}:speed=0.01:seed=5:{COLOURS}",
             "-vf", ",".join(draws), "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
             "-pix_fmt", "yuv420p", str(out)], WORK)


def make_textless(out: Path) -> None:
    graph = (f"gradients=s={W}x{H}:r=25:d={SECONDS}:speed=0.02:seed=9:{COLOURS}[g];"
             f"cellauto=s={W}x{H}:r=25:rule=110:seed=9[c];"
             "[g][c]blend=all_mode=overlay:all_opacity=0.35:shortest=1,noise=alls=8:allf=t[a];"
             f"mandelbrot=s={W}x{H}:r=25[m];[a][m]blend=all_expr='if(gt(T,{SECONDS * 0.7}),B,A)'"
             ":shortest=1,format=yuv420p[v]")
    # grain is incompressible: at CRF 23 the file is 64 Mbit/s and decoding it alone costs
    # 0.6x real time; 5 Mbit/s is what a 720p film is delivered at
    _ffmpeg(["-filter_complex", graph, "-map", "[v]", "-t", str(SECONDS), "-c:v", "libx264",
             "-preset", "veryfast", "-b:v", "5M", "-maxrate", "5M", "-bufsize", "10M",
             str(out)], WORK)


def scan(path: Path, pool: EnginePool) -> tuple[float, float, float, int, int, int]:
    """(wall s, CPU s of this process, CPU s of ffmpeg, reads, samples, items)."""
    probe = media.probe(path)
    shown = shown_size(probe)
    width, height = frame_size(shown)
    reader = pool.reader("rapidocr")
    cpu0 = (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    start = time.perf_counter()
    report = scan_frames(media.gray_frames(path, width, height, FPS, skip_unreferenced=True),
                         FPS, reader, shown, round(probe.duration * 1000))
    wall = time.perf_counter() - start
    cpu1 = (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    own, ffmpeg = (b.ru_utime + b.ru_stime - a.ru_utime - a.ru_stime for a, b in zip(cpu0, cpu1))
    return wall, own, ffmpeg, report.reads, report.samples, len(report.onscreen.items)


def decode_floor(path: Path, skip: bool) -> float:
    """CPU seconds ffmpeg spends decoding the clip's picture alone (skip: the unreferenced
    pictures skipped, as the scan decodes), best of three."""
    return min(_decode(path, skip) for _ in range(3))


def _decode(path: Path, skip: bool) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", *(["-skip_frame", "noref"] if skip else []),
                    "-i", str(path), "-map", "0:v", "-f", "null", "-"], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> int:
    WORK.mkdir(parents=True, exist_ok=True)
    clips = {"subtitled": WORK / "subtitled.mp4", "textless": WORK / "textless.mp4"}
    for name, make in (("subtitled", make_subtitled), ("textless", make_textless)):
        if not clips[name].is_file():
            make(clips[name])
    pool = EnginePool()
    pool.reader("rapidocr").read(__import__("numpy").zeros((64, 64), "uint8"))  # loaded once
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for name, path in clips.items():
        runs = [scan(path, pool) for _ in range(3)]
        wall, own, ffmpeg, reads, samples, items = min(runs)
        cpu = own + ffmpeg
        whole, skipped = decode_floor(path, False), decode_floor(path, True)
        mbit = path.stat().st_size * 8 / SECONDS / 1e6
        print(f"{name:<10} {SECONDS} s {W}x{H} {mbit:.2f} Mbit/s: best wall {wall:.2f} s "
              f"({wall / SECONDS:.3f}x real time), CPU {cpu:.2f} s ({cpu / SECONDS:.3f}x: ffmpeg "
              f"{ffmpeg:.2f}, Python {own:.2f}); decoding alone {whole:.2f} s CPU every picture, "
              f"{skipped:.2f} s as the scan decodes ({skipped / SECONDS:.3f}x); {reads} read(s) "
              f"of {samples} pictures, {items} item(s)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
