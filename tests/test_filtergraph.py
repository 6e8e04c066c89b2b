"""pipeline/av/filtergraph.py: golden argv lists, and the graphs run through the real ffmpeg
(levels measured on the samples ffmpeg writes, not on the expression text)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from pipeline.av import filtergraph as fg
from pipeline import subtitles as subs

SR = 48000
FMT = "aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo"

LANDSCAPE = fg.OutputSpec("landscape", 1280, 720, "pad", True, "landscape.ass", "file:out.landscape.mp4")
VERTICAL = fg.OutputSpec("vertical", 720, 1280, "crop", False, "vertical.ass", "file:out.vertical.mp4")


def _encode(preset: str, crf: str, gop: str, target: str, label: str) -> list[str]:
    return ["-map", label, "-an", "-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p",
            "-preset", preset, "-crf", crf, "-g", gop, "-flags", "+cgop", "-map_metadata", "-1",
            "-f", "mp4", target]


# --- video_args: golden ------------------------------------------------------------------

def test_video_args_one_profile() -> None:
    args = fg.video_args("file:src.mp4", [LANDSCAPE], fps=25, crf=20, preset="veryfast", fonts_dir=None)
    assert args == [
        "-v", "error", "-i", "file:src.mp4", "-filter_complex",
        "[0:v:0]null[v0];"
        "[v0]scale=1280:720:force_original_aspect_ratio=decrease,"
        "pad=1280:720:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1[f0];"
        "[f0]format=yuv420p,ass=filename=landscape.ass:shaping=complex[o0]",
        *_encode("veryfast", "20", "12", "file:out.landscape.mp4", "[o0]"),
    ]


def test_video_args_two_profiles_share_one_decode() -> None:
    args = fg.video_args("file:src.mp4", [LANDSCAPE, VERTICAL], fps=30, crf=23, preset="fast",
                         fonts_dir="fonts", limit=10)
    assert args == [
        "-v", "error", "-t", "10.000", "-i", "file:src.mp4", "-filter_complex",
        "[0:v:0]split=2[v0][v1];"
        "[v0]scale=1280:720:force_original_aspect_ratio=decrease,"
        "pad=1280:720:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1[f0];"
        "[f0]format=yuv420p,ass=filename=landscape.ass:fontsdir=fonts:shaping=complex[o0];"
        "[v1]scale=720:1280:force_original_aspect_ratio=increase,crop=720:1280,setsar=1[f1];"
        "[f1]format=yuv420p,ass=filename=vertical.ass:fontsdir=fonts:shaping=complex[o1]",
        *_encode("fast", "23", "15", "file:out.landscape.mp4", "[o0]"),
        *_encode("fast", "23", "15", "file:out.vertical.mp4", "[o1]"),
    ]
    assert args.count("-i") == 1  # one decode of the source


def _probe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json",
                          str(path)], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def test_video_graph_runs_in_real_ffmpeg_for_every_fit(tmp_path: Path) -> None:
    """pad, crop and blur of a 4:3 picture into three frames, each with its own ASS file."""
    outputs = [fg.OutputSpec("wide", 320, 180, "pad", True, "wide.ass", "file:wide.mp4"),
               fg.OutputSpec("tall", 180, 320, "crop", True, "tall.ass", "file:tall.mp4"),
               fg.OutputSpec("blur", 180, 320, "blur", False, "blur.ass", "file:blur.mp4")]
    for o in outputs:
        style = subs.AssStyle(o.width, o.height, "DejaVu Sans", 16, 10, 1.0, 0.0)
        (tmp_path / o.ass_file).write_text(subs.ass_text([subs.Cue(0, 500, "Jinan")], style),
                                           encoding="utf-8")
    source = ["-f", "lavfi", "-i", "testsrc2=s=240x180:r=25:d=0.6"]
    args = fg.video_args(source, outputs, fps=25, crf=35, preset="superfast", fonts_dir=None)
    subprocess.run(["ffmpeg", "-nostdin", "-y", *args], cwd=tmp_path, check=True, capture_output=True)
    for o in outputs:
        info = _probe(tmp_path / o.target.removeprefix("file:"))
        (video,) = info["streams"]  # -an: the picture only
        assert (video["width"], video["height"]) == (o.width, o.height)
        assert (video["codec_name"], video["profile"], video["pix_fmt"]) == ("h264", "High", "yuv420p")



def test_languages_of_one_frame_share_the_fitting_and_each_burns_its_own_text(tmp_path: Path) -> None:
    """Two languages of one profile: one decode, one scale, two different burns."""
    outputs = [fg.OutputSpec("wide", 320, 180, "pad", True, f"{lang}.ass", f"file:{lang}.mp4")
               for lang in ("en", "pt")]
    for o, text in zip(outputs, ("Jinan", "Jinan e a cidade das fontes")):
        style = subs.AssStyle(o.width, o.height, "DejaVu Sans", 18, 10, 1.0, 0.0)
        (tmp_path / o.ass_file).write_text(subs.ass_text([subs.Cue(0, 1000, text)], style),
                                           encoding="utf-8")
    args = fg.video_args(["-f", "lavfi", "-i", "color=c=0x204060:s=240x180:r=25:d=0.6"], outputs,
                         fps=25, crf=30, preset="superfast", fonts_dir=None)
    graph = args[args.index("-filter_complex") + 1]
    assert graph.count("scale=") == 1 and "split=2[b0][b1]" in graph
    subprocess.run(["ffmpeg", "-nostdin", "-y", *args], cwd=tmp_path, check=True, capture_output=True)
    frames = []
    for o in outputs:
        raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(tmp_path / o.target[5:]),
                              "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                             check=True, capture_output=True).stdout
        frames.append(np.frombuffer(raw, np.uint8).reshape(180, 320).astype(int))
    bottom = slice(120, 180)
    for frame in frames:  # white text in the bottom band of each
        assert (frame[bottom] > 200).sum() > 50
    assert np.abs(frames[0][bottom] - frames[1][bottom]).mean() > 2  # and not the same text


def test_mux_copies_streams_and_puts_the_index_first() -> None:
    args = fg.mux_args("file:/t/v0.mp4", "file:/t/audio.m4a", "file:/o/out.mp4")
    assert args[args.index("-c") + 1] == "copy" and "+faststart" in args
    assert ["-map", "1:a:0"] == args[args.index("1:a:0") - 1:args.index("1:a:0") + 1]
    silent = fg.mux_args("file:/t/v0.mp4", None, "file:/o/out.mp4")
    assert "1:a:0" not in silent and silent.count("-i") == 1


# --- mix_args: golden ----------------------------------------------------------------------

WINDOWS = [(1.0, 2.0), (2.3, 4.0), (8.0, 9.0)]  # the first two are closer than 0.6 s: one duck
DUCKED = ("volume=volume='1-0.874107*max(clip(min((t-0.850)/0.15,(4.150-t)/0.15),0,1),"
          "clip(min((t-7.850)/0.15,(9.150-t)/0.15),0,1))':eval=frame")
NARR = f"[1:a:0]{FMT},apad,atrim=0:12.500[narr];[orig][narr]amix=inputs=2:normalize=0:duration=first,ebur128=framelog=verbose[mix]"
TAIL = ["-map", "[mix]", "-c:a", "pcm_f32le", "-f", "wav", "file:mix.wav"]


@pytest.mark.parametrize(("mode", "orig"), [
    ("voiceover", f"{FMT},{DUCKED}"),
    ("replace", f"{FMT},volume=0"),
    ("none", FMT),
])
def test_mix_args(mode: str, orig: str) -> None:
    args = fg.mix_args("file:src.mp4", "file:narr.wav", 12.5, mode, WINDOWS, -18, "file:mix.wav")
    assert args == ["-v", "info", "-i", "file:src.mp4", "-i", "file:narr.wav", "-filter_complex",
                    f"[0:a:0]{orig},apad,atrim=0:12.500[orig];{NARR}", *TAIL]


def test_mix_args_without_source_audio_uses_silence() -> None:
    args = fg.mix_args(None, "file:narr.wav", 12.5, "none", [], -18, "file:mix.wav")
    assert args == ["-v", "info", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo",
                    "-i", "file:narr.wav", "-filter_complex",
                    f"[0:a]{FMT},apad,atrim=0:12.500[orig];{NARR}", *TAIL]


def test_mix_args_replace_with_a_music_bed_loops_and_ducks_it() -> None:
    args = fg.mix_args("file:src.mp4", "file:narr.wav", 12.5, "replace", WINDOWS, -18, "file:mix.wav",
                       music="file:bed.mp3", music_db=-12)
    assert args == ["-v", "info", "-stream_loop", "-1", "-i", "file:bed.mp3", "-i", "file:narr.wav",
                    "-filter_complex",
                    f"[0:a:0]{FMT},volume=-12dB,{DUCKED},apad,atrim=0:12.500[orig];{NARR}", *TAIL]
    assert "file:src.mp4" not in args  # the original speech is gone


# --- levels measured on what ffmpeg writes -----------------------------------------------

def _samples(args: list[str], cwd: Path) -> np.ndarray:
    """Run ffmpeg with args whose output is replaced by raw mono float samples on stdout."""
    proc = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", *args, "-ac", "1", "-ar", str(SR),
                           "-f", "f32le", "pipe:1"], cwd=cwd, check=True, capture_output=True)
    return np.frombuffer(proc.stdout, dtype="<f4")


def _tone_level(x: np.ndarray, freq: float, t0: float, t1: float) -> float:
    """Amplitude of one sine component in [t0, t1) (a whole number of periods: exact bin)."""
    chunk = x[int(t0 * SR):int(t1 * SR)].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(chunk)) * 2 / len(chunk)
    return float(spectrum[int(round(freq * (t1 - t0)))])


def _db(ratio: float) -> float:
    return 20 * np.log10(max(ratio, 1e-12))


@pytest.mark.parametrize("duck_db", [-18.0, -6.0])
def test_duck_expression_is_unity_outside_and_duck_db_inside(tmp_path: Path, duck_db: float) -> None:
    windows = [(1.0, 2.0), (3.0, 4.5)]
    expr = fg.duck_expression(windows, duck_db)
    x = _samples(["-f", "lavfi", "-i", f"sine=f=500:r={SR}:d=6",
                  "-af", f"asetnsamples=n=480,volume=volume='{expr}':eval=frame"], tmp_path)
    full = _tone_level(x, 500, 0.2, 0.7)
    assert full == pytest.approx(0.125, rel=0.01)  # the sine source's own level
    for t0 in (2.3, 5.0, 5.4):  # well outside: untouched
        assert _db(_tone_level(x, 500, t0, t0 + 0.2) / full) == pytest.approx(0, abs=0.05)
    for t0 in (1.0, 1.6, 3.0, 4.2):  # inside: exactly duck_db down
        assert _db(_tone_level(x, 500, t0, t0 + 0.2) / full) == pytest.approx(duck_db, abs=0.1)
    # on a ramp (0.15 s before a window), somewhere between the two
    mid = _db(_tone_level(x, 500, 0.90, 0.94) / full)
    assert duck_db + 1 < mid < -1


def test_duck_expression_without_windows_is_unity() -> None:
    assert fg.duck_expression([], -18) == "1"


@pytest.mark.parametrize("mode", ["voiceover", "replace", "none"])
def test_mix_in_real_ffmpeg(tmp_path: Path, mode: str) -> None:
    """The original (a 440 Hz tone) under the host (1 kHz, speaking from 2 to 4 s)."""
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=f=440:r=44100:d=8",
                    "-ac", "2", "src.wav"], cwd=tmp_path, check=True)
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    "aevalsrc=exprs=0.125*sin(2*PI*1000*t)*between(t\\,2\\,4):s=22050:d=5",
                    "narr.wav"], cwd=tmp_path, check=True)
    args = fg.mix_args("file:src.wav", "file:narr.wav", 8.0, mode, [(2.0, 4.0)], -18, "file:mix.wav")
    subprocess.run(["ffmpeg", "-nostdin", "-y", *args], cwd=tmp_path, check=True, capture_output=True)
    info = _probe(tmp_path / "mix.wav")
    (audio,) = info["streams"]
    assert (audio["sample_rate"], audio["channels"]) == ("48000", 2)
    assert float(info["format"]["duration"]) == pytest.approx(8.0, abs=0.01)

    x = _samples(["-i", "mix.wav"], tmp_path)
    before, during, after = (0.5, 1.0), (2.5, 3.5), (6.0, 7.0)
    host = _tone_level(x, 1000, *during)
    assert host == pytest.approx(0.125, rel=0.02)  # the host at its own level, whatever the mode
    assert _tone_level(x, 1000, *before) < 1e-3
    orig = {span: _tone_level(x, 440, *span) for span in (before, during, after)}
    if mode == "voiceover":
        assert orig[before] == pytest.approx(0.125, rel=0.02)
        assert orig[after] == pytest.approx(0.125, rel=0.02)
        assert _db(orig[during] / orig[before]) == pytest.approx(-18, abs=0.2)
    elif mode == "replace":
        assert max(orig.values()) < 1e-4
    else:
        assert all(v == pytest.approx(0.125, rel=0.02) for v in orig.values())


# --- merge_windows -----------------------------------------------------------------------

@pytest.mark.parametrize(("windows", "merged"), [
    ([], []),
    ([(1.0, 2.0)], [(1.0, 2.0)]),
    ([(1.0, 2.0), (2.5, 3.0)], [(1.0, 3.0)]),  # 0.5 s apart: one duck
    ([(1.0, 2.0), (3.0, 4.0)], [(1.0, 2.0), (3.0, 4.0)]),
    ([(5.0, 6.0), (1.0, 2.0), (2.2, 3.0)], [(1.0, 3.0), (5.0, 6.0)]),  # unsorted input
    ([(1.0, 5.0), (2.0, 3.0)], [(1.0, 5.0)]),  # contained
    ([(1.0, 2.0), (1.5, 2.5), (2.9, 3.0), (3.5, 4.0)], [(1.0, 4.0)]),  # a chain
])
def test_merge_windows(windows: list[tuple[float, float]], merged: list[tuple[float, float]]) -> None:
    assert fg.merge_windows(windows) == merged


def test_merge_windows_at_exactly_the_join_gap_keeps_two() -> None:
    assert fg.merge_windows([(1.0, 2.0), (2.5, 3.0)], join_gap=0.5) == [(1.0, 2.0), (2.5, 3.0)]
    assert fg.merge_windows([(1.0, 2.0), (2.25, 3.0)], join_gap=0.5) == [(1.0, 3.0)]


def test_merge_windows_with_no_join_gap_keeps_touching_windows_apart() -> None:
    assert fg.merge_windows([(1.0, 2.0), (2.0, 3.0)], join_gap=0) == [(1.0, 2.0), (2.0, 3.0)]
    assert fg.merge_windows([(1.0, 2.0), (1.9, 3.0)], join_gap=0) == [(1.0, 3.0)]


def test_big_frames_fall_back_to_more_decodes() -> None:
    """One decode feeds at most eight 1080p frames (about 230 MB of x264 each, measured)."""
    from pipeline.stages.render import versions_per_decode

    hd = (1920, 1080)
    assert versions_per_decode([(1280, 720)]) == 18  # the demo: every language at once
    assert versions_per_decode([hd, (1080, 1920), hd]) == 2  # the default three profiles
    assert versions_per_decode([(3840, 2160)]) == 2  # 4K deliverables
    assert versions_per_decode([(7680, 4320), (7680, 4320)]) == 1  # never less than one
