#!/usr/bin/env python3
"""The frames before and after for docs/onscreen.md: one picture of the demo's Mandarin
source and the same moment of its en and pt versions, side by side, after `make demo`.

Usage::

    python -m scripts.onscreen_frames [--at SECONDS] [--out docs/onscreen-before-after.png]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VIDEO = "quancheng_zh"


def frames(at: float, out: Path) -> None:
    source = REPO_ROOT / "assets" / "samples" / f"{VIDEO}.mp4"
    versions = [REPO_ROOT / "outputs" / VIDEO / lang / f"{VIDEO}.{lang}.landscape.mp4"
                for lang in ("en", "pt")]
    missing = [str(p) for p in [source, *versions] if not p.is_file()]
    if missing:
        raise SystemExit(f"{', '.join(missing)}: not found; run `make demo` first")
    args = ["ffmpeg", "-v", "error", "-y"]
    for path in [source, *versions]:
        args += ["-ss", f"{at:.3f}", "-i", str(path)]
    graph = ";".join(f"[{i}:v]scale=640:360,setsar=1[s{i}]" for i in range(3))
    graph += ";[s0][s1][s2]vstack=inputs=3[v]"
    tmp = out.with_name(f".tmp-{out.name}")  # ffmpeg picks the format by the suffix
    subprocess.run([*args, "-filter_complex", graph, "-map", "[v]", "-frames:v", "1",
                    "-q:v", "4", str(tmp)], check=True)
    tmp.replace(out)
    print(f"wrote {out} (source, en, pt at {at:.1f} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at", type=float, default=8.5)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "onscreen-before-after.png")
    ns = parser.parse_args(argv)
    frames(ns.at, ns.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
