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
EN_TITLE = "Jinan, City of Springs"
# what each version's title and lower third must read (letters only, any case)
CAPTIONS = {"en": ("jinancityofsprings", "baotuspring"),
            "pt": ("jinancidadedasnascentes", "nascentebaotu")}
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
CHROMIUM = Path("/usr/bin/chromium")  # as tests/test_review_browser.py drives it
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
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
    plain, duration, placed = mt.zh_clip(root, SENTENCES, SIZE)
    burned = [mt.Burned(p.text, "subtitle", p.start - 0.1, p.end + 0.3) for p in placed]
    burned += [mt.Burned(TITLE, "title", 0, duration), mt.Burned(LOWER_THIRD, "lower_third", 3, 6)]
    mt.burn_text(plain, media / "quancheng_burned.mp4", burned, SIZE)
    (root / "translations").mkdir()
    write_srt(root / "translations" / "quancheng_burned.en.srt",
              [(b.start, b.end, en) for b, en in zip(burned, ENGLISH)])
    # the producer's English for the title (the lower third is a glossary name)
    write_srt(root / "translations" / "quancheng_burned.en.captions.srt",
              [(0, duration, EN_TITLE)])
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


# ----------------------------------------------------------------- captions (issue 20, item 4)


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _caption_box(burned: Burned, text: str) -> tuple[int, int, int, int]:
    item = next(i for i in burned.source("onscreen.json")["items"] if i["text"] == text)
    return tuple(item["box"])  # type: ignore[return-value]


def _read_near(reader: Any, mp4: Path, t: float, box: tuple[int, ...]) -> str:
    """What OCR reads at t in the area of a caption (its box grown to fit a translation)."""
    h = box[3] - box[1]
    area = (box[0] - 2 * h, box[1] - h, box[2] + 8 * h, box[3] + h)
    lines = _read(reader, mp4, t)
    inside = [ln for ln in lines if area[0] <= (ln.box[0] + ln.box[2]) / 2 <= area[2]
              and area[1] <= (ln.box[1] + ln.box[3]) / 2 <= area[3]]
    return " ".join(ln.text for ln in sorted(inside, key=lambda ln: (ln.box[1], ln.box[0])))


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_title_and_lower_third_read_in_the_version_language(burned: Burned, reader: Any,
                                                            lang: str) -> None:
    """Must-show 2 (the captions): read back by OCR where the title and the lower third are,
    each version shows their translation with the glossary's names and no Chinese."""
    from pipeline import subtitles as subs

    captions = subs.load_srt(burned.out / "quancheng_burned" / lang / "captions.srt",
                             overlapping=True)
    assert [_letters(c.text) for c in captions] == list(CAPTIONS[lang]), captions
    mp4 = burned.out / "quancheng_burned" / lang / f"quancheng_burned.{lang}.landscape.mp4"
    title, lower = CAPTIONS[lang]
    for t, box, want in ((1.5, _caption_box(burned, TITLE), title),
                         (4.5, _caption_box(burned, TITLE), title),
                         (4.5, _caption_box(burned, LOWER_THIRD), lower)):
        read = _read_near(reader, mp4, t, box)
        print(f"{lang} at {t} s: {read!r}")
        assert not _han(read), read
        assert _letters(read) == want, read


def test_the_source_language_version_keeps_its_captions(burned: Burned, reader: Any) -> None:
    assert _cues(burned.out / "quancheng_burned" / "zh" / "captions.srt") == []
    mp4 = burned.out / "quancheng_burned" / "zh" / "quancheng_burned.zh.landscape.mp4"
    assert _read_near(reader, mp4, 4.5, _caption_box(burned, LOWER_THIRD)) == LOWER_THIRD


