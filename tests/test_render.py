"""Rendering: names that break filter graphs, text that looks like ASS tags, Chinese and
Arabic glyphs, the vertical safe area, and a missing glyph caught before it becomes tofu."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

from tests import mediatools as mt
from tests.conftest import RunResult, run_pipeline, write_srt

pytestmark = pytest.mark.slow

NAME = "Jinan: 'Spring' [City], 泉城"
SAFE = "Jinan_Spring_City_泉城"  # the sanitized output name
LINE = "{\\fs200}Big"
ARABIC = "مدينة الينابيع"


def _config(root: Path, **narrow: object) -> Path:
    config = {
        "inputs": ["media/*.mp4"], "languages": ["en", "zh", "ar"],
        "translate": {"glossary": None, "provided": "translations/{video}.{lang}.srt"},
        "narration": {"mode": "none"},
        "subtitles": {"size": 0.08},
        "render": {"profiles": {"landscape": {"width": 640, "height": 360},
                                "vertical": {"width": 360, "height": 640, "fit": "blur"}},
                   "preset": "superfast", "crf": 23, "master": "landscape"},
    }
    config.update(narrow)
    path = root / "pipeline.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunResult]:
    root = tmp_path_factory.mktemp("render")
    (root / "media").mkdir()
    (root / "translations").mkdir()
    mt.make_video(root / "media" / f"{NAME}.mp4", 6.0, picture="color=c=0x204060")
    (root / "media" / f"{NAME}.script.txt").write_text(LINE + "\n", encoding="utf-8")
    write_srt(root / "translations" / f"{SAFE}.zh.srt", [(0.5, 5.5, "济南泉城")])
    write_srt(root / "translations" / f"{SAFE}.ar.srt", [(0.5, 5.5, ARABIC)])
    return root, run_pipeline(_config(root))


def _out(root: Path, lang: str, profile: str) -> Path:
    return root / "outputs" / SAFE / lang / f"{SAFE}.{lang}.{profile}.mp4"


def _cue_middle(root: Path, lang: str) -> float:
    from pipeline.subtitles import load_srt

    cue = load_srt(root / "outputs" / SAFE / lang / "subtitles.srt")[0]
    return (cue.start + cue.end) / 2000


def _ink_rows(path: Path, t: float) -> np.ndarray:
    """Rows of the frame that hold white subtitle ink."""
    rgb = mt.rgb_frame(path, t)
    ink = (rgb.mean(axis=2) > 200) & ((rgb.max(axis=2) - rgb.min(axis=2)) < 40)
    return np.nonzero(ink.sum(axis=1) > 2)[0]


def test_a_hostile_file_name_renders(rendered: tuple[Path, RunResult]) -> None:
    root, result = rendered
    assert result.code == 0, result.stderr
    manifest = json.loads((root / "outputs" / "manifest.json").read_text())
    assert len(manifest["deliverables"]) == 7  # 3 languages x 2 profiles, and the master
    for lang in ("en", "zh", "ar"):
        assert abs(mt.duration(_out(root, lang, "landscape")) - 6.0) <= 0.1


def test_the_master_carries_every_language_as_tagged_tracks(rendered: tuple[Path, RunResult],
                                                            tmp_path: Path) -> None:
    """One file for a partner channel: a clean picture, a sound and a soft subtitle track
    per language, each tagged with its ISO 639-2 code."""
    root, _ = rendered
    master = root / "outputs" / SAFE / f"{SAFE}.master.mp4"
    streams = mt.probe(master)["streams"]
    kinds = [(s["codec_type"], s["codec_name"], s.get("tags", {}).get("language")) for s in streams]
    assert kinds == [("video", "h264", "und"),
                     ("audio", "aac", "eng"), ("audio", "aac", "zho"), ("audio", "aac", "ara"),
                     ("subtitle", "mov_text", "eng"), ("subtitle", "mov_text", "zho"),
                     ("subtitle", "mov_text", "ara")]
    for s in streams[:4]:
        assert abs(float(s["duration"]) - 6.0) <= 0.1
    zh = subprocess.run(["ffmpeg", "-v", "error", "-i", str(master), "-map", "0:s:1", "-f", "srt", "-"],
                        check=True, capture_output=True, text=True).stdout
    assert "济南泉城" in zh
    # its picture came from the render's one decode, not from a second one
    state = json.loads((root / "outputs" / SAFE / ".state" / "master.json").read_text())
    assert state["extra"]["master"]["picture"] == "kept"
    # no subtitles burned into its picture, where the landscape deliverable has them
    at = _cue_middle(root, "zh")
    assert len(_ink_rows(_out(root, "zh", "landscape"), at)) > 5
    assert len(_ink_rows(master, at)) == 0


def test_ass_tags_in_text_are_shown_as_typed(rendered: tuple[Path, RunResult], tmp_path: Path) -> None:
    root, _ = rendered
    srt = (root / "outputs" / SAFE / "en" / "subtitles.srt").read_text(encoding="utf-8")
    assert LINE in srt
    video = _out(root, "en", "landscape")
    at = _cue_middle(root, "en")
    text = mt.read_subtitle(video, at, tmp_path)
    assert "Big" in text and "fs200" in text.lower(), text
    rows = _ink_rows(video, at)
    assert 0 < len(rows) < 0.15 * 360  # normal size, not a 200-px override


def test_chinese_glyphs_are_drawn(rendered: tuple[Path, RunResult], tmp_path: Path) -> None:
    root, _ = rendered
    text = mt.read_subtitle(_out(root, "zh", "landscape"), 2.0, tmp_path, lang="chi_sim")
    assert sum(ch in text for ch in "济南泉城") >= 3, text


def _text_shape(rgb: np.ndarray, size: tuple[int, int] = (24, 96)) -> np.ndarray:
    """The white text's ink, cropped to its box, resampled to one size, softened: a
    comparable shape whatever the renderer and the font size."""
    ink = (rgb.mean(axis=2) > 160) & ((rgb.max(axis=2) - rgb.min(axis=2)) < 60)
    ys, xs = np.nonzero(ink)
    assert len(ys), "no text drawn"
    box = ink[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]
    rows = (np.arange(size[0]) * box.shape[0] / size[0]).astype(int)
    cols = (np.arange(size[1]) * box.shape[1] / size[1]).astype(int)
    small = np.pad(box[rows][:, cols].astype(float), 1)
    return sum(small[dy: dy + size[0], dx: dx + size[1]] for dy in range(3) for dx in range(3)) / 9


def _likeness(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def _drawtext(tmp: Path, font: str, name: str, shaping: bool) -> np.ndarray:
    """ARABIC drawn by ffmpeg's drawtext (FreeType, HarfBuzz shaping, no font fallback)."""
    (tmp / "line.txt").write_text(ARABIC, encoding="utf-8")
    mt.ffmpeg("-f", "lavfi", "-i", "color=c=0x204060:s=640x360:d=1", "-vf",
              f"drawtext=fontfile={font}:textfile=line.txt:fontsize=29:fontcolor=white:"
              f"x=(w-tw)/2:y=h*0.8:text_shaping={int(shaping)}", "-frames:v", "1", name, cwd=tmp)
    return mt.rgb_frame(tmp / name, 0.0)


