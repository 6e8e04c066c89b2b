"""What the source decode check costs (extract), against a full decode of the picture.

A 60 s 1080p clip (x264 veryfast at 8 Mb/s over a noisy test picture, about what a camera
export carries; made once, some minutes) and the same clip looped to 10 minutes by stream
copy. For each: the sound decode to 16 kHz that extract does anyway, the check
(`media.scan_video`: every packet read, key frames decoded), and a full decode of the
picture. Wall and CPU seconds (children's user + system), best of 3.

    .venv/bin/python bench/decode_check_bench.py [FOLDER]
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.av import media


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(work: Callable[[], object], rounds: int = 3) -> tuple[float, float]:
    best: tuple[float, float] | None = None
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), _cpu()
        work()
        got = (time.perf_counter() - wall, _cpu() - cpu)
        best = got if best is None or got[0] < best[0] else best
    assert best is not None
    return best


def make_media(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    short, long = folder / "bench60_1080p.mp4", folder / "bench600_1080p.mp4"
    if not short.exists():
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc2=s=1920x1080:r=25:d=60,noise=alls=12:allf=t", "-f", "lavfi",
                        "-i", "sine=f=440:d=60", "-c:v", "libx264", "-preset", "veryfast",
                        "-b:v", "8M", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags",
                        "+faststart", str(short)], check=True)
    if not long.exists():
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", "9", "-i",
                        str(short), "-c", "copy", "-movflags", "+faststart", str(long)], check=True)
    return short, long


def measure(src: Path, wav: Path) -> None:
    info = media.probe(src)
    sound = timed(lambda: media.decode_audio(src, wav))
    check = timed(lambda: media.scan_video(src))
    full = timed(lambda: subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(src),
                                         "-map", "0:v:0", "-f", "null", "-"], check=True),
                 rounds=1 if info.duration > 120 else 3)
    scan = media.scan_video(src)
    print(f"{src.name}: {info.duration:.0f} s, {src.stat().st_size / 1e6:.0f} MB, "
          f"{scan.packets} packets")
    for name, (wall, cpu) in (("sound decode to 16 kHz (extract)", sound),
                              ("check: packets + key frames", check),
                              ("full decode of the picture", full)):
        print(f"  {name:36s} {wall:7.2f} s wall {cpu:7.2f} s CPU")
    print(f"  check / full decode: {check[0] / full[0]:.3f} wall, {check[1] / full[1]:.3f} CPU")


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path("bench-media")
    for src in make_media(folder):
        measure(src, folder / "bench.wav")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
