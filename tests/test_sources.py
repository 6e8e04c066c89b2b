"""Odd real-world sources each give a valid deliverable: rotation metadata, variable frame
rate, 10-bit, odd sizes and 4:4:4, a sub-second clip, a 4K clip, a sound-only file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests import mediatools as mt
from tests.conftest import RunResult, run_pipeline

pytestmark = pytest.mark.slow

PICTURE = "testsrc2=s=640x360:r=25"
SOURCES: dict[str, tuple[str, list[str]]] = {  # picture source, output options
    "rotated": (f"{PICTURE}:d=4", ["-pix_fmt", "yuv420p"]),  # tagged rotate=90 below
    "vfr": (f"{PICTURE}:d=4", ["-vf", "setpts='if(lt(T,2),PTS,PTS*1.5)'", "-fps_mode", "vfr",
                               "-pix_fmt", "yuv420p"]),
    "tenbit": (f"{PICTURE}:d=4", ["-pix_fmt", "yuv420p10le"]),
    "odd_444": ("testsrc2=s=641x361:r=25:d=4", ["-pix_fmt", "yuv444p"]),
    "tiny_short": ("testsrc2=s=96x54:r=25:d=0.6", ["-pix_fmt", "yuv420p"]),
    "huge_4k": ("testsrc2=s=3840x2160:r=25:d=1.5", ["-pix_fmt", "yuv420p"]),
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunResult]:
    root = tmp_path_factory.mktemp("sources")
    media = root / "media"
    media.mkdir()
    for name, (picture, options) in SOURCES.items():
        mt.ffmpeg("-f", "lavfi", "-i", picture, "-f", "lavfi", "-i", "sine=f=300:d=4", *options,
                  "-shortest", "-c:v", "libx264", "-preset", "superfast", "-c:a", "aac",
                  str(media / f"{name}.mp4"))
    # a phone's portrait clip: a display matrix, written on a stream copy
    upright = media / "rotated.mp4"
    upright.rename(root / "upright.mp4")
    mt.ffmpeg("-i", str(root / "upright.mp4"), "-c", "copy", "-metadata:s:v:0", "rotate=90",
              str(upright))
    mt.ffmpeg("-f", "lavfi", "-i", "sine=f=300:d=4", "-c:a", "aac", str(media / "sound_only.mp4"))
    for name in [*SOURCES, "sound_only"]:
        (media / f"{name}.script.txt").write_text("Clear water rises in Jinan.\n")
    config = root / "pipeline.yaml"
    config.write_text(yaml.safe_dump({
        "inputs": ["media/*.mp4"], "languages": ["en"], "translate": {"glossary": None},
        "narration": {"voices": {"en": "espeak:en-us"}},
        "render": {"profiles": {"landscape": {"width": 640, "height": 360},
                                "vertical": {"width": 360, "height": 640, "fit": "blur"}},
                   "preset": "superfast"},
        "executor": {"jobs": 1},
        "scan": {"engine": "none"},  # testsrc2's running clock is text (test_onscreen.py)
    }))
    return root, run_pipeline(config)


@pytest.mark.parametrize("name", [*SOURCES, "sound_only"])
@pytest.mark.parametrize("profile, size", [("landscape", (640, 360)), ("vertical", (360, 640))])
def test_every_odd_source_gives_a_valid_deliverable(rendered: tuple[Path, RunResult], name: str,
                                                    profile: str, size: tuple[int, int]) -> None:
    root, result = rendered
    assert result.code == 0, result.stderr
    out = root / "outputs" / name / "en" / f"{name}.en.{profile}.mp4"
    info = mt.probe(out)
    v = next(s for s in info["streams"] if s["codec_type"] == "video")
    a = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (v["codec_name"], v["profile"], v["pix_fmt"]) == ("h264", "High", "yuv420p")
    assert (v["width"], v["height"]) == size and a["sample_rate"] == "48000"
    assert abs(mt.duration(out) - mt.duration(root / "media" / f"{name}.mp4")) <= 0.1
    mt.ffmpeg("-v", "error", "-i", str(out), "-f", "null", "-")  # decodes to the end


def test_rotation_is_applied(rendered: tuple[Path, RunResult]) -> None:
    """A 640x360 picture tagged rotate=90 is portrait: in landscape it gets side bars."""
    root, _ = rendered
    frame = mt.frame(root / "outputs" / "rotated" / "en" / "rotated.en.landscape.mp4", 1.0)
    assert frame[:, :100].mean() < 20 and frame[:, -100:].mean() < 20
    assert frame[:, 270:370].mean() > 40