def test_a_caption_edit_reruns_only_that_version(burned: Burned, reader: Any,
                                                 tmp_path: Path) -> None:
    """Must-show 5: one caption line edited in pt/captions.srt: only pt's render runs, the
    edit is on its frame, en and zh are untouched; then a broken edit fails pt alone with a
    one-line cause naming the file."""
    work = tmp_path / "edit"
    shutil.copytree(burned.root, work)
    out = work / "outputs" / "quancheng_burned"
    others = {lang: out / lang / f"quancheng_burned.{lang}.landscape.mp4" for lang in ("en", "zh")}
    before = {lang: (p.read_bytes(), p.stat().st_mtime_ns) for lang, p in others.items()}
    path = out / "pt" / "captions.srt"
    text = path.read_text(encoding="utf-8")
    assert "Nascente Baotu" in text
    path.write_text(text.replace("Nascente Baotu", "Parque Baotu"), encoding="utf-8")
    edited = run_pipeline(work / "pipeline.yaml")
    assert edited.code == 0, edited.stderr
    ran = {(o["stage"], o["lang"]) for o in edited.outcomes if o["status"] == "ran"}
    assert ran == {("render", "pt")}, edited.outcomes
    assert path.read_text(encoding="utf-8") == text.replace("Nascente Baotu", "Parque Baotu")
    for lang, p in others.items():
        assert (p.read_bytes(), p.stat().st_mtime_ns) == before[lang], lang
    mp4 = out / "pt" / "quancheng_burned.pt.landscape.mp4"
    assert _letters(_read_near(reader, mp4, 4.5, _caption_box(burned, LOWER_THIRD))) == \
        "parquebaotu"
    path.write_text(text.replace("00:00:00,000", "00:00:0X,000", 1), encoding="utf-8")
    broken = run_pipeline(work / "pipeline.yaml")
    assert broken.code == 1
    failed = [ln for ln in broken.stderr.splitlines() if "FAILED" in ln]
    assert len(failed) == 1 and "render quancheng_burned/pt" in failed[0], broken.stderr
    assert str(path) in failed[0] and "bad time" in failed[0], failed
    for lang, p in others.items():
        assert (p.read_bytes(), p.stat().st_mtime_ns) == before[lang], lang


def test_captions_file_is_joined_to_the_screen_by_time(tmp_path: Path) -> None:
    """Events overlap (a title over a lower third); an event whose times were changed is a
    one-line problem of the file; a deleted event leaves its caption as it is."""
    from pipeline.errors import SubtitleFileError
    from pipeline.onscreen.captions import Caption, load_captions, write_captions
    from pipeline.onscreen.model import OnscreenItem

    title = OnscreenItem(TITLE, (25, 14, 178, 69), 0, 12000, "Hani", 0.99, "caption")
    lower = OnscreenItem(LOWER_THIRD, (40, 280, 160, 320), 3000, 6000, "Hani", 0.99, "caption")
    path = tmp_path / "captions.srt"
    write_captions(path, [Caption(lower, "Baotu Spring"), Caption(title, EN_TITLE)])
    read = load_captions(path, [title, lower])
    assert [(c.item, c.text, c.translated) for c in read] == [
        (title, EN_TITLE, True), (lower, "Baotu Spring", True)]
    path.write_text(path.read_text("utf-8").replace("00:00:06,000", "00:00:07,000"), "utf-8")
    with pytest.raises(SubtitleFileError) as e:
        load_captions(path, [title, lower])
    assert str(path) in str(e.value) and "times of no caption" in str(e.value)
    assert "\n" not in str(e.value)
    write_captions(path, [Caption(title, EN_TITLE)])
    assert [c.item for c in load_captions(path, [title, lower])] == [title]


def test_a_translation_is_fitted_to_its_box() -> None:
    """The size shrinks until the text fits the box's width; two lines when that sets it
    larger; label sets it outside the subtitle band; keep sets nothing."""
    from pipeline.av.fonts import text_width
    from pipeline.onscreen.captions import Caption
    from pipeline.onscreen.captions_graph import fit, pieces, place
    from pipeline.onscreen.cover import Frame
    from pipeline.onscreen.model import OnscreenItem

    def width(text: str, size: float) -> float | None:
        return text_width(text, "Noto Sans", size, [])

    short, _ = fit("Baotu", 400, 50, 10, width)
    assert short == "Baotu"
    one, size = fit("Jinan, City of Springs", 400, 50, 10, width)
    assert (width(one, size) or 0) <= 400 and size < 50 * 1.15
    lines, two = fit("Jinan, City of Springs and its many old springs", 300, 50, 10, width)
    assert lines.count("\n") == 1 and all((width(ln, two) or 0) <= 300 for ln in lines.split("\n"))
    title = OnscreenItem(TITLE, (25, 14, 178, 69), 0, 12000, "Hani", 0.99, "caption")
    lower = OnscreenItem(LOWER_THIRD, (40, 330, 160, 370), 3000, 6000, "Hani", 0.99, "caption")
    caps = [Caption(title, EN_TITLE), Caption(lower, "Baotu Spring")]
    frame = Frame(854, 480, "pad")
    fills, windows, placed = place(caps, (854, 480), frame, "replace", 29, width)
    assert len(fills) == 2 and windows[1] == (2.75, 6.25)
    assert fills[0][0] < 25 and fills[0][1] < 14 and fills[0][0] + fills[0][2] > 178
    _, _, labels = place(caps, (854, 480), frame, "label", 29, width)
    assert all(p.y + p.size <= 480 * 0.78 for p in labels)
    assert pieces(caps, (854, 480), frame, "keep", "Noto Sans", 29, width).steps == ()
    untouched = [Caption(title, TITLE)]
    assert pieces(untouched, (854, 480), frame, "replace", "Noto Sans", 29, width).ass is None


