"""The review desk at scale: 400 videos x 8 languages, and a 10-minute video's page.

Builds a workspace cheaply: small stand-in files (no real media) with real state files:
every task's fingerprint is computed by the pipeline itself (`graph.fingerprint`) over those
files and recorded in the real `TaskState` format, so `pipeline status` and the board see
exactly what a finished batch leaves (plus a few edited, failed, stale and missing versions,
and some approvals). Then it times `pipeline status` (as a user runs it), the board and a
200-line version page (cold: a fresh server; warm: the next request), and profiles both.

Run by hand: `.venv/bin/python bench/review_bench.py [--videos 400] [--langs 8] [--keep DIR]
[--profile]`; the numbers go into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LANGS = ["en", "pt", "zh", "es", "fr", "de", "ar", "ja"]
LINES_PER_VIDEO = 30  # a 90 s film
LONG_LINES = 200  # a 10-minute film
WORDS = ("springs water lake willow old town stone bridge tea evening light market "
         "music river morning festival lantern garden").split()
GLYPHS = "泉水湖柳城石桥茶灯街山河花园"


def lines_of(lines: int, lang: str, seed: int) -> list[list[Any]]:
    """[start ms, end ms, text] of each line (what the translate stage records too)."""
    found: list[list[Any]] = []
    for i in range(lines):
        start, end = i * 3000 + 200, i * 3000 + 2600
        if lang in ("zh", "ja"):
            text = "".join(GLYPHS[(seed + i * 5 + k) % len(GLYPHS)] for k in range(6)) + "。"
        else:
            words = [WORDS[(seed + i * 7 + k) % len(WORDS)] for k in range(4)]
            text = f"{lang}: " + " ".join(words).capitalize() + "."
        found.append([start, end, text])
    return found


def srt(lines: int, lang: str, seed: int) -> str:
    return "\n".join(f"{i}\n{_t(a)} --> {_t(b)}\n{text}\n"
                     for i, (a, b, text) in enumerate(lines_of(lines, lang, seed), start=1))


def _t(ms: int) -> str:
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def timing(lines: int) -> dict[str, Any]:
    return {"narrated": True, "host": "Quan", "retimed": False,
            "voice": {"engine": "espeak-ng", "voice": "xx"},
            "lines": [{"index": i + 1, "slot_start": i * 3000 + 200, "slot_end": i * 3000 + 2600,
                       "speech": 2100, "speed": 1.0 + (i % 4) * 0.05,
                       "start": i * 3000 + 200, "end": i * 3000 + 2500, "borrowed": 0,
                       "overflow": 120 if i % 97 == 5 else 0, "text": "x"}
                      for i in range(lines)],
            "overflow_lines": [i + 1 for i in range(lines) if i % 97 == 5]}


def build(root: Path, videos: int, langs: list[str]) -> Path:
    """A project whose outputs look like a finished batch; returns its pipeline.yaml."""
    from pipeline.cache import TaskState, utc_stamp, write_json_atomic
    from pipeline.config import load_config
    from pipeline.orchestration.graph import describe, plan
    from pipeline.orchestration.registry import default_registry
    from pipeline.workspace import Workspace, deliverable_name

    media, provided, out = root / "media", root / "translations", root / "outputs"
    for d in (media, provided, out):
        d.mkdir(parents=True)
    shutil.copy(ROOT / "assets" / "glossary.csv", root / "glossary.csv")
    names = [f"film_{i:04d}" for i in range(videos)]
    for n, name in enumerate(names):
        lines = LONG_LINES if n == 0 else LINES_PER_VIDEO
        (media / f"{name}.mp4").write_bytes(f"not a real video {name}".encode() * 64)
        src = out / name / "source"
        src.mkdir(parents=True)
        (src / "probe.json").write_text(json.dumps({"duration": lines * 3.0}))
        (src / "audio.wav").write_bytes(b"RIFF" + name.encode() * 8)
        (src / "transcript.json").write_text(json.dumps({"language": "en", "segments": []}))
        (src / "transcript.srt").write_text(srt(lines, "en", n), encoding="utf-8")
        for lang in langs:
            d = out / name / lang
            d.mkdir()
            text = srt(lines, lang, n)
            if lang != "en":
                (provided / f"{name}.{lang}.srt").write_text(text, encoding="utf-8")
            (d / "subtitles.srt").write_text(text if lang != "en" else srt(lines, "en", n),
                                             encoding="utf-8")
            (d / "narration.wav").write_bytes(b"RIFF" + f"{name}{lang}".encode() * 8)
            (d / "timing.json").write_text(json.dumps(timing(lines)))
            (d / deliverable_name(name, lang, "landscape")).write_bytes(f"{name}{lang}".encode() * 90)
            (d / "subtitles.vtt").write_text("WEBVTT\n")
            (d / "subtitles.ass").write_text("[Script Info]\n")
        (out / name / f"{name}.master.mp4").write_bytes(f"master {name}".encode() * 90)
    config = {
        "inputs": ["media/*.mp4"], "output_dir": "outputs", "source_language": "en",
        "languages": langs,
        "translate": {"engine": "provided", "glossary": "glossary.csv",
                      "provided": "translations/{video}.{lang}.srt"},
        "narration": {"voices": {"zh": "espeak:cmn", "fr": "espeak:fr-fr"}},  # espeak-ng names
        "render": {"profiles": {"landscape": {"width": 1280, "height": 720}},
                   "master": "landscape"},
    }
    path = root / "pipeline.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    ws = Workspace(load_config(path))
    registry = default_registry()
    for task in plan(registry, ws.config, names, langs):
        stage = registry.stage(task.stage)
        job, fp = describe(ws, registry, task)
        extra: dict[str, Any] = {}
        if task.stage == "render":
            extra = {"deliverables": {"landscape": {"duration": 90.0, "width": 1280, "height": 720,
                                                    "integrated_lufs": -14.1,
                                                    "true_peak_dbtp": -1.6}}}
        elif task.stage == "translate" and task.lang:
            n = names.index(task.video)
            made = lines_of(LONG_LINES if n == 0 else LINES_PER_VIDEO, task.lang, n)
            extra = {"method": "provided", "route": {"method": "provided", "from": None}}
            if hasattr(ws.paths, "detail"):  # what translate keeps beside its state (not before)
                write_json_atomic(ws.paths.detail(task), {"fingerprint": fp,
                                                          "source_lines": made, "lines": made})
        elif task.stage == "master":
            extra = {"master": {"languages": langs, "duration": 90.0, "width": 1280,
                                "height": 720}}
        written = {ws.paths.rel(p): ws.hashes.sha256(p)
                   for p in stage.outputs(ws.paths, task, job.params)}
        TaskState(fp, written, [ws.paths.rel(p) for p in stage.editable(ws.paths, task)],
                  utc_stamp(), extra).save(ws.paths.state(task))
    ws.hashes.save()
    # what a real batch has besides done versions: edits, failures, stale and missing items
    for n in range(0, videos, 40):
        srt_path = out / names[n] / "pt" / "subtitles.srt"
        srt_path.write_text(srt_path.read_text(encoding="utf-8").replace("pt: ", "pt (edited): ", 1),
                            encoding="utf-8")
    for n in range(7, videos, 50):
        write_json_atomic(out / names[n] / ".state" / "render.zh.failed.json",
                          {"cause": "font has no glyph for U+9F8D", "at": utc_stamp()})
        (out / names[n] / ".state" / "render.zh.json").unlink()
    for n in range(13, videos, 60):
        (out / names[n] / ".state" / "render.ar.json").unlink()
    approvals: dict[str, Any] = {}
    for n in range(0, videos, 3):  # bound to what is there, as the desk records them
        en = out / names[n] / "en"
        approvals[f"{names[n]}/en"] = {
            "decision": "approved", "reviewer": "Ana", "note": "ok", "at": utc_stamp(),
            "deliverables": {"landscape": ws.hashes.sha256(en / deliverable_name(names[n], "en",
                                                                                  "landscape"))},
            "subtitles_sha256": ws.hashes.sha256(en / "subtitles.srt"), "lines": []}
    write_json_atomic(out / "approvals.json", {"version": 1, "approvals": approvals})
    return path


def _cpu() -> float:
    """CPU seconds of this process and of the children it waited for (the machine is
    shared: wall time includes other people's work, CPU time does not)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(label: str, fn: Any, results: dict[str, Any]) -> Any:
    start, cpu = time.perf_counter(), _cpu()
    value = fn()
    wall, used = time.perf_counter() - start, _cpu() - cpu
    results[label] = {"wall_s": round(wall, 3), "cpu_s": round(used, 3)}
    print(f"{label:<46} wall {wall:7.3f} s   cpu {used:7.3f} s", flush=True)
    return value


def cli(config: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "pipeline", *args, "-c", str(config)],
                   stdout=subprocess.DEVNULL, check=True)