def _font_file(family: str) -> str:
    return subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True,
                          check=True).stdout


def test_arabic_is_drawn_as_shaped_letters_not_boxes(rendered: tuple[Path, RunResult],
                                                     tmp_path: Path) -> None:
    """The burned Arabic line has the shape of the same line shaped by another renderer
    (drawtext with HarfBuzz) in Noto Sans Arabic; the line drawn with a font without Arabic
    (boxes) does not, so a box-drawing render would fail this test."""
    root, _ = rendered
    frame = mt.rgb_frame(_out(root, "ar", "landscape"), 2.0)
    burned = _text_shape(frame[int(frame.shape[0] * 0.7):])
    reference = _text_shape(_drawtext(tmp_path, _font_file("Noto Sans Arabic"), "ref.mp4", True))
    boxes = _text_shape(_drawtext(tmp_path, _font_file("Noto Sans:style=Regular"), "box.mp4", False))
    assert _likeness(burned, reference) > 0.6
    assert _likeness(boxes, reference) < 0.3


def test_vertical_keeps_text_above_the_bottom_fifth(rendered: tuple[Path, RunResult]) -> None:
    root, _ = rendered
    for lang in ("en", "zh", "ar"):
        rows = _ink_rows(_out(root, lang, "vertical"), _cue_middle(root, lang))
        assert len(rows) and rows.max() < 640 * 0.8, (lang, rows.max() if len(rows) else None)


def test_a_font_without_the_glyphs_fails_instead_of_drawing_boxes(rendered: tuple[Path, RunResult],
                                                                  tmp_path: Path) -> None:
    root, _ = rendered
    copy = tmp_path / "copy"
    (copy / "media").mkdir(parents=True)
    (copy / "translations").mkdir()
    for f in (root / "media").iterdir():
        (copy / "media" / f.name).symlink_to(f)
    for f in (root / "translations").iterdir():
        (copy / "translations" / f.name).write_bytes(f.read_bytes())
    config = _config(copy, languages=["en", "ar"],
                     subtitles={"size": 0.08, "fonts": {"ar": "Noto Sans"}})
    result = run_pipeline(config)
    assert result.code == 1
    # the master carries every language: with ar failed it is skipped, not made without it
    assert [o["status"] for o in result.outcomes if o["stage"] == "master"] == ["skipped"]
    failure = next(ln for ln in result.stderr.splitlines() if ln.startswith("FAILED render"))
    assert "Noto Sans" in failure and "no glyph" in failure and "U+06" in failure
    # en shares the decode with ar, and still renders
    assert not _out(copy, "ar", "landscape").exists()
    assert mt.probe(_out(copy, "en", "landscape"))["format"]["duration"]