def test_the_review_desk_lists_edits_and_binds_the_captions(burned: Burned,
                                                            tmp_path: Path) -> None:
    """Issue 20, item 6, in Debian's chromium: a version's page lists its captions on screen
    beside their translations; one is edited in place (only its text: the file changes in
    that line alone; a changed time is refused); an approval given before reads "changed
    since approval" after it; the source-language version lists none."""
    from tests.reviewdesk import Desk

    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make system-deps installs it)")
    from playwright.sync_api import sync_playwright

    work = tmp_path / "desk"
    shutil.copytree(burned.root, work)
    path = work / "outputs" / "quancheng_burned" / "pt" / "captions.srt"
    before = path.read_text(encoding="utf-8")
    with Desk(work / "pipeline.yaml") as desk, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(desk.base + "/v/quancheng_burned/pt")
        rows = page.locator("#captions tr.caption")
        assert rows.count() == 2
        assert [rows.nth(i).locator("td.original").inner_text() for i in range(2)] == \
            [TITLE, LOWER_THIRD]
        assert [rows.nth(i).locator("td.target .t").inner_text() for i in range(2)] == \
            ["Jinan, Cidade das Nascentes", "Nascente Baotu"]
        page.locator("#reviewer").fill("Ana Reviewer")
        with page.expect_navigation():
            page.locator("button.approve").click()
        assert "Approved by Ana Reviewer" in page.locator("#approval-state").inner_text()
        row = page.locator("#caption-2")
        row.locator("button.edit-caption").click()
        assert row.locator("form.edit-form input.start").get_attribute("readonly") is not None
        row.locator("form.edit-form textarea").fill("Parque Baotu")
        row.locator("form.edit-form button.save").click()
        page.wait_for_function(
            "() => document.querySelector('#caption-2 td.target .t').textContent === 'Parque Baotu'")
        assert path.read_text(encoding="utf-8") == before.replace("Nascente Baotu", "Parque Baotu")
        page.reload()
        assert "Changed since approval" in page.locator("#approval-state").inner_text()
        sha = page.locator("body").get_attribute("data-captions-sha")
        moved = desk.post("/api/v/quancheng_burned/pt/line",
                          {"which": "captions", "number": 2, "start": "00:00:03,000",
                           "end": "00:00:05,875", "text": "Parque Baotu", "sha": sha},
                          csrf=desk.csrf())
        assert moved.status == 422 and "change only its text" in moved.json()["error"]
        page.goto(desk.base + "/v/quancheng_burned/zh")
        assert page.locator("#onscreen").count() == 0
        browser.close()
        assert errors == []


