"""The demo as CI runs it: the committed config and assets, media made by the demo script,
`pipeline run --sample 4`; every clip is deliverable and every subtitle file the run wrote
keeps the reading rules."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.rules import rules_for
from pipeline.subtitles import check, load_srt
from tests import mediatools as mt
from tests.conftest import RunResult, run_pipeline

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
SECONDS = 4.0


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunResult]:
    root = tmp_path_factory.mktemp("demo")
    shutil.copy(REPO / "pipeline.yaml", root / "pipeline.yaml")
    shutil.copytree(REPO / "assets", root / "assets", ignore=shutil.ignore_patterns("*.mp4"))
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_demo_media.py"),
                    str(root / "assets" / "samples")], check=True, capture_output=True)
    return root, run_pipeline(root / "pipeline.yaml", "--sample", str(SECONDS))


def test_sample_clips_of_every_version_are_deliverable(demo: tuple[Path, RunResult]) -> None:
    root, result = demo
    assert result.code == 0, result.stderr
    config = load_config(root / "pipeline.yaml").config
    clips = sorted((root / "outputs" / "_samples").glob("*.mp4"))
    expected = {f"{v}.{lang}.{p}.mp4" for v in ("jinan_intro", "springs_broll")
                for lang in config.languages for p in config.render.profiles}
    assert {c.name for c in clips} == expected
    for clip in clips:
        streams = {s["codec_type"]: s for s in mt.probe(clip)["streams"]}
        v, a = streams["video"], streams["audio"]
        assert (v["codec_name"], v["profile"], v["pix_fmt"]) == ("h264", "High", "yuv420p")
        assert (a["codec_name"], a["sample_rate"]) == ("aac", "48000")
        assert abs(mt.duration(clip) - SECONDS) <= 0.1, clip.name


def test_every_subtitle_file_of_the_demo_keeps_the_rules(demo: tuple[Path, RunResult]) -> None:
    """Machine-translated Portuguese runs longer than the English it replaces; the reading
    speed still holds (events lead in a little where the time after them is taken)."""
    root, result = demo
    assert result.code == 0, result.stderr
    config = load_config(root / "pipeline.yaml").config
    out = root / "outputs"
    files = {(out / v / "source" / "transcript.srt", "en") for v in ("jinan_intro", "springs_broll")}
    files |= {(out / v / lang / "subtitles.srt", lang) for v in ("jinan_intro", "springs_broll")
              for lang in config.languages}
    for srt, lang in sorted(files):
        cues = load_srt(srt)
        assert cues, srt
        assert check(cues, rules_for(config, lang)) == [], srt


def test_a_sample_narrates_and_hears_only_its_own_lines(demo: tuple[Path, RunResult]) -> None:
    """CI's sample run synthesizes the lines of the excerpt (and the next), not the whole
    film, and the demo's check of what the host said runs on them."""
    root, result = demo
    assert result.code == 0, result.stderr
    out = root / "outputs"
    for lang in ("pt", "zh"):
        timing = json.loads((out / "jinan_intro" / lang / "timing.json").read_text(encoding="utf-8"))
        cues = load_srt(out / "jinan_intro" / lang / "subtitles.srt")
        assert timing["voice"]["engine"] == "kokoro"
        assert timing["sample_ms"] == SECONDS * 1000
        inside = sum(1 for c in cues if c.start < SECONDS * 1000)
        assert timing["synthesis"]["lines"] == inside + 1 < len(cues)
        assert timing["verify"]["lines"] == inside + 1
