"""One small project per test session, built from generated media and run once for real.

The project holds what a producer's folder holds: a good English speech clip, a b-roll clip
with a script beside it, a truncated file and a video without an audio stream. Many tests
inspect the outputs of that one run; tests that change things work on a copy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.engines.models import cache_dir
from tests import mediatools as mt

# Argos Translate reads and creates its folders (packages, settings, downloads) under the
# home when it is imported: every process the tests start gets temporary ones instead, so
# a user's own packages neither leak into the tests nor get touched. The pipeline's model
# cache (the assembled multilingual Whisper) stays where it is.
os.environ.setdefault("PIPELINE_CACHE", str(cache_dir()))
_ARGOS_HOME = Path(tempfile.mkdtemp(prefix="pipeline-tests-argos-"))
for _var, _sub in (("ARGOS_PACKAGES_DIR", "packages"), ("XDG_DATA_HOME", "data"),
                   ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache")):
    os.environ[_var] = str(_ARGOS_HOME / _sub)

SENTENCES = [
    "Jinan is known as the City of Springs.",
    "Baotu Spring bubbles up in the heart of the old town.",
    "In the evening, people walk along Daming Lake.",
]
ZH = ["济南被称为泉城。", "趵突泉在老城中心涌出。", "傍晚，人们沿着大明湖散步。"]
BROLL_SCRIPT = ["Clear water rises from the limestone.", "The springs feed Daming Lake."]
BROLL_ZH = ["清澈的泉水从石灰岩中涌出", "泉水汇入大明湖"]

GLOSSARY = """term,en,pt,zh,note
Jinan,Jinan,Jinan,济南,city
City of Springs,City of Springs,Cidade das Nascentes,泉城,spring = water source
Baotu Spring,Baotu Spring,Nascente Baotu,趵突泉,never primavera
Daming Lake,Daming Lake,Lago Daming,大明湖,
"""


# the longest files first, so two test processes (`make test`: -n 2 --dist loadfile) end
# together instead of one finishing the demo alone at the end
LONGEST_FIRST = ("test_demo.py", "test_batch.py", "test_chinese_speech.py", "test_narration_lines.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the order inside a file is kept


def srt_time(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def write_srt(path: Path, events: list[tuple[float, float, str]]) -> None:
    blocks = [f"{i}\n{srt_time(a)} --> {srt_time(b)}\n{text}\n" for i, (a, b, text) in
              enumerate(events, start=1)]
    path.write_text("\n".join(blocks), encoding="utf-8")


def write_config(root: Path, config: dict[str, Any]) -> Path:
    """The project's pipeline.yaml in root (UTF-8: names in any script stay readable)."""
    path = root / "pipeline.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def base_config() -> dict[str, Any]:
    return {
        "inputs": ["media/*.mp4"],
        "output_dir": "outputs",
        "source_language": "auto",
        "languages": ["en", "pt", "zh"],
        "transcribe": {"engine": "faster-whisper", "model": "tiny.en"},
        "translate": {"engine": "auto", "glossary": "glossary.csv",
                      "provided": "translations/{video}.{lang}.srt"},
        "narration": {"mode": "voiceover", "duck_db": -18, "max_speedup": 1.35,
                      "voices": {"en": "piper:en_US-joe-medium", "pt": "espeak:pt-br",
                                 "zh": "espeak:cmn"},
                      "rate": {"zh": 1.4}},
        "subtitles": {"size": 0.07},
        "render": {"profiles": {"landscape": {"width": 640, "height": 360}},
                   "crf": 28, "preset": "superfast", "loudness_lufs": -14},
        # in this process, stage by stage: the kill test relies on that order; the Dask
        # path has its own test (test_batch.py)
        "executor": {"jobs": 1},
        # testsrc2 draws a running clock, text that changes every picture: reading it is
        # the scan's cost, not these tests' (the scan has its own: test_onscreen.py)
        "scan": {"engine": "none"},
    }


@dataclass
class RunResult:
    code: int
    stdout: str
    stderr: str

    @property
    def outcomes(self) -> list[dict[str, Any]]:
        return json.loads(self.stdout)


def run_pipeline(config: Path, *args: str) -> RunResult:
    """`pipeline run -c config --json ARGS` as a user runs it (a separate process)."""
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", "-c", str(config), "--json", *args],
                          capture_output=True, text=True, check=False)
    return RunResult(proc.returncode, proc.stdout, proc.stderr)


@dataclass
class Project:
    root: Path
    config: Path
    placed: list[mt.Placed]
    first: RunResult

    @property
    def out(self) -> Path:
        return self.root / "outputs"

    def manifest(self) -> dict[str, Any]:
        return json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))

    def copy(self, dest: Path) -> Project:
        shutil.copytree(self.root, dest, symlinks=True)
        return Project(dest, dest / "pipeline.yaml", self.placed, self.first)


def _build_project(root: Path) -> Project:
    media = root / "media"
    media.mkdir()
    (root / "translations").mkdir()
    (root / "glossary.csv").write_text(GLOSSARY, encoding="utf-8")

    placed = mt.make_speech_video(media / "jinan_tour.mp4", SENTENCES)
    write_srt(root / "translations" / "jinan_tour.zh.srt",
              [(p.start, p.end + 0.4, zh) for p, zh in zip(placed, ZH)])

    mt.make_video(media / "broll_springs.mp4", 8.0, picture="smptebars")
    (media / "broll_springs.script.txt").write_text("\n".join(BROLL_SCRIPT) + "\n", encoding="utf-8")
    write_srt(root / "translations" / "broll_springs.zh.srt",
              [(0.5, 3.0, BROLL_ZH[0]), (3.6, 6.0, BROLL_ZH[1])])

    good = media / "jinan_tour.mp4"
    data = good.read_bytes()
    (media / "truncated_clip.mp4").write_bytes(data[: len(data) // 3])
    mt.make_video(media / "silent_clip.mp4", 4.0, bed=False)

    config = root / "pipeline.yaml"
    config.write_text(yaml.safe_dump(base_config(), allow_unicode=True), encoding="utf-8")
    first = run_pipeline(config)
    return Project(root, config, placed, first)


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Built once per `pytest` run: under xdist the first worker that asks builds it into the
    run's shared temp folder (the others wait on a file lock), and each worker gets its own
    copy, as the tests always had their own."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return _build_project(tmp_path_factory.mktemp("project"))
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent / "shared-project"
    record = shared.with_suffix(".json")
    with FileLock(str(shared.with_suffix(".lock"))):
        if not record.is_file():
            if shared.exists():
                shutil.rmtree(shared)  # a build that did not finish
            shared.mkdir()
            built = _build_project(shared)
            record.write_text(json.dumps({
                "placed": [[p.text, p.start, p.end] for p in built.placed],
                "first": [built.first.code, built.first.stdout, built.first.stderr]}),
                encoding="utf-8")
    saved = json.loads(record.read_text(encoding="utf-8"))
    original = Project(shared, shared / "pipeline.yaml",
                       [mt.Placed(*p) for p in saved["placed"]], RunResult(*saved["first"]))
    return original.copy(tmp_path_factory.mktemp("project") / "project")
