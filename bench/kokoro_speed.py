"""Kokoro's cost here: model load, memory, and synthesis time against input length and
onnxruntime's intra-op thread count (1 or 2 on this 2-core machine).

Run by hand: `.venv/bin/python bench/kokoro_speed.py [--voice pf_dora] [--rounds 3]`. Inputs
are the demo's Portuguese lines (bench/voice_texts.py) alone and joined 2, 4 and 6 at a time
(one model call each, as batching lines would make them). The thread settings are measured in
interleaved rounds (the machine is shared: read ratios within a round); each figure is the
median real-time factor (synthesis seconds per audio second) over the rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.voice_texts import texts  # noqa: E402
from pipeline.engines import kokoro_setup  # noqa: E402
from pipeline.engines.tts import kokoro  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load_seconds(threads: int) -> float:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    start = time.perf_counter()
    ort.InferenceSession(str(kokoro_setup.model_path()), sess_options=opts,
                         providers=["CPUExecutionProvider"])
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--voice", default="pf_dora")
    ap.add_argument("--lang", default="pt")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()}")
    base = rss_mb()
    loads = [load_seconds(1) for _ in range(3)]
    print(f"session load: {', '.join(f'{s:.2f}' for s in loads)} s (3 loads, file cached)")
    voices = {t: kokoro.KokoroTTS(args.voice, [], {}, threads=t) for t in (1, 2)}
    lines = texts()[args.lang][:6]
    inputs = {f"{n} line{'s' if n > 1 else ''}": [" ".join(lines[i:i + n])
                                                   for i in range(0, 6, n)] for n in (1, 2, 4, 6)}
    tokens = {k: [len(voices[1].phonemize(t).tokens) for t in v] for k, v in inputs.items()}
    for v in voices.values():
        v.infer(v.phonemize("Olá.").tokens)  # warm both sessions
    print(f"resident after loading both sessions: {rss_mb():.0f} MB (+{rss_mb() - base:.0f})")
    times: dict[tuple[str, int], list[float]] = {}
    for r in range(args.rounds):
        for name, batch in inputs.items():
            for t, voice in voices.items():
                start = time.perf_counter()
                audio_s = sum(len(voice.audio(text)) for text in batch) / kokoro.SAMPLE_RATE
                times.setdefault((name, t), []).append((time.perf_counter() - start) / audio_s)
        print(f"round {r + 1} done, load average {os.getloadavg()[0]:.1f}", flush=True)
    print(f"peak resident: {rss_mb():.0f} MB")
    print("| input (6 demo lines) | tokens per call | RTF 1 thread | RTF 2 threads | 2 / 1 |")
    print("|---|---|---|---|---|")
    for name in inputs:
        one, two = (statistics.median(times[(name, t)]) for t in (1, 2))
        print(f"| {name} per call | {min(tokens[name])}-{max(tokens[name])} | {one:.3f} | "
              f"{two:.3f} | {two / one:.2f} |")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
