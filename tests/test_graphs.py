"""Render argv builders: golden lists, and the ducking expression measured in real ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from pipeline import filtergraph as fg
from tests import mediatools as mt


def test_two_profiles_come_from_one_decode() -> None:
    outs = [fg.OutputSpec("landscape", 1280, 720, "pad", True, "p0.ass", "file:/t/v0.mp4"),
            fg.OutputSpec("vertical", 720, 1280, "crop", True, "p1.ass", "file:/t/v1.mp4")]
    args = fg.video_args("file:/s/in.mp4", outs, fps=25, crf=20, preset="veryfast", fonts_dir=None)
    graph = args[args.index("-filter_complex") + 1]
    assert args.count("-i") == 1 and graph.startswith("[0:v:0]split=2[v0][v1];")
    assert "ass=filename=p0.ass:shaping=complex[o0]" in graph
    assert "crop=720:1280" in graph and "pad=1280:720" in graph
    assert args.count("-g") == 2 and args[args.index("-g") + 1] == "12"  # closed GOP of fps/2
    for target in ("file:/t/v0.mp4", "file:/t/v1.mp4"):
        i = args.index(target)
        assert args[i - 2:i] == ["-f", "mp4"]
    assert args.count("libx264") == 2 and args.count("high") == 2 and args.count("-an") == 2


def test_mux_copies_streams_and_puts_the_index_first() -> None:
    args = fg.mux_args("file:/t/v0.mp4", "file:/t/audio.m4a", "file:/o/out.mp4")
    assert args[args.index("-c") + 1] == "copy" and "+faststart" in args
    assert ["-map", "1:a:0"] == args[args.index("1:a:0") - 1:args.index("1:a:0") + 1]
    silent = fg.mux_args("file:/t/v0.mp4", None, "file:/o/out.mp4")
    assert "1:a:0" not in silent and silent.count("-i") == 1


def test_mix_modes() -> None:
    voice = fg.mix_args("file:/s.mp4", "file:/n.wav", 10.0, "voiceover", [(1, 2)], -18, "file:/m.wav")
    assert "volume=volume='1-" in voice[voice.index("-filter_complex") + 1]
    replace = fg.mix_args("file:/s.mp4", "file:/n.wav", 10.0, "replace", [], -18, "file:/m.wav")
    assert "volume=0" in replace[replace.index("-filter_complex") + 1]
    silent = fg.mix_args(None, "file:/n.wav", 10.0, "voiceover", [], -18, "file:/m.wav")
    assert "anullsrc=r=48000:cl=stereo" in silent


def test_windows_closer_than_the_join_gap_merge() -> None:
    assert fg.merge_windows([(0, 1), (1.3, 2), (5, 6)]) == [(0, 2), (5, 6)]


def test_duck_expression_ducks_inside_windows_only(tmp_path: Path) -> None:
    expr = fg.duck_expression([(2.0, 4.0)], -18)
    out = tmp_path / "ducked.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "sine=f=440:d=6:r=48000", "-af", f"volume=volume='{expr}':eval=frame",
                    str(out)], check=True)
    samples, rate = mt.read_wav(out)
    outside = mt.rms_db(samples, rate, 0.5, 1.5)
    inside = mt.rms_db(samples, rate, 2.3, 3.7)
    assert abs((outside - inside) - 18) < 0.5
    assert abs(mt.rms_db(samples, rate, 4.5, 5.5) - outside) < 0.2
    assert np.isfinite(inside)
