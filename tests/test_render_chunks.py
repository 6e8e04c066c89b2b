"""The render in chunks (pipeline/av/chunks.py): windows on the frame grid, a chunk's
argv, an edit that encodes only the chunk it touches into the same bytes a cold render
makes, and subtitles crossing a chunk's edge on the frames a whole-file render shows them."""

from __future__ import annotations

import json
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pipeline.av import filtergraph as fg
from pipeline.av import chunks
from tests import mediatools as mt
from tests.conftest import run_pipeline, write_config, write_srt

VIDEO = "clip"
SIZE = (320, 180)
# pt: one line inside the first chunk (0-2 s), one crossing the edge at 2 s, one crossing 4 s
PT = [(0.3, 1.2, "Primeira"), (1.5, 2.5, "Cruza a borda"), (3.0, 5.5, "Terceira linha")]


# --- windows and argv (no ffmpeg) ---------------------------------------------------------

def _frames(windows: list[chunks.ChunkWindow], rate: Fraction, total: int,
            limit: float | None = None) -> list[list[int]]:
    """Each window's frames of an output at `rate`: the frames its trim keeps."""
    found = []
    for w in windows:
        start, end = w.span(rate, limit)
        found.append([i for i in range(total) if i / rate >= start
                      and (end is None or i / rate < end)])
    return found