@pytest.mark.parametrize("mode", ["replace", "label"])
def test_captions_graph_in_real_ffmpeg(tmp_path: Path, mode: str) -> None:
    """replace: the caption's box is filled from the picture around it while it shows (the
    dark plate is gone) and its translation is drawn there; label: the plate stays and the
    translation is drawn beside it (over it: the subtitle band begins under it); after the
    caption's time, nothing."""
    import numpy as np

    from pipeline.av import filtergraph as fg
    from pipeline.av.fonts import text_width
    from pipeline.onscreen.captions import Caption
    from pipeline.onscreen.captions_graph import pieces
    from pipeline.onscreen.cover import Frame
    from pipeline.onscreen.model import OnscreenItem

    plate = OnscreenItem(LOWER_THIRD, (40, 100, 160, 140), 0, 600, "Hani", 0.99, "caption")
    made = pieces([Caption(plate, "Baotu Spring")], (320, 180), Frame(320, 180, "pad"), mode,
                  "Noto Sans", 14, lambda t, s: text_width(t, "Noto Sans", s, []))
    assert made.ass is not None and bool(made.steps) == (mode == "replace")
    (tmp_path / "c.ass").write_text(made.ass, encoding="utf-8")
    out = fg.OutputSpec("wide", 320, 180, "pad", True, None, "file:out.mp4", fills=made.steps,
                        captions_ass="c.ass")
    source = ["-f", "lavfi", "-i", "color=c=0x808080:s=320x180:r=25:d=1.2,"
              "drawbox=x=40:y=100:w=120:h=40:color=black@1:t=fill"]
    mt.ffmpeg(*fg.video_args(source, [out], fps=25, crf=18, preset="superfast", fonts_dir=None),
              cwd=tmp_path)
    during, after = mt.frame(tmp_path / "out.mp4", 0.3), mt.frame(tmp_path / "out.mp4", 1.0)
    box = during[100:140, 40:160]
    assert np.median(after[100:140, 40:160]) < 30  # the plate, once the caption is over
    if mode == "replace":
        assert abs(np.median(box) - 128) < 12  # filled like the picture around it
        assert (box > 200).mean() > 0.03  # white letters in it
    else:
        assert np.median(box) < 30  # the original stays
        # the label over it: the subtitle band begins under it
        assert (during[75:100, 30:200] > 200).mean() > 0.005
        assert (after[75:100, 30:200] > 200).mean() == 0


def test_each_caption_takes_the_first_route_that_translates_it(tmp_path: Path) -> None:
    """The provided captions (joined by overlap, their times need not be the scan's), then a
    glossary name, else the caption as it is on screen with a warning naming the files to
    fix; the captions in the version's own script are not in the file."""
    from pipeline import subtitles as subs
    from pipeline.engines.pool import EnginePool
    from pipeline.stages.base import Job, RunContext
    from pipeline.stages.captions import Captions, CaptionsParams
    from pipeline.workspace import Layout, Task

    items = [{"text": TITLE, "box": [25, 14, 178, 69], "start": 0, "end": 12000,
              "script": "Hani", "confidence": 0.99, "kind": "caption"},
             {"text": LOWER_THIRD, "box": [40, 280, 160, 320], "start": 3000, "end": 6000,
              "script": "Hani", "confidence": 0.99, "kind": "caption"},
             {"text": "大明湖", "box": [600, 20, 700, 60], "start": 7000, "end": 9000,
              "script": "Hani", "confidence": 0.99, "kind": "caption"},
             {"text": "Welcome", "box": [600, 300, 700, 340], "start": 7000, "end": 9000,
              "script": "Latn", "confidence": 0.99, "kind": "caption"}]
    onscreen = tmp_path / "onscreen.json"
    onscreen.write_text(json.dumps({"width": 854, "height": 480, "items": items}), "utf-8")
    (tmp_path / "glossary.csv").write_text(GLOSSARY, encoding="utf-8")
    write_srt(tmp_path / "given.srt", [(0.5, 10, "Jinan, Cidade das Nascentes")])
    paths = Layout(tmp_path / "out", tmp_path)
    task = Task("captions", "v", "pt")
    params = CaptionsParams("pt", "zh", 3, "auto", (("zh", None),), None, "given.srt", None,
                            "given.srt")
    job = Job(task, params, {"onscreen": onscreen, "glossary": tmp_path / "glossary.csv",
                             "provided": tmp_path / "given.srt"}, {})
    result = Captions().run(RunContext(paths, EnginePool()), job)
    cues = subs.load_srt(paths.captions_srt("v", "pt"), overlapping=True)
    assert [(c.start, c.end, c.text) for c in cues] == [
        (0, 12000, "Jinan, Cidade das Nascentes"), (3000, 6000, "Nascente Baotu"),
        (7000, 9000, "大明湖")]
    assert [c["via"] for c in result.extra["captions"]] == ["provided", "glossary", "none"]
    assert len(result.warnings) == 1 and "大明湖" in result.warnings[0]
    assert "given.srt" in result.warnings[0] and "pt/captions.srt" in result.warnings[0]
