"""Sources that carry their own text (issue 20): a Mandarin clip with burned-in Chinese
subtitles, a title top left and a lower third from 3 to 6 s, and a clip with no text at all
(moving gradients, a moving texture, a zoom). One real run of each serves every test."""

from __future__ import annotations

import json
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jiwer
import pytest
import yaml

from tests import mediatools as mt
from tests.conftest import RunResult, run_pipeline, write_srt

SENTENCES = ["济南被称为泉城", "趵突泉的泉水从地下涌出", "登上千佛山可以俯瞰全城",
             "芙蓉街有很多济南小吃"]
ENGLISH = ["Jinan is called the City of Springs",
           "The water of Baotu Spring rises from underground",
           "From Thousand Buddha Mountain you see the whole city",
           "Furong Street has many Jinan snacks"]
TITLE, LOWER_THIRD = "泉城济南", "趵突泉"
SIZE = (854, 480)
GLOSSARY = """term,en,pt,zh,note
Jinan,Jinan,Jinan,济南,city
City of Springs,City of Springs,Cidade das Nascentes,泉城,
Baotu Spring,Baotu Spring,Nascente Baotu,趵突泉,
"""
# moving gradients under a moving cellular texture with grain, then a Mandelbrot zoom
TEXTLESS = ("gradients=s=640x360:r=25:d={d}:speed=0.02:seed=9:" + mt.GRADIENT_COLOURS + "[g];"
            "cellauto=s=640x360:r=25:rule=110:seed=9[c];"
            "[g][c]blend=all_mode=overlay:all_opacity=0.35:shortest=1,noise=alls=8:allf=t[a];"
            "mandelbrot=s=640x360:r=25[m];[a][m]blend=all_expr='if(gt(T,{zoom}),B,A)':shortest=1,"
            "format=yuv420p[v]")
TEXTLESS_SPEECH = ["Clear water rises from the limestone.", "The springs feed Daming Lake."]


def config(scan: str = "rapidocr") -> dict[str, Any]:
    return {
        "inputs": ["media/*.mp4"], "output_dir": "outputs", "source_language": "zh",
        "languages": ["en", "pt", "zh"],
        "transcribe": {"model": "auto"},
        "translate": {"glossary": "glossary.csv", "provided": "translations/{video}.{lang}.srt",
                      "pivot": "en"},
        "narration": {"mode": "none"},
        "subtitles": {"size": 0.06},
        "render": {"profiles": {"landscape": {"width": SIZE[0], "height": SIZE[1]}},
                   "crf": 28, "preset": "superfast"},
        "scan": {"engine": scan},
        "executor": {"jobs": 1},
    }


@dataclass
class Burned:
    root: Path
    burned: list[mt.Burned]
    first: RunResult

    @property
    def out(self) -> Path:
        return self.root / "outputs"

    def source(self, name: str) -> Any:
        return json.loads((self.out / "quancheng_burned" / "source" / name).read_text("utf-8"))


