"""Time the demo: a cold run of every stage (per-stage totals), then the no-op rerun.

Run by hand (`.venv/bin/python bench/demo_timing.py [--jobs 1]`); the numbers go into
docs/benchmarks.md. Without --jobs the run picks its workers as a user's would (two here), and the
per-stage seconds then overlap.
It renders into a scratch output folder, so outputs/ is left alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def run(config: Path) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", "-c", str(config), "--json",
                           *sys.argv[1:]],  # e.g. --jobs 1 for a per-stage split without overlap
                          capture_output=True, text=True, check=False, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"pipeline failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed, json.loads(proc.stdout)


def main() -> None:
    config = yaml.safe_load((ROOT / "pipeline.yaml").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        config["output_dir"] = str(Path(tmp) / "outputs")
        config_path = ROOT / ".bench-pipeline.yaml"  # beside pipeline.yaml: same relative paths
        config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
        try:
            cold, outcomes = run(config_path)
            noop, _ = run(config_path)
        finally:
            config_path.unlink()
    per_stage: dict[str, float] = {}
    for o in outcomes:
        per_stage[o["stage"]] = per_stage.get(o["stage"], 0.0) + o["seconds"]
    print(f"cold run (wall, incl. start-up and model loads): {cold:.1f} s")
    for stage, seconds in per_stage.items():
        print(f"  {stage:<11} {seconds:6.1f} s")
    print(f"no-op rerun (wall): {noop:.2f} s")


if __name__ == "__main__":
    main()
