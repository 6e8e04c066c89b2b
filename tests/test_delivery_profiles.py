"""Delivery profiles: each carries its own loudness, frame rate, GOP, bitrate cap, picture
(burned or clean), safe area and caption size; built-in presets; and each profile is
fingerprinted on its own, so adding one encodes that one only. Measured on the delivered
files (ebur128, ffprobe, tesseract boxes), on a 6 s generated clip."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from tests import mediatools as mt
from tests.conftest import RunResult, run_pipeline, write_srt

pytestmark = pytest.mark.slow

NAME = "springs"
CUES = [(0.4, 2.8, "Baotu Spring rises"), (3.2, 5.6, "Daming Lake at dusk")]
# too long for two lines at the outdoor screen's caption height
LONG = (6.0, 7.8, "The old town's seventy-two springs feed Daming Lake all year round, even "
                  "in the driest winter.")
PROFILES: dict[str, Any] = {
    "ebu": {"preset": "broadcast-ebu", "width": 640, "height": 360},
    "social": {"preset": "vertical-social"},  # 1080x1920
    "screen": {"preset": "outdoor-screen", "width": 960, "height": 540, "min_text_px": 30},
}


def write_config(root: Path, profiles: dict[str, Any]) -> Path:
    config = {
        "inputs": ["media/*.mp4"], "source_language": "en", "languages": ["en"],
        "translate": {"glossary": None}, "narration": {"mode": "none"},
        "subtitles": {"size": 0.06},
        "render": {"profiles": profiles, "preset": "superfast", "crf": 28},
        "executor": {"jobs": 1},
    }
    path = root / "pipeline.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def delivered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunResult]:
    root = tmp_path_factory.mktemp("profiles")
    (root / "media").mkdir()
    mt.make_video(root / "media" / f"{NAME}.mp4", 8.0, picture="color=c=0x204060", size="640x360")
    write_srt(root / "media" / f"{NAME}.script.srt", [*CUES, LONG])
    result = run_pipeline(write_config(root, PROFILES))
    assert result.code == 0, result.stderr
    return root, result


def out(root: Path, profile: str) -> Path:
    return root / "outputs" / NAME / "en" / f"{NAME}.en.{profile}.mp4"


def streams(path: Path, kind: str) -> list[dict[str, Any]]:
    return [s for s in mt.probe(path)["streams"] if s["codec_type"] == kind]


def ocr_boxes(video: Path, t: float, work: Path) -> list[dict[str, Any]]:
    """Words tesseract finds in the white subtitle ink of the frame at t, with their boxes in
    the frame's pixels (the picture behind dropped, as in mediatools.read_subtitle)."""
    rgb = mt.rgb_frame(video, t)
    ink = (rgb.mean(axis=2) > 160) & ((rgb.max(axis=2) - rgb.min(axis=2)) < 60)
    page = np.where(ink, 0, 255).astype(np.uint8)
    pgm = work / f"boxes-{video.stem}-{t:.2f}.pgm"
    pgm.write_bytes(f"P5 {page.shape[1]} {page.shape[0]} 255\n".encode() + page.tobytes())
    tsv = subprocess.run(["tesseract", str(pgm), "-", "--psm", "11", "tsv"], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    head = tsv[0].split("\t")
    rows = [dict(zip(head, line.split("\t"))) for line in tsv[1:]]
    return [{"text": r["text"], "left": int(r["left"]), "top": int(r["top"]),
             "width": int(r["width"]), "height": int(r["height"]),
             "line": (r["block_num"], r["par_num"], r["line_num"])}
            for r in rows if len(r) == len(head) and r["text"].strip() and float(r["conf"]) > 50]


def test_broadcast_ebu_is_r128_clean_and_25_fps(delivered: tuple[Path, RunResult],
                                                tmp_path: Path) -> None:
    root, _ = delivered
    path = out(root, "ebu")
    lufs, peak = mt.loudness(path)
    assert abs(lufs - -23) <= 0.5 and peak <= -1.0, (lufs, peak)
    (video,) = streams(path, "video")
    assert Fraction(video["r_frame_rate"]) == 25 and (video["width"], video["height"]) == (640, 360)
    assert video["profile"] == "High"
    # a clean picture: no subtitle ink, no word at either cue
    for start, end, _ in CUES:
        assert mt.read_subtitle(path, (start + end) / 2, tmp_path).strip() == ""
    # the manifest carries the profile's own target: no loudness finding at -23
    manifest = json.loads((root / "outputs" / "manifest.json").read_text())
    assert not [f for d in manifest["deliverables"] for f in d["qa"] if f["kind"] == "loudness"]
    # EBU R128 s1 (short-form): the loudest 3 s at most -18 LUFS, measured and recorded
    (ebu,) = [d for d in manifest["deliverables"] if d["profile"] == "ebu"]
    assert ebu["loudness"]["max_short_term_lufs"] <= -18
    # a cap the mix exceeds is a QA finding (the setting is QA's alone: nothing re-renders)
    def findings(profiles: dict[str, Any]) -> int:
        config = write_config(root, profiles)
        status = subprocess.run([sys.executable, "-m", "pipeline", "status", "-c", str(config),
                                 "--json"], capture_output=True, text=True, check=True)
        (row,) = json.loads(status.stdout)
        assert row["render"] == "done"
        return int(row["qa"])

    strict = {**PROFILES, "ebu": {**PROFILES["ebu"], "max_short_term_lufs": -30}}
    assert findings(strict) == findings(PROFILES) + 1


def test_vertical_social_keeps_subtitles_in_the_safe_zone(delivered: tuple[Path, RunResult],
                                                          tmp_path: Path) -> None:
    """Meta's safe zone for Reels (no text in the top 14%, the bottom 35%, 6% at each side)
    and TikTok's (top 150 px, bottom 440 px, right 150 px)."""
    root, _ = delivered
    path = out(root, "social")
    (video,) = streams(path, "video")
    assert (video["width"], video["height"]) == (1080, 1920)
    lufs, peak = mt.loudness(path)
    assert abs(lufs - -14) <= 0.5 and peak <= -1.0, (lufs, peak)
    for start, end, text in CUES:
        boxes = ocr_boxes(path, (start + end) / 2, tmp_path)
        assert {w.lower() for w in text.split()} <= {b["text"].lower() for b in boxes}, boxes
        for b in boxes:
            assert b["left"] >= 0.06 * 1080 and b["left"] + b["width"] <= 1080 - 150, b
            assert b["top"] >= 0.14 * 1920 and b["top"] + b["height"] <= 0.65 * 1920, b


def test_outdoor_screen_is_silent_with_large_captions(delivered: tuple[Path, RunResult],
                                                      tmp_path: Path) -> None:
    root, _ = delivered
    path = out(root, "screen")
    assert streams(path, "audio") == []
    (video,) = streams(path, "video")
    assert Fraction(video["r_frame_rate"]) == 25
    for start, end, text in CUES:
        boxes = ocr_boxes(path, (start + end) / 2, tmp_path)
        assert {w.lower() for w in text.split()} <= {b["text"].lower() for b in boxes}, boxes
        assert len({b["line"] for b in boxes}) <= 2
        # capitals at least min_text_px (30) high, as tesseract boxes them (a word with no
        # descender: its box is its capital's height)
        capitals = [b for b in boxes if b["text"][0].isupper() and b["text"] != "Spring"]
        assert capitals and min(b["height"] for b in capitals) >= 30, capitals
    # the long line: wrapped to the screen's width (three lines), and a QA finding naming it
    boxes = ocr_boxes(path, (LONG[0] + LONG[1]) / 2, tmp_path)
    assert len({b["line"] for b in boxes}) == 3, boxes
    manifest = json.loads((root / "outputs" / "manifest.json").read_text())
    (screen,) = [d for d in manifest["deliverables"] if d["profile"] == "screen"]
    assert [(f["rule"], f["index"]) for f in screen["qa"] if f.get("profile") == "screen"] == \
        [("caption_fit", 3)]


def test_adding_a_profile_encodes_that_profile_only(delivered: tuple[Path, RunResult],
                                                    tmp_path: Path) -> None:
    root, _ = delivered
    before = {name: (out(root, name).stat().st_mtime_ns, out(root, name).read_bytes())
              for name in PROFILES}
    added = {**PROFILES, "agency": {"preset": "agency", "width": 480, "height": 270}}
    result = run_pipeline(write_config(root, added))
    assert result.code == 0, result.stderr
    (render,) = [o for o in result.outcomes if o["stage"] == "render"]
    assert render["status"] == "ran"
    assert "1 of 4 profile(s) encoded (agency)" in result.stderr
    for name, (mtime, data) in before.items():
        assert out(root, name).stat().st_mtime_ns == mtime and out(root, name).read_bytes() == data
    lufs, _ = mt.loudness(out(root, "agency"))
    assert abs(lufs - -23) <= 0.5
    # a profile's own setting changed: that profile alone again
    changed = {**added, "screen": {**PROFILES["screen"], "min_text_px": 36}}
    result = run_pipeline(write_config(root, changed))
    assert result.code == 0 and "1 of 4 profile(s) encoded (screen)" in result.stderr
    assert out(root, "ebu").stat().st_mtime_ns == before["ebu"][0]
    # the next run finds everything fresh
    again = run_pipeline(write_config(root, changed))
    assert [o["status"] for o in again.outcomes if o["stage"] == "render"] == ["cached"]