def test_windows_cut_every_frame_into_exactly_one_chunk() -> None:
    rate = Fraction(25)
    windows = chunks.chunk_windows(60.0, rate, 10.0)
    assert [(float(w.start), w.end and float(w.end)) for w in windows] == \
        [(0.0, 10.0), (10.0, 20.0), (20.0, 30.0), (30.0, 40.0), (40.0, 50.0), (50.0, None)]
    assert [w.seek(True) for w in windows] == [0.0, 9.5, 19.5, 29.5, 39.5, 49.5]
    assert [w.seek(False) for w in windows] == [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
    assert len(chunks.chunk_windows(64.9, rate, 10.0)) == 6  # the rest joins the last one
    assert len(chunks.chunk_windows(65.0, rate, 10.0)) == 7
    assert len(chunks.chunk_windows(60.0, rate, 0)) == 1
    # the source's grid, 29.97 and 30 fps outputs of a 25 fps source: every frame once, in order
    for out_rate, total in ((rate, 1500), (Fraction(30000, 1001), 1798), (Fraction(30), 1800)):
        cut = _frames(windows, out_rate, total)
        assert [i for part in cut for i in part] == list(range(total))
        assert cut[1][0] == int(np.ceil(10 * out_rate))  # a chunk starts at its first frame
    # a 29.97 source: windows of 300 of its frames
    ntsc = Fraction(30000, 1001)
    cut = _frames(chunks.chunk_windows(20.0, ntsc, 10.0), ntsc, 599)
    assert [len(part) for part in cut] == [300, 299]
    # a sample's limit ends the last window
    assert _frames(chunks.chunk_windows(4.0, rate, 2.0), rate, 150, limit=4.0)[-1][-1] == 99


def test_a_chunk_keeps_the_source_times_for_its_burn() -> None:
    out = fg.OutputSpec("wide", 320, 180, "pad", True, "w.ass", "file:c.mp4",
                        span=(1.99, 3.99))
    args = fg.video_args("file:src.mp4", [out], fps=25, crf=30, preset="superfast",
                         fonts_dir=None, seek=1.5)
    assert args[:8] == ["-v", "error", "-copyts", "-start_at_zero", "-ss", "1.500000",
                        "-i", "file:src.mp4"]
    graph = args[args.index("-filter_complex") + 1]
    assert graph.endswith("[f0]format=yuv420p,trim=start=1.990000:end=3.990000,"
                          "ass=filename=w.ass:shaping=complex,setpts=PTS-STARTPTS[o0]")
    keyed = fg.video_args("file:src.mp4", [out], fps=25, crf=30, preset="superfast",
                          fonts_dir=None, seek=2.0, to_key=True)
    assert keyed[:8] == ["-v", "error", "-copyts", "-start_at_zero", "-noaccurate_seek",
                         "-ss", "2.000000", "-i"]
    first = fg.video_args("file:src.mp4", [fg.OutputSpec("wide", 320, 180, "pad", True, None,
                                                         "file:c.mp4", span=(0.0, None))],
                          fps=25, crf=30, preset="superfast", fonts_dir=None, seek=0.0)
    assert first[:5] == ["-v", "error", "-copyts", "-start_at_zero", "-i"]
    assert first[first.index("-filter_complex") + 1].endswith(
        "[f0]format=yuv420p,null,setpts=PTS-STARTPTS[o0]")
    assert fg.mux_args("file:l.txt", None, "file:o.mp4", chunks=True)[:6] == \
        ["-v", "error", "-f", "concat", "-i", "file:l.txt"]


# --- a render in chunks (real ffmpeg) -----------------------------------------------------

def _config(chunk_s: float) -> dict[str, Any]:
    w, h = SIZE
    return {
        "inputs": ["media/*.mp4"], "languages": ["en", "pt"],
        "translate": {"glossary": None, "provided": "translations/{video}.{lang}.srt"},
        "narration": {"mode": "none"},
        "subtitles": {"size": 0.1},
        "render": {"profiles": {"landscape": {"width": w, "height": h},
                                "tv": {"width": w, "height": h, "fps": 30}},
                   "preset": "superfast", "crf": 30, "chunk_s": chunk_s},
        "executor": {"jobs": 1},
        "scan": {"engine": "none"},
    }



@pytest.fixture(scope="module")
def chunked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 6 s clip, en (a script) and pt (provided), rendered in 2 s chunks."""
    root = tmp_path_factory.mktemp("chunks")
    (root / "media").mkdir()
    (root / "translations").mkdir()
    mt.make_video(root / "media" / f"{VIDEO}.mp4", 6.0, picture="color=c=0x204060")
    (root / "media" / f"{VIDEO}.script.txt").write_text("One line\nAnother line\n",
                                                        encoding="utf-8")
    write_srt(root / "translations" / f"{VIDEO}.pt.srt", PT)
    run = run_pipeline(write_config(root, _config(2.0)))
    assert run.code == 0, run.stderr
    return root


def _deliverable(root: Path, lang: str, profile: str) -> Path:
    return root / "outputs" / VIDEO / lang / f"{VIDEO}.{lang}.{profile}.mp4"


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _chunks_made(root: Path, lang: str) -> dict[str, Any]:
    state = json.loads((root / "outputs" / VIDEO / ".state" / f"render.{lang}.json")
                       .read_text(encoding="utf-8"))
    return state["extra"]["chunks"]


def _rendered(outcomes: list[dict[str, Any]]) -> dict[str | None, str]:
    return {o["lang"]: o["status"] for o in outcomes if o["stage"] == "render"}


@pytest.mark.slow
def test_an_edit_encodes_only_its_chunk_into_the_bytes_of_a_cold_render(chunked: Path,
                                                                        tmp_path: Path) -> None:
    work = tmp_path / "work"
    shutil.copytree(chunked, work, symlinks=True)
    config = work / "pipeline.yaml"
    assert _chunks_made(work, "pt") == {"landscape": {"chunks": 3, "encoded": 3},
                                        "tv": {"chunks": 3, "encoded": 3}}
    untouched = _sha(_deliverable(work, "pt", "tv"))
    srt = work / "outputs" / VIDEO / "pt" / "subtitles.srt"
    srt.write_text(srt.read_text(encoding="utf-8").replace("Primeira", "Primeiro"),
                   encoding="utf-8")
    edit = run_pipeline(config)
    assert edit.code == 0, edit.stderr
    assert _rendered(edit.outcomes) == {"en": "cached", "pt": "ran"}
    # the first line lies in the first chunk: one chunk of each profile encoded again
    assert _chunks_made(work, "pt") == {"landscape": {"chunks": 3, "encoded": 1},
                                        "tv": {"chunks": 3, "encoded": 1}}
    edited = {p: _sha(_deliverable(work, "pt", p)) for p in ("landscape", "tv")}
    assert edited["tv"] != untouched
    # the chunk cache holds what the deliverables are joined from, nothing older
    store = work / "outputs" / ".pipeline" / "chunks" / VIDEO / "render"
    assert len(list(store.glob("*.mp4"))) == 4 * 3
    # a cold render of the edited versions (cache emptied, every chunk encoded): same bytes
    shutil.rmtree(store)
    cold = run_pipeline(config, "--only", "render", "--force")
    assert cold.code == 0, cold.stderr
    assert _chunks_made(work, "pt")["landscape"] == {"chunks": 3, "encoded": 3}
    assert {p: _sha(_deliverable(work, "pt", p)) for p in ("landscape", "tv")} == edited
    # landscape alone: its windows decoded from their own key frames, not half a second
    # early for tv's frame-rate conversion; the same frames, the same bytes
    alone = _config(2.0)
    del alone["render"]["profiles"]["tv"]
    shutil.rmtree(store)
    run = run_pipeline(write_config(work, alone), "--only", "render", "--force")
    assert run.code == 0, run.stderr
    assert _sha(_deliverable(work, "pt", "landscape")) == edited["landscape"]


def _packets(path: Path) -> list[tuple[float, bool]]:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                          "packet=pts_time,flags", "-of", "csv=p=0", str(path)],
                         capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.split():
        pts, flags = line.split(",")[:2]
        found.append((float(pts), "K" in flags))
    return sorted(found)


def _ink_frames(path: Path) -> list[int]:
    """The frames (in order) whose lower half holds white subtitle ink."""
    w, h = SIZE
    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "rawvideo",
                          "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, h, w)
    return [i for i, f in enumerate(frames) if (f[h // 2:] > 200).sum() > 10]


def _expected(rate: int, total: int) -> list[int]:
    return [i for i in range(total) if any(a <= i / rate < b for a, b, _ in PT)]


@pytest.mark.slow
def test_subtitles_across_a_chunk_edge_show_on_the_frames_of_a_whole_file_render(
        chunked: Path, tmp_path: Path) -> None:
    """pt's second line (1.5-2.5 s) crosses the edge at 2 s, its third (3.0-5.5 s) the one at
    4 s: each shows on exactly the frames it covers, at the source's 25 fps and converted to
    30 fps, as in the render of the whole file in one piece; every chunk starts on a key frame
    and the joined file has every frame once, evenly spaced."""
    for profile, rate in (("landscape", 25), ("tv", 30)):
        path = _deliverable(chunked, "pt", profile)
        packets = _packets(path)
        assert len(packets) == 6 * rate
        assert np.allclose([t for t, _ in packets], np.arange(6 * rate) / rate, atol=1e-3)
        keys = {round(t * rate) for t, key in packets if key}
        assert {0, 2 * rate, 4 * rate} <= keys
        assert max(np.diff(sorted(keys))) <= round(rate / 2)  # the profile's GOP (0.5 s)
        assert _ink_frames(path) == _expected(rate, 6 * rate), profile
        assert mt.duration(path) == pytest.approx(6.0, abs=0.05)
    whole = tmp_path / "whole"
    shutil.copytree(chunked, whole, symlinks=True)
    run = run_pipeline(write_config(whole, _config(0)), "--only", "render")
    assert run.code == 0, run.stderr
    assert _chunks_made(whole, "pt")["tv"] == {"chunks": 1, "encoded": 1}
    for profile in ("landscape", "tv"):
        assert _ink_frames(_deliverable(whole, "pt", profile)) == \
            _ink_frames(_deliverable(chunked, "pt", profile))
