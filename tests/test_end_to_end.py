"""The whole pipeline on generated media, with the real models: what a producer gets."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipeline import subtitles as subs
from tests import mediatools as mt
from tests.conftest import Project, run_pipeline

pytestmark = pytest.mark.slow

GOOD = ["broll_springs", "jinan_tour"]
LANGS = ["en", "pt", "zh"]


def deliverable(project: Project, video: str, lang: str) -> Path:
    return project.out / video / lang / f"{video}.{lang}.landscape.mp4"


def test_batch_finishes_with_bad_files_failed_and_good_ones_delivered(project: Project) -> None:
    assert project.first.code == 1, project.first.stderr
    listed = {(d["video"], d["lang"]) for d in project.manifest()["deliverables"]}
    assert listed == {(v, lang) for v in GOOD for lang in LANGS}
    for d in project.manifest()["deliverables"]:
        path = project.out / d["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == d["sha256"]


def test_bad_inputs_fail_with_one_line_cause_naming_the_file(project: Project) -> None:
    failed = [ln for ln in project.first.stderr.splitlines() if ln.startswith("FAILED")]
    assert len(failed) == 2, project.first.stderr
    truncated = next(ln for ln in failed if "truncated_clip" in ln)
    silent = next(ln for ln in failed if "silent_clip" in ln)
    assert "truncated_clip.mp4" in truncated and "extract" in truncated
    assert "silent_clip.mp4" in silent and "no audio stream" in silent
    outcomes = project.first.outcomes
    for bad in ("truncated_clip", "silent_clip"):
        later = [o["status"] for o in outcomes if o["video"] == bad and o["stage"] != "extract"]
        assert later and set(later) == {"skipped"}
    assert not (project.out / "truncated_clip" / "en").exists()


@pytest.mark.parametrize("video", GOOD)
@pytest.mark.parametrize("lang", LANGS)
def test_deliverable_format(project: Project, video: str, lang: str) -> None:
    path = deliverable(project, video, lang)
    info = mt.probe(path)
    v = next(s for s in info["streams"] if s["codec_type"] == "video")
    a = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (v["codec_name"], v["profile"], v["pix_fmt"]) == ("h264", "High", "yuv420p")
    assert (a["codec_name"], a["sample_rate"]) == ("aac", "48000")
    source = project.root / "media" / f"{video}.mp4"
    assert abs(mt.duration(path) - mt.duration(source)) <= 0.1


def _band_difference(project: Project, video: str, lang: str, t: float) -> float:
    """Mean difference between the deliverable and its source in the bottom quarter at t."""
    out = mt.frame(deliverable(project, video, lang), t)
    src = mt.frame(project.root / "media" / f"{video}.mp4", t, size=(out.shape[1], out.shape[0]))
    band = slice(int(out.shape[0] * 0.75), out.shape[0])
    return float(abs(out[band] - src[band]).mean())


@pytest.mark.parametrize("lang", LANGS)
def test_subtitles_are_burned_at_cue_times_and_nowhere_else(project: Project, lang: str) -> None:
    cues = subs.load_srt(project.out / "jinan_tour" / lang / "subtitles.srt")
    assert cues
    inside = [_band_difference(project, "jinan_tour", lang, (c.start + c.end) / 2000) for c in cues]
    gaps = [(a.end + b.start) / 2000 for a, b in zip(cues, cues[1:]) if b.start - a.end >= 600]
    assert gaps, "the test clip must leave gaps between cues"
    between = [_band_difference(project, "jinan_tour", lang, t) for t in gaps]
    assert min(inside) > 3 * max(between) and min(inside) > 2.0, (inside, between)


def test_english_subtitle_is_readable_on_the_frame(project: Project, tmp_path: Path) -> None:
    cues = subs.load_srt(project.out / "jinan_tour" / "en" / "subtitles.srt")
    cue = next(c for c in cues if "Springs" in c.text)
    text = mt.read_subtitle(deliverable(project, "jinan_tour", "en"), (cue.start + cue.end) / 2000,
                            tmp_path)
    assert "Springs" in text


@pytest.mark.parametrize("lang", ["pt", "zh"])
def test_narration_is_audible_inside_its_windows_and_silent_between(project: Project, lang: str) -> None:
    import json

    timing = json.loads((project.out / "jinan_tour" / lang / "timing.json").read_text())
    assert timing["narrated"] and timing["lines"]
    samples, rate = mt.read_wav(project.out / "jinan_tour" / lang / "narration.wav")
    for line in timing["lines"]:
        assert mt.rms_db(samples, rate, line["start"] / 1000, line["end"] / 1000) > -35
    edges = [0.0] + [x for ln in timing["lines"] for x in (ln["start"] / 1000, ln["end"] / 1000)]
    silences = list(zip(edges[0::2], edges[1::2]))
    assert any(b - a > 0.3 for a, b in silences)
    for a, b in silences:
        if b - a > 0.3:
            assert mt.rms_db(samples, rate, a + 0.05, b - 0.05) < -60


def test_lines_never_overlap(project: Project) -> None:
    import json

    for video in GOOD:
        for lang in LANGS:
            lines = json.loads((project.out / video / lang / "timing.json").read_text())["lines"]
            for a, b in zip(lines, lines[1:]):
                assert b["start"] >= a["end"]


def test_every_subtitle_file_keeps_the_reading_rules(project: Project) -> None:
    """Transcripts, machine translations and provided translations alike: zero QA findings."""
    from pipeline.config import load_config
    from pipeline.subtitles.rulebook import rules_for

    config = load_config(project.config).config
    files = [(project.out / v / "source" / "transcript.srt", "en") for v in GOOD]
    files += [(project.out / v / lang / "subtitles.srt", lang) for v in GOOD for lang in LANGS]
    for srt, lang in files:
        cues = subs.load_srt(srt)
        assert cues and subs.check(cues, rules_for(config, lang)) == [], srt


def test_second_run_executes_nothing(project: Project) -> None:
    again = run_pipeline(project.config)
    good = [o for o in again.outcomes if o["video"] in GOOD]
    assert good and {o["status"] for o in good} == {"cached"}
    assert again.code == 1  # the two bad files fail again, as they should


def test_edited_line_reruns_only_narrate_and_render_and_is_burned(project: Project, tmp_path: Path) -> None:
    work = project.copy(tmp_path / "copy")
    srt = work.out / "jinan_tour" / "pt" / "subtitles.srt"
    cues = subs.load_srt(srt)
    target = max(range(len(cues)), key=lambda i: cues[i].duration)
    cues[target] = subs.Cue(cues[target].start, cues[target].end, "FONTE SAGRADA")
    srt.write_text(subs.srt_text(cues), encoding="utf-8")
    edited = srt.read_bytes()

    rerun = run_pipeline(work.config)
    ran = {(o["stage"], o["video"], o["lang"]) for o in rerun.outcomes if o["status"] == "ran"}
    assert ran == {("narrate", "jinan_tour", "pt"), ("render", "jinan_tour", "pt")}, rerun.stderr
    assert srt.read_bytes() == edited
    text = mt.read_subtitle(deliverable(work, "jinan_tour", "pt"),
                            (cues[target].start + cues[target].end) / 2000, tmp_path)
    assert "FONTE SAGRADA" in text
    status = run_pipeline(work.config)
    assert all(o["status"] == "cached" for o in status.outcomes if o["video"] in GOOD)


def test_only_render_without_narration_fails_with_the_stage_to_run_first(project: Project,
                                                                         tmp_path: Path) -> None:
    work = project.copy(tmp_path / "copy")
    for f in (work.out / "jinan_tour" / "pt").iterdir():
        if f.name in ("narration.wav", "timing.json"):
            f.unlink()
    (work.out / "jinan_tour" / ".state" / "narrate.pt.json").unlink()
    result = run_pipeline(work.config, "--video", "jinan_tour", "--lang", "pt", "--only", "render",
                          "--force")
    assert result.code == 1
    assert "run narrate for jinan_tour/pt first" in result.stderr


@pytest.mark.parametrize("lang", LANGS)
def test_plain_text_script_subtitles_follow_the_narration(project: Project, lang: str) -> None:
    import json

    import pysubs2

    timing = json.loads((project.out / "broll_springs" / lang / "timing.json").read_text())
    assert timing["retimed"]
    shown = pysubs2.load(str(project.out / "broll_springs" / lang / "subtitles.vtt"))
    assert len(shown) == len(timing["lines"])
    for event, line in zip(shown, timing["lines"]):
        assert abs(event.start - line["start"]) <= 100 and event.end >= line["end"] - 1