def _project(root: Path, scan: str = "rapidocr") -> Path:
    (root / "glossary.csv").write_text(GLOSSARY, encoding="utf-8")
    path = root / "pipeline.yaml"
    path.write_text(yaml.safe_dump(config(scan), allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def burned(tmp_path_factory: pytest.TempPathFactory) -> Burned:
    root = tmp_path_factory.mktemp("onscreen")
    media = root / "media"
    media.mkdir()
    audio, rate, placed = mt.zh_speech_track(SENTENCES)
    mt.write_wav(root / "speech.wav", audio, rate)
    duration = round(len(audio) / rate, 2)
    plain = root / "plain.mp4"
    mt.make_video(plain, duration, root / "speech.wav", size=f"{SIZE[0]}x{SIZE[1]}",
                  picture=f"gradients=speed=0.01:seed=5:{mt.GRADIENT_COLOURS}")
    burned = [mt.Burned(p.text, "subtitle", p.start - 0.1, p.end + 0.3) for p in placed]
    burned += [mt.Burned(TITLE, "title", 0, duration), mt.Burned(LOWER_THIRD, "lower_third", 3, 6)]
    mt.burn_text(plain, media / "quancheng_burned.mp4", burned, SIZE)
    (root / "translations").mkdir()
    write_srt(root / "translations" / "quancheng_burned.en.srt",
              [(b.start, b.end, en) for b, en in zip(burned, ENGLISH)])
    return Burned(root, burned, run_pipeline(_project(root)))


def _plain(text: str) -> str:
    return "".join(c for c in text if not unicodedata.category(c)[0] in "PZC")


def test_scan_reads_each_burned_text_once_with_its_times_and_kind(burned: Burned) -> None:
    assert burned.first.code == 0, burned.first.stderr
    record = burned.source("onscreen.json")
    items = record["items"]
    subtitles = [i for i in items if i["kind"] == "subtitle"]
    assert [i["text"] for i in subtitles] == SENTENCES
    assert sorted(i["text"] for i in items if i["kind"] == "caption") == sorted([TITLE, LOWER_THIRD])
    for item in items:
        truth = next(b for b in burned.burned if b.text == item["text"])
        assert abs(item["start"] / 1000 - truth.start) <= 0.3, item
        assert abs(item["end"] / 1000 - truth.end) <= 0.3, item
        assert item["script"] == "Hani" and item["confidence"] > 0.9
    lower = next(i for i in items if i["text"] == LOWER_THIRD)["box"]
    assert lower[0] < SIZE[0] * 0.2 and SIZE[1] * 0.5 < lower[1] < SIZE[1] * 0.7
    # OCR only where text changed: far fewer reads than pictures
    assert record["reads"] <= record["samples"] / 2, (record["reads"], record["samples"])


def test_transcript_is_the_burned_text_with_each_line_origin(burned: Burned) -> None:
    """Must-show 1: transcript CER <= 0.02 against the burned text, origins recorded."""
    record = burned.source("transcript.json")
    events = record["events"]
    said = _plain("".join(e["text"] for e in events))
    cer = jiwer.cer(_plain("".join(SENTENCES)), said)
    heard = jiwer.cer(_plain("".join(SENTENCES)),
                      _plain("".join(s["text"] for s in record["segments"])))
    print(f"transcript CER {cer:.3f} (the recognizer alone: {heard:.3f})")
    assert cer <= 0.02
    assert [e["origin"] for e in events] == ["screen"] * len(SENTENCES)
    for event, truth in zip(events, burned.burned):  # timed with the speech under it
        assert truth.start - 0.3 <= event["start"] / 1000 < event["end"] / 1000 <= truth.end + 0.3


def test_the_recognizer_fills_what_the_screen_lacks() -> None:
    """Words under a source-language subtitle give way to its text; the others stay, each
    line saying where it came from; subtitles in another script are not the transcript."""
    from pipeline import subtitles as subs
    from pipeline.onscreen.model import OnscreenItem
    from pipeline.transcription.screen import screen_lines

    words = [subs.Word(500 + 300 * i, 750 + 300 * i, ch, attached=i > 0)
             for i, ch in enumerate("济南被称为泉城")]
    words += [subs.Word(5000 + 300 * i, 5250 + 300 * i, ch, attached=i > 0)
              for i, ch in enumerate("欢迎你们")]
    screen = [OnscreenItem("济南被称为泉城", (300, 400, 540, 450), 400, 2700, "Hani", 0.99,
                           "subtitle"),
              OnscreenItem("Jinan, City of Springs", (300, 450, 540, 470), 400, 2700, "Latn",
                           0.99, "subtitle"),
              OnscreenItem("泉城济南", (20, 20, 180, 70), 0, 9000, "Hani", 0.99, "caption")]
    rules = subs.Rules(max_chars_per_line=16, max_cps=9)
    lines = screen_lines(words, screen, "zh", rules)
    assert lines is not None
    assert [(ln.cue.text, ln.origin) for ln in lines] == [("济南被称为泉城", "screen"),
                                                         ("欢迎你们", "asr")]
    assert (lines[0].cue.start, lines[1].cue.start) == (500, 5000)
    assert screen_lines(words, screen[2:], "zh", rules) is None  # a caption is no transcript


@pytest.fixture(scope="module")
def reader() -> Any:
    from pipeline.engines.pool import EnginePool

    return EnginePool().reader("rapidocr")


def _read(reader: Any, mp4: Path, t: float) -> list[Any]:
    import numpy as np

    return reader.read(mt.frame(mp4, t).astype(np.uint8))


def _cues(path: Path) -> list[Any]:
    from pipeline import subtitles as subs

    return subs.load_srt(path)


def _han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _overlaps(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_translated_versions_cover_the_burned_subtitles(burned: Burned, reader: Any,
                                                        lang: str) -> None:
    """Must-show 2 (its subtitle part): read back by OCR at the middle of each of the
    version's subtitles, the bottom band holds exactly the version's words, no Chinese, and
    no two text boxes in the picture overlap."""
    mp4 = burned.out / "quancheng_burned" / lang / f"quancheng_burned.{lang}.landscape.mp4"
    cues = _cues(burned.out / "quancheng_burned" / lang / "subtitles.srt")
    assert len(cues) == len(SENTENCES)
    for cue in cues:
        lines = _read(reader, mp4, (cue.start + cue.end) / 2000)
        band = [ln for ln in lines if (ln.box[1] + ln.box[3]) / 2 > SIZE[1] * 0.75]
        assert not any(_han(ln.text) for ln in band), [ln.text for ln in band]
        assert " ".join(ln.text for ln in band) == cue.text.replace("\n", " ")
        boxes = [ln.box for ln in lines]
        assert not any(_overlaps(a, b) for n, a in enumerate(boxes) for b in boxes[n + 1:]), lines


def test_the_source_language_version_shows_each_subtitle_once(burned: Burned,
                                                              reader: Any) -> None:
    """Must-show 3: the zh deliverable burns no second copy of what the screen shows."""
    mp4 = burned.out / "quancheng_burned" / "zh" / "quancheng_burned.zh.landscape.mp4"
    for truth in burned.burned[:len(SENTENCES)]:
        lines = _read(reader, mp4, (truth.start + truth.end) / 2)
        band = [ln.text for ln in lines if (ln.box[1] + ln.box[3]) / 2 > SIZE[1] * 0.75]
        assert band == [truth.text]


def _textless(root: Path, scan: str) -> RunResult:
    media = root / "media"
    media.mkdir(parents=True)
    audio, placed = mt.speech_track(TEXTLESS_SPEECH, lead=0.6, pause=0.8, tail=0.8)
    mt.write_wav(root / "speech.wav", audio)
    d = round(len(audio) / mt.RATE, 2)
    mt.ffmpeg("-i", str(root / "speech.wav"), "-filter_complex", TEXTLESS.format(d=d, zoom=d * 0.6),
              "-map", "[v]", "-map", "0:a", "-t", str(d), "-c:v", "libx264", "-preset", "ultrafast",
              "-c:a", "aac", "-ar", "48000", str(media / "textless.mp4"))
    data = dict(config(scan), source_language="en", languages=["en", "pt"],
                transcribe={"model": "tiny.en"})
    (root / "pipeline.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return run_pipeline(root / "pipeline.yaml")


def test_a_picture_without_text_finds_nothing_and_changes_nothing(
        tmp_path: Path) -> None:
    """Must-show 4: gradients, texture, motion: the scan finds no text, and every deliverable
    is byte-identical to the run with the scan off."""
    on = _textless(tmp_path / "on", "rapidocr")
    assert on.code == 0, on.stderr
    record = json.loads((tmp_path / "on" / "outputs" / "textless" / "source" / "onscreen.json")
                        .read_text(encoding="utf-8"))
    assert record["items"] == [] and record["samples"] > 20
    print(f"scan: {record['reads']} read(s) of {record['samples']} pictures")
    work = tmp_path / "off"
    shutil.copytree(tmp_path / "on", work)
    data = yaml.safe_load((work / "pipeline.yaml").read_text(encoding="utf-8"))
    data["scan"] = {"engine": "none"}
    (work / "pipeline.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    off = run_pipeline(work / "pipeline.yaml")
    assert off.code == 0, off.stderr
    assert any(o["stage"] == "render" and o["status"] == "ran" for o in off.outcomes)
    for lang in ("en", "pt"):
        name = f"textless/{lang}/textless.{lang}.landscape.mp4"
        assert (tmp_path / "on" / "outputs" / name).read_bytes() == \
            (work / "outputs" / name).read_bytes(), name
    assert _cues(work / "outputs" / "textless" / "pt" / "subtitles.srt")  # subtitles burned


def test_an_edited_source_line_is_covered_and_burned_the_others_left_to_the_screen() -> None:
    from pipeline import subtitles as subs
    from pipeline.onscreen.cover import Frame, plan
    from pipeline.onscreen.model import Onscreen, OnscreenItem

    shown = Onscreen(854, 480, [
        OnscreenItem("济南被称为泉城", (312, 408, 541, 453), 600, 2700, "Hani", 0.99, "subtitle"),
        OnscreenItem("趵突泉的泉水从地下涌出", (251, 409, 600, 452), 3000, 6000, "Hani", 0.99,
                     "subtitle"),
        OnscreenItem("泉城济南", (25, 14, 178, 69), 0, 12000, "Hani", 0.99, "caption")])
    cues = [subs.Cue(700, 2300, "济南被称为泉城"), subs.Cue(3100, 5700, "趵突泉的泉水\n从地下涌出"),
            subs.Cue(7000, 8000, "欢迎")]
    same = plan(shown, cues, "cover", own_language=True)
    assert same.cues == (cues[2],) and same.band is None  # only what the screen lacks
    edited = [cues[0], subs.Cue(3100, 5700, "趵突泉的泉水从地下喷涌而出"), cues[2]]
    fix = plan(shown, edited, "cover", own_language=True)
    assert fix.cues == (edited[1], edited[2]) and fix.windows == ((3000, 6000),)
    other = plan(shown, cues, "cover", own_language=False)
    assert other.cues == tuple(cues) and other.windows == ((600, 6000),)  # one band, no blink
    assert other.band is not None and other.band[1] < 408 and other.band[3] > 453
    assert plan(shown, cues, "keep", own_language=False).band is None
    assert plan(shown, cues, "keep", own_language=True).cues == (cues[2],)
    assert plan(shown, cues, "above", own_language=False).top == 408
    # a 16:9 source boxed into a vertical frame: the band stays on the picture
    x, y, w, h = Frame(360, 640, "pad").box((0, 400, 854, 460), 854, 480)
    assert (x, w) == (0, 360) and 320 - 101 < y < 320 + 101 and h > 0


def test_the_cover_band_is_drawn_under_the_subtitles_in_real_ffmpeg(tmp_path: Path) -> None:
    """The band is opaque while its window lasts and gone after it."""
    import numpy as np

    from pipeline.av import filtergraph as fg

    band = fg.Cover(0, 120, 320, 60, ((0.0, 0.4),))
    out = fg.OutputSpec("wide", 320, 180, "pad", True, None, "file:out.mp4", covers=(band,))
    args = fg.video_args(["-f", "lavfi", "-i", "color=c=white:s=320x180:r=25:d=0.8"], [out],
                         fps=25, crf=18, preset="superfast", fonts_dir=None)
    mt.ffmpeg(*args, cwd=tmp_path)
    during, after = mt.frame(tmp_path / "out.mp4", 0.2), mt.frame(tmp_path / "out.mp4", 0.6)
    assert np.median(during[125:175]) < 30 and np.median(during[20:100]) > 230
    assert np.median(after[125:175]) > 230


def _onscreen_qa(out: Path) -> dict[str, list[dict[str, Any]]]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {d["lang"]: [f for f in d["qa"] if f["kind"] == "onscreen"]
            for d in manifest["deliverables"] if d["video"] == "quancheng_burned"}


def test_qa_reads_each_version_back_and_flags_text_left_under_it(burned: Burned,
                                                                 tmp_path: Path) -> None:
    """The render reads its picture back where the source has burned-in subtitles: nothing
    to flag when they are covered; with render.source_subtitles: keep, the en and pt
    subtitles burned over the Chinese ones do not read as themselves: findings, and --strict
    fails those versions."""
    assert _onscreen_qa(burned.out) == {"en": [], "pt": [], "zh": []}
    work = tmp_path / "keep"
    shutil.copytree(burned.root, work)
    data = yaml.safe_load((work / "pipeline.yaml").read_text(encoding="utf-8"))
    data["render"]["source_subtitles"] = "keep"
    (work / "pipeline.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    kept = run_pipeline(work / "pipeline.yaml", "--strict")
    ran = {(o["stage"], o["lang"]) for o in kept.outcomes if o["status"] == "ran"}
    assert ran == {("render", "en"), ("render", "pt"), ("render", "zh")}
    qa = _onscreen_qa(work / "outputs")
    for lang in ("en", "pt"):  # OCR reads the two texts burned together as a garble
        assert "unreadable" in {f["rule"] for f in qa[lang]}, qa[lang]
    assert qa["zh"] == []  # the screen's own subtitles, shown once
    assert kept.code == 1 and "FAILED qa quancheng_burned/en" in kept.stderr.replace(" ", " ")
