"""Render cost against its floor: a bare re-encode of the same clip with the same settings
(H.264 High, same preset and CRF, closed GOP, AAC 192k, faststart) against the pipeline's
render of one version (mix, ducking, loudness, subtitle burn, encode, mux), best of 3.

Run by hand after `make demo`: `.venv/bin/python bench/render_bench.py`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def best_of(cmd: list[str], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    config = yaml.safe_load((ROOT / "pipeline.yaml").read_text(encoding="utf-8"))
    render = config["render"]
    profile = next(iter(render["profiles"].values()))
    source = ROOT / "assets" / "samples" / "jinan_intro.mp4"
    floor = best_of(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source),
                     "-vf", f"scale={profile['width']}:{profile['height']}",
                     "-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p",
                     "-preset", render["preset"], "-crf", str(render["crf"]), "-g", "12",
                     "-flags", "+cgop", "-c:a", "aac", "-b:a", "192k", "-ar", "48000",
                     "-movflags", "+faststart", "/tmp/render-bench-floor.mp4"])
    ours = best_of([sys.executable, "-m", "pipeline", "run", "--video", "jinan_intro",
                    "--lang", "pt", "--only", "render", "--force"])
    print(f"floor (bare re-encode): {floor:.2f} s")
    print(f"pipeline render of jinan_intro/pt (CLI start-up included): {ours:.2f} s")
    print(f"ratio: {ours / floor:.2f}x")


if __name__ == "__main__":
    main()
