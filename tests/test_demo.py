"""The demo as CI runs it: the committed config and assets, media made by the demo script,
`pipeline run --sample 4` (the media from the cache `scripts/cached_demo_media.py` keeps, made
once per version of the generator); every clip is deliverable and every subtitle file the run wrote
keeps the reading rules. The Chinese sample (quancheng_zh, a Mandarin Kokoro host) goes
through the real transcribe stage with `transcribe.model: auto` (every glossary name right,
the repairs recorded) and its pt comes from the provided English through `translate.pivot`,
with the glossary's pt forms."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import jiwer
import pytest

from pipeline.config import load_config
from pipeline.language.glossary import load_glossary
from pipeline.subtitles.rulebook import rules_for
from pipeline.subtitles import check, load_srt
from scripts.make_demo_media import ZH_SENTENCES
from tests import mediatools as mt
from tests.conftest import RunResult, run_pipeline

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
SECONDS = 4.0
SOURCES = {"jinan_intro": "en", "quancheng_zh": "zh", "springs_broll": "en"}  # video: speech


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunResult]:
    root = tmp_path_factory.mktemp("demo")
    shutil.copy(REPO / "pipeline.yaml", root / "pipeline.yaml")
    shutil.copytree(REPO / "assets", root / "assets", ignore=shutil.ignore_patterns("*.mp4"))
    made = subprocess.run([sys.executable, str(REPO / "scripts" / "cached_demo_media.py"),
                           str(root / "assets" / "samples")], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr  # e.g. the Kokoro files missing: `make models`
    return root, run_pipeline(root / "pipeline.yaml", "--sample", str(SECONDS))


def test_sample_clips_of_every_version_are_deliverable(demo: tuple[Path, RunResult]) -> None:
    root, result = demo
    assert result.code == 0, result.stderr
    config = load_config(root / "pipeline.yaml").config
    clips = sorted((root / "outputs" / "_samples").glob("*.mp4"))
    expected = {f"{v}.{lang}.{p}.mp4" for v in SOURCES
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
    files = {(out / v / "source" / "transcript.srt", src) for v, src in SOURCES.items()}
    files |= {(out / v / lang / "subtitles.srt", lang) for v in SOURCES for lang in config.languages}
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
        heard = json.loads((out / "jinan_intro" / lang / "heard.json").read_text(encoding="utf-8"))
        assert heard["verify"]["lines"] == inside + 1


def test_auto_model_gives_english_to_tiny_en_and_mandarin_to_base(
        demo: tuple[Path, RunResult]) -> None:
    root, result = demo
    assert result.code == 0, result.stderr
    for video, model in (("jinan_intro", "tiny.en"), ("quancheng_zh", "base")):
        record = json.loads((root / "outputs" / video / "source" / "transcript.json")
                            .read_text(encoding="utf-8"))
        assert record["language"] == SOURCES[video]
        assert record["engine"]["name"] == model, video


def test_chinese_sample_has_every_name_as_the_glossary_and_its_repairs_recorded(
        demo: tuple[Path, RunResult]) -> None:
    """Mandarin through the transcribe stage: base with the Chinese prompt, then homophone
    repair; each name the host says is spelled as the glossary's zh column."""
    root, result = demo
    assert result.code == 0, result.stderr
    record = json.loads((root / "outputs" / "quancheng_zh" / "source" / "transcript.json")
                        .read_text(encoding="utf-8"))
    srt = root / "outputs" / "quancheng_zh" / "source" / "transcript.srt"
    text = "".join(c.text.replace("\n", "") for c in load_srt(srt))
    terms = load_glossary(root / "assets" / "glossary.csv")
    names = [t.forms["zh"] for t in terms if t.term != "Black Tiger Spring"]  # not said
    assert [n for n in names if n not in text] == [], text
    assert not any(c.isascii() and c.isalpha() for c in text), text  # the prompt was Chinese
    said = "".join(ZH_SENTENCES)
    heard = "".join(c for c in text if not unicodedata.category(c).startswith("P"))
    assert jiwer.cer("".join(c for c in said if not unicodedata.category(c).startswith("P")),
                     heard) < 0.1, text
    applied = [r for r in record["repairs"] if r["applied"]]
    assert applied, record["repairs"]
    zh_forms = {t.forms["zh"] for t in terms}
    for repair in applied:
        assert repair["to"] in zh_forms and repair["from"] != repair["to"], repair
        assert repair["to"] in text and repair["from"] not in text, repair


def test_chinese_sample_pt_comes_from_the_provided_english_with_the_glossary_pt_forms(
        demo: tuple[Path, RunResult]) -> None:
    """zh is the source speech, en the provided human translation, pt machine-translated from
    that English (the route recorded with the task); every glossary name the English uses is
    in the pt subtitles in its pt form ("Baotu Spring" -> "Nascente Baotu")."""
    root, result = demo
    assert result.code == 0, result.stderr
    out = root / "outputs" / "quancheng_zh"
    english = root / "assets" / "translations" / "quancheng_zh.en.srt"
    assert load_srt(out / "en" / "subtitles.srt") == load_srt(english)
    state = json.loads((out / ".state" / "translate.pt.json").read_text(encoding="utf-8"))
    assert state["extra"]["route"] == {"method": "pivot", "from": "en",
                                       "file": "assets/translations/quancheng_zh.en.srt"}
    assert state["extra"]["engine"]["pair"] == "en-pt"
    source_text = " ".join(c.text.replace("\n", " ") for c in load_srt(english))
    pt_text = " ".join(c.text.replace("\n", " ") for c in load_srt(out / "pt" / "subtitles.srt"))
    terms = load_glossary(root / "assets" / "glossary.csv")
    said = [t for t in terms if t.forms["en"] in source_text]
    assert {t.term for t in said} >= {"Baotu Spring", "Daming Lake", "City of Springs",
                                      "Thousand Buddha Mountain", "Furong Street"}
    assert [t.forms["pt"] for t in said if t.forms["pt"] not in pt_text] == [], pt_text
    assert "Nascente Baotu" in pt_text and "primavera" not in pt_text.lower()