def profile(label: str, fn: Any, top: int = 18) -> None:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    print(f"\n--- profile: {label} ---\n" + buf.getvalue()[-6000:])


def status_in_process(config: Path) -> None:
    from pipeline.cli import main

    with open("/dev/null", "w") as sink:
        old, sys.stdout = sys.stdout, sink
        try:
            main(["status", "--json", "-c", str(config)])
        finally:
            sys.stdout = old


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=120) as r:
        return len(r.read())


def serve(config: Path) -> tuple[str, Any]:
    """The review server in this process (a thread), as `pipeline review` runs it."""
    import uvicorn

    from pipeline.review.app import create_app
    from pipeline.review.settings import Settings

    port = free_port()
    app = create_app(Settings(config_path=config, host="127.0.0.1", port=port))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=400)
    parser.add_argument("--langs", type=int, default=8)
    parser.add_argument("--keep", type=Path, default=None, help="build here and keep it")
    parser.add_argument("--profile", action="store_true", help="print cProfile summaries")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="review-bench-"))
    results: dict[str, Any] = {}
    config = root / "pipeline.yaml"
    if not config.is_file():
        timed(f"build {args.videos} x {args.langs} workspace",
              lambda: build(root, args.videos, LANGS[:args.langs]), results)
    timed("pipeline status --json (CLI process)", lambda: cli(config, "status", "--json"), results)
    timed("pipeline status --json, again", lambda: cli(config, "status", "--json"), results)
    timed("pipeline status (CLI process, table)", lambda: cli(config, "status"), results)
    if args.profile:
        profile("pipeline status --json, in process", lambda: status_in_process(config))

    from pipeline.review.project import ReviewProject

    memo = root / "outputs" / ".pipeline" / "review-board.json"
    memo.unlink(missing_ok=True)
    timed("board data, first ever (no memo: evaluate all)", lambda: ReviewProject(config).board(),
          results)
    timed("board data, after a restart (memo on disk)", lambda: ReviewProject(config).board(),
          results)
    warm = ReviewProject(config)
    warm.board()
    timed("board data, same server again (warm)", warm.board, results)
    edited = root / "outputs" / "film_0123" / "pt" / "subtitles.srt"
    edited.write_text(edited.read_text(encoding="utf-8").replace("pt: ", "pt: edited ", 1),
                      encoding="utf-8")
    time.sleep(2.1)  # past the memo's racy window
    timed("board data, after one line edit", warm.board, results)
    if args.profile:
        profile("board data, fresh project", lambda: ReviewProject(config).board())

    base, server = serve(config)
    try:
        timed("GET / board page, fresh server (memo on disk)", lambda: get(base + "/"), results)
        timed("GET / board page, again", lambda: get(base + "/"), results)
        timed("GET /?show=failed", lambda: get(base + "/?show=failed"), results)
        page = f"{base}/v/film_0000/pt"
        timed(f"GET version page ({LONG_LINES} lines), first", lambda: get(page), results)
        timed(f"GET version page ({LONG_LINES} lines), again", lambda: get(page), results)
    finally:
        server.should_exit = True
    if args.profile:
        profile("version page data", lambda: ReviewProject(config).version("film_0000", "pt"))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "review_bench.json").write_text(json.dumps(results, indent=2) + "\n")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
