"""A producer's batch in miniature: 8 short videos x 3 languages, `--jobs 1` against
`--jobs 2`, where the time goes, and the no-op rerun of the whole batch.

Run by hand: `.venv/bin/python bench/batch_bench.py`; the table goes into docs/benchmarks.md.
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
sys.path.insert(0, str(ROOT))

from tests import mediatools as mt  # noqa: E402
from tests.conftest import write_srt  # noqa: E402

LINES = [
    ("Jinan is known as the City of Springs.", "济南被称为泉城。"),
    ("Baotu Spring bubbles up in the old town.", "趵突泉在老城涌出。"),
    ("Daming Lake is ringed by willows.", "大明湖畔杨柳依依。"),
    ("Black Tiger Spring roars after the rain.", "雨后黑虎泉水声如虎啸。"),
]


def make_batch(root: Path, count: int = 8) -> Path:
    media, provided = root / "media", root / "translations"
    media.mkdir()
    provided.mkdir()
    for i in range(count):
        pair = [LINES[(i + k) % len(LINES)] for k in range(3)]
        placed = mt.make_speech_video(media / f"clip{i:02d}.mp4", [en for en, _ in pair],
                                      size="640x360")
        write_srt(provided / f"clip{i:02d}.zh.srt",
                  [(p.start, p.end + 0.3, zh) for p, (_, zh) in zip(placed, pair)])
    config = {
        "inputs": ["media/*.mp4"], "languages": ["en", "pt", "zh"],
        "translate": {"glossary": str(ROOT / "assets" / "glossary.csv"),
                      "provided": "translations/{video}.{lang}.srt"},
        "narration": {"voices": {"en": "piper:en_US-joe-medium", "pt": "espeak:pt-br",
                                 "zh": "espeak:cmn"}, "rate": {"zh": 1.4}},
        "render": {"profiles": {"landscape": {"width": 640, "height": 360}}, "crf": 23},
    }
    path = root / "pipeline.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def run(config: Path, out: str, *args: str) -> tuple[float, list[dict]]:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["output_dir"] = out
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", "-c", str(config), "--json",
                           *args], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(proc.stderr[-3000:])
    return wall, json.loads(proc.stdout)


def per_stage(outcomes: list[dict]) -> dict[str, float]:
    sums: dict[str, float] = {}
    for o in outcomes:
        sums[o["stage"]] = sums.get(o["stage"], 0.0) + o["seconds"]
    return sums


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="batch-bench-") as tmp:
        config = make_batch(Path(tmp))
        one, outcomes_one = run(config, "out1", "--jobs", "1")
        two, outcomes_two = run(config, "out2", "--jobs", "2")
        noop, _ = run(config, "out1")
        noop2, _ = run(config, "out2", "--jobs", "2")
    print(f"8 videos x 3 languages: --jobs 1 {one:.1f} s, --jobs 2 {two:.1f} s, "
          f"speed-up {one / two:.2f}x")
    print(f"no-op rerun: {noop:.2f} s (in-process), {noop2:.2f} s (--jobs 2)")
    print("| stage | task-seconds, --jobs 1 | task-seconds, --jobs 2 |")
    print("|---|---|---|")
    a, b = per_stage(outcomes_one), per_stage(outcomes_two)
    for stage in a:
        print(f"| {stage} | {a[stage]:.1f} | {b.get(stage, 0):.1f} |")


if __name__ == "__main__":
    main()
