"""Profiles' delivery settings in pipeline.yaml: presets merged with overrides, the errors a
user sees, and the ffmpeg arguments each setting becomes (golden, no binary run)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.av import filtergraph as fg
from pipeline.av.presets import PRESETS
from pipeline.config import load_config
from pipeline.errors import ConfigError
from pipeline.stages.render import Profile, profiles_of, rate_text


def config(tmp_path: Path, render: dict, **more: object) -> Path:
    path = tmp_path / "pipeline.yaml"
    path.write_text(yaml.safe_dump({"languages": ["en", "pt"], "render": render, **more}),
                    encoding="utf-8")
    return path


def test_a_profile_starts_from_a_preset_and_overrides_it(tmp_path: Path) -> None:
    c = load_config(config(tmp_path, {
        "loudness_lufs": -16,
        "profiles": {"tv": {"preset": "broadcast-ebu"},
                     "reels": {"preset": "vertical-social", "max_kbps": 6000},
                     "web": {"width": 1280, "height": 720, "fit": "black"}}})).config
    by_name = {p.name: p for p in profiles_of(c)}
    tv, reels, web = by_name["tv"], by_name["reels"], by_name["web"]
    assert (tv.width, tv.height, tv.loudness_lufs, tv.true_peak_db, tv.fps, tv.burn) == \
        (1920, 1080, -23.0, -1.0, 25.0, False)
    assert c.render.profiles["tv"].captions == ["imsc", "ebu-stl", "srt"]
    assert (reels.width, reels.height, reels.max_kbps, reels.safe_bottom) == (1080, 1920, 6000, 0.35)
    # no preset: the render-wide loudness, black is pad, the rest as before
    assert web == Profile("web", 1280, 720, "pad", True, 1.0, None, None, -16.0, -1.0)


def test_every_preset_is_a_valid_profile(tmp_path: Path) -> None:
    c = load_config(config(tmp_path, {"profiles": {name.replace("-", "_"): {"preset": name}
                                                   for name in PRESETS}})).config
    assert len(c.render.profiles) == len(PRESETS) == 6
    assert not c.render.profiles["outdoor_screen"].audio


@pytest.mark.parametrize(("render", "more", "message"), [
    ({"profiles": {"tv": {"preset": "bbc"}}}, {}, "preset 'bbc' is not built in; use one of youtube"),
    ({"profiles": {"tv": {"preset": "agency", "captions": ["dfxp"]}}}, {}, "'dfxp' is not a caption format"),
    ({"profiles": {"tv": {"preset": "agency"}}},
     {"delivery": {"outlets": {"rts": {"profiles": ["web"]}}}}, "'web' is not a render profile"),
    ({"profiles": {"tv": {"preset": "agency"}}},
     {"delivery": {"outlets": {"rts": {"preset": "broadcast-ebu"}}}},
     "no render profile has preset 'broadcast-ebu'"),
    ({"profiles": {"tv": {"preset": "agency"}}},
     {"delivery": {"outlets": {"rts": {"profiles": ["tv"], "languages": ["zh"]}}}},
     "'zh' is not in languages"),
    ({"profiles": {"tv": {"preset": "agency"}}}, {"delivery": {"outlets": {"rts": {}}}},
     "needs profiles: [...] or preset: NAME"),
])
def test_bad_delivery_settings_name_the_key_and_what_is_allowed(
        tmp_path: Path, render: dict, more: dict, message: str) -> None:
    with pytest.raises(ConfigError) as e:
        load_config(config(tmp_path, render, **more))
    assert message in str(e.value)


def test_frame_rates_gop_and_bitrate_cap_become_encoder_arguments() -> None:
    assert [rate_text(r) for r in (25.0, 29.97, 23.976, 59.94, 30.0)] == \
        ["25", "30000/1001", "24000/1001", "60000/1001", "30"]
    out = fg.OutputSpec("tv", 1920, 1080, "pad", True, None, "file:tv.mp4", fps="30000/1001",
                        gop=15, max_kbps=8000)
    args = fg.video_args("file:src.mp4", [out], fps=25, crf=20, preset="veryfast", fonts_dir=None)
    graph = args[args.index("-filter_complex") + 1]
    assert graph.endswith("[f0]fps=30000/1001,format=yuv420p,null[o0]")  # clean: no burn
    assert args[args.index("-crf"):args.index("-flags")] == [
        "-crf", "20", "-maxrate", "8000k", "-bufsize", "16000k", "-g", "15"]
