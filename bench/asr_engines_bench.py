"""Real-time factor per ASR engine and model on this machine (issue #3 point 4).

faster-whisper tiny.en / base (the packaged CTranslate2 models) and openai-whisper tiny.en /
base (the same weights converted to `.pt` by bench/ct2_to_openai_whisper.py, since no
openai-whisper checkpoint ships in a package), all through the pipeline's own recognizers
(pipeline/engines/asr, `make_recognizer`) with their defaults: same clip (Piper speech, as
bench/asr_bench.py), same beam size, CPU, language given, no glossary prompt unless --prompt.
RTF = transcription seconds / audio seconds, best of --runs (rounds interleave the engines so
background load hits them alike); model loading is reported apart. WER (jiwer) is against the
text the speech was made from.

Run by hand: `.venv/bin/python bench/asr_engines_bench.py [--runs 3] [--beam 5] [--threads N]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from asr_bench import PARAGRAPHS, synthesize, wer  # noqa: E402
from ct2_to_openai_whisper import ensure_checkpoint  # noqa: E402
from pipeline.engines.asr import AsrOptions, make_recognizer  # noqa: E402
from pipeline.language.glossary import asr_prompt, load_glossary  # noqa: E402

RUNS = [("faster-whisper", "tiny.en"), ("faster-whisper", "base"),
        ("openai-whisper", "tiny.en"), ("openai-whisper", "base")]


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per engine (best kept)")
    parser.add_argument("--beam", type=int, default=5, help="beam size for every engine")
    parser.add_argument("--threads", type=int, default=0,
                        help="CPU threads (0 = each engine's default, as the pipeline does)")
    parser.add_argument("--prompt", action="store_true", help="pass the glossary prompt")
    args = parser.parse_args()

    import ctranslate2
    import faster_whisper
    import torch
    import whisper

    if args.threads:
        torch.set_num_threads(args.threads)
    prompt = asr_prompt(load_glossary(ROOT / "assets" / "glossary.csv")) if args.prompt else None
    reference = " ".join(PARAGRAPHS)
    print(f"machine: {cpu_name()}, {os.cpu_count()} CPUs; torch {torch.__version__} "
          f"({torch.get_num_threads()} threads), openai-whisper {whisper.__version__}, "
          f"faster-whisper {faster_whisper.__version__}, ctranslate2 {ctranslate2.__version__}")
    print(f"beam {args.beam}, threads {args.threads or 'engine default'}, "
          f"glossary prompt {'yes' if prompt else 'no'}, best of {args.runs}")

    with tempfile.TemporaryDirectory() as tmp:
        audio = Path(tmp) / "speech.wav"
        seconds = synthesize(reference, audio)
        print(f"speech: {seconds:.1f} s, {len(reference.split())} words (Piper, en_US-joe-medium)")

        recognizers, loads = {}, {}
        for engine, model in RUNS:
            name = model if engine == "faster-whisper" else str(ensure_checkpoint(model))
            start = time.perf_counter()
            recognizers[engine, model] = make_recognizer(
                engine, AsrOptions(name, beam_size=args.beam, threads=args.threads))
            loads[engine, model] = time.perf_counter() - start

        # one untimed warm-up each (first-call allocations, VAD model load), then timed rounds
        texts: dict[tuple[str, str], set[str]] = {k: set() for k in RUNS}
        times: dict[tuple[str, str], list[float]] = {k: [] for k in RUNS}
        for round_ in range(args.runs + 1):
            for key in RUNS:
                start = time.perf_counter()
                result = recognizers[key].transcribe(audio, "en", prompt)
                elapsed = time.perf_counter() - start
                texts[key].add(" ".join(s.text for s in result.segments))
                if round_:
                    times[key].append(elapsed)

    print()
    print("| engine | model | weights | WER | RTF best | RTF median | load s |")
    print("|---|---|---|---|---|---|---|")
    for key in RUNS:
        engine, model = key
        weights = ("CTranslate2 int8" if engine == "faster-whisper"
                   else "torch float32 (converted)")
        wers = sorted({wer(reference, t) for t in texts[key]})
        shown = f"{wers[0]:.3f}" if len(wers) == 1 else "/".join(f"{w:.3f}" for w in wers)
        best, median = min(times[key]) / seconds, statistics.median(times[key]) / seconds
        print(f"| {engine} | {model} | {weights} | {shown} | {best:.3f} | {median:.3f} | "
              f"{loads[key]:.1f} |")
    print("\nRTF = transcription seconds / audio seconds (lower is faster; < 1 is faster than "
          "real time). Engine defaults: faster-whisper runs Silero VAD and the hallucination "
          "filter, openai-whisper neither; both word timestamps, no conditioning on previous text.")


if __name__ == "__main__":
    main()
