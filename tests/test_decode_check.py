"""Sources that do not decode to their end: a corpus made here with the real ffmpeg (cut off
at three points with the index in front, cut off with the index at the end, sound only in a
video file, an empty sound stream, a damaged sound packet and a damaged key frame), each
giving its one-line cause; with extract.damaged: keep, the decodable part renders, every
profile the same length."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from pipeline.av import filtergraph as fg
from pipeline.av import media
from pipeline.errors import MediaError
from tests import mediatools as mt

SECONDS = 18.6  # the issue's clip


@dataclass(frozen=True)
class Checked:
    probe: media.Probe
    report: media.DecodeReport


def check(src: Path, tmp: Path) -> Checked:
    """What extract does: probe, decode the sound to 16 kHz, check the rest."""
    info = media.probe(src)
    audio = media.decode_audio(src, tmp / f"{src.stem}.wav") if info.has_audio else None
    return Checked(info, media.check_source(src, info, audio))


def _packets(src: Path) -> list[dict[str, str]]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                          "packet=stream_index,pts_time,pos,size,flags", "-of", "json", str(src)],
                         capture_output=True, check=True)
    return json.loads(out.stdout)["packets"]


def _damage(src: Path, dst: Path, stream: int, keyframe: bool) -> float:
    """Overwrite the data of the packet of `stream` nearest the middle with random bytes
    (a damaged sector inside the mdat box); return the packet's time."""
    candidates = [p for p in _packets(src) if int(p["stream_index"]) == stream
                  and ("K" in p["flags"]) == keyframe]
    packet = min(candidates, key=lambda p: abs(float(p["pts_time"]) - SECONDS / 2))
    data = bytearray(src.read_bytes())
    pos, size = int(packet["pos"]), int(packet["size"])
    start = pos + min(16, size // 4)
    data[start:pos + size] = np.random.default_rng(7).integers(0, 256, pos + size - start,
                                                                dtype=np.uint8).tobytes()
    dst.write_bytes(bytes(data))
    return float(packet["pts_time"])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("corpus")
    front = root / "index_in_front.mp4"  # the index (moov) before the data: +faststart
    mt.ffmpeg("-f", "lavfi", "-i", f"testsrc2=s=640x360:r=25:d={SECONDS}", "-f", "lavfi", "-i",
              f"anoisesrc=color=brown:amplitude=0.1:seed=3:d={SECONDS}:r=48000",
              "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p",
              "-c:a", "aac", "-t", str(SECONDS), "-movflags", "+faststart", str(front))
    end = root / "index_at_end.mp4"
    mt.ffmpeg("-i", str(front), "-c", "copy", str(end))
    found = {"intact": front}
    for share in (25, 50, 90):
        data = front.read_bytes()
        found[f"cut_{share}"] = root / f"cut_{share}.mp4"
        found[f"cut_{share}"].write_bytes(data[: len(data) * share // 100])
    found["cut_index_at_end"] = root / "cut_index_at_end.mp4"
    found["cut_index_at_end"].write_bytes(end.read_bytes()[: end.stat().st_size // 2])
    found["sound_only"] = root / "sound_only.mp4"
    mt.ffmpeg("-f", "lavfi", "-i", "sine=f=440:d=5", "-c:a", "aac", str(found["sound_only"]))
    found["empty_sound"] = root / "empty_sound.mkv"  # Matroska keeps a track with no frames
    mt.ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=4", "-f", "lavfi", "-i",
              "anullsrc=r=48000:cl=mono", "-map", "0:v", "-map", "1:a", "-c:v", "libx264",
              "-preset", "ultrafast", "-c:a", "aac", "-frames:a", "0", "-t", "4",
              str(found["empty_sound"]))
    found["short_sound"] = root / "short_sound.mkv"  # intact: the sound just ends earlier
    mt.ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=4", "-f", "lavfi", "-i",
              "sine=f=300:d=3", "-c:v", "libx264", "-bf", "3", "-preset", "fast", "-c:a", "aac",
              str(found["short_sound"]))
    found["damaged_sound"] = root / "damaged_sound.mp4"
    _damage(front, found["damaged_sound"], stream=1, keyframe=True)
    found["damaged_keyframe"] = root / "damaged_keyframe.mp4"
    _damage(front, found["damaged_keyframe"], stream=0, keyframe=True)
    return found


@pytest.mark.parametrize(("name", "share"), [("cut_25", 0.25), ("cut_50", 0.5), ("cut_90", 0.9)])
def test_a_file_cut_off_with_its_index_in_front_names_what_decodes(
        corpus: dict[str, Path], tmp_path: Path, name: str, share: float) -> None:
    got = check(corpus[name], tmp_path)
    assert got.probe.duration == pytest.approx(SECONDS, abs=0.05)  # ffprobe alone is fooled
    r = got.report
    assert r.damaged and r.cut_off
    assert r.audio is not None and r.video is not None
    assert r.usable == min(r.audio, r.video)
    assert share - 0.1 < r.usable / SECONDS < share + 0.05, r
    cause = r.cause(corpus[name])
    assert cause.startswith(f"{corpus[name]}: only {r.usable:.1f} s of 18.6 s can be decoded (")
    assert "re-export it, or set extract.damaged: keep" in cause and "\n" not in cause
    with pytest.raises(MediaError, match="can be decoded"):
        r.enforce(corpus[name], "fail")
    (warning,) = r.enforce(corpus[name], "keep")
    assert f"every version is its first {r.usable:.1f} s" in warning


def test_the_issues_file_half_cut_off_says_9_of_18_6_seconds(corpus: dict[str, Path],
                                                              tmp_path: Path) -> None:
    """Index in front, the second half of the data cut off: rendered today as 9.2 s of
    picture and 18.6 s of sound (silent after 9.2 s), without a word."""
    r = check(corpus["cut_50"], tmp_path).report
    assert 9.0 <= r.usable <= 9.5 and 9.0 <= r.video <= 9.5  # type: ignore[operator]
    assert f"only {r.usable:.1f} s of 18.6 s can be decoded" in r.cause(corpus["cut_50"])


def test_a_file_cut_off_with_its_index_at_the_end_cannot_be_probed(corpus: dict[str, Path]) -> None:
    with pytest.raises(MediaError, match="truncated"):
        media.probe(corpus["cut_index_at_end"])


@pytest.mark.parametrize("name", ["intact", "short_sound"])
def test_intact_files_are_not_damaged(corpus: dict[str, Path], tmp_path: Path, name: str) -> None:
    got = check(corpus[name], tmp_path)
    assert not got.report.damaged and got.report.notes == (), got.report
    assert got.report.usable == got.probe.duration
    assert got.report.enforce(corpus[name], "fail") == []


def test_sound_only_in_a_video_file_is_noted_not_failed(corpus: dict[str, Path],
                                                         tmp_path: Path) -> None:
    r = check(corpus["sound_only"], tmp_path).report
    assert not r.damaged and r.video is None and r.audio == pytest.approx(5.0, abs=0.05)
    (note,) = r.enforce(corpus["sound_only"], "fail")
    assert note.startswith(f"{corpus['sound_only']}: holds sound only") and "black picture" in note


def test_an_empty_sound_stream_fails_even_when_kept(corpus: dict[str, Path], tmp_path: Path) -> None:
    r = check(corpus["empty_sound"], tmp_path).report
    assert r.damaged and r.audio == 0 and r.video == pytest.approx(4.0, abs=0.05)
    assert "the sound stream is empty (0.0 s of 4.0 s)" in r.cause(corpus["empty_sound"])
    with pytest.raises(MediaError, match="sound stream is empty.*nothing to keep"):
        r.enforce(corpus["empty_sound"], "keep")


@pytest.mark.parametrize(("name", "stream", "words"), [
    ("damaged_sound", 1, "the sound is damaged near"),
    ("damaged_keyframe", 0, "the picture is damaged near"),
])
def test_a_damaged_packet_in_the_middle_is_found_and_placed(
        corpus: dict[str, Path], tmp_path: Path, name: str, stream: int, words: str) -> None:
    at = _damage(corpus["intact"], tmp_path / "again.mp4", stream=stream, keyframe=True)
    r = check(corpus[name], tmp_path).report
    assert r.damaged and not r.cut_off and r.usable == pytest.approx(SECONDS, abs=0.05)
    (problem,) = r.problems
    assert problem.startswith(words)
    near = float(problem.split("near ")[1].split(" s")[0])
    assert abs(near - at) <= 0.1, (problem, at)
    cause = r.cause(corpus[name])
    assert "re-export it, or set extract.damaged: keep to deliver it as it decodes" in cause
    (warning,) = r.enforce(corpus[name], "keep")
    assert "delivered as it decodes" in warning


def test_the_report_travels_in_probe_json(corpus: dict[str, Path], tmp_path: Path) -> None:
    got = check(corpus["cut_50"], tmp_path)
    written = json.loads(json.dumps(got.probe.with_decode(got.report).as_dict()))
    assert written["usable_duration"] == got.report.usable and written["duration"] == got.probe.duration
    again = media.Probe.from_dict(written)
    assert again.usable_duration == got.report.usable and again.decode == got.report
    plain = media.Probe.from_dict(got.probe.as_dict())  # an older probe.json: the whole file
    assert plain.usable_duration == got.probe.duration


def _render_profiles(src: Path, probe: media.Probe, limit: float | None, tmp: Path) -> list[float]:
    """The render's own builders: one decode into two profiles (one with sound, one without),
    the sound mixed to `limit` (or the container's length, as today), then muxed."""
    profiles = [fg.OutputSpec("landscape", 320, 180, "pad", True, None,
                              media.file_url(tmp / "v-landscape.mp4")),
                fg.OutputSpec("screen", 320, 180, "pad", False, None,
                              media.file_url(tmp / "v-screen.mp4"))]
    media.run_ffmpeg(fg.video_args(media.file_url(src), profiles, fps=probe.fps, crf=30,
                                   preset="superfast", fonts_dir=None, limit=limit),
                     what="picture", cwd=tmp)
    mt.write_wav(tmp / "narration.wav", np.zeros(48000 * 2, dtype=np.int16), 48000)
    media.run_ffmpeg(fg.mix_args(media.file_url(src), media.file_url(tmp / "narration.wav"),
                                 limit or probe.duration, "voiceover", [], -18,
                                 media.file_url(tmp / "mix.wav")), what="mix", cwd=tmp)
    media.run_ffmpeg(fg.aac_args(media.file_url(tmp / "mix.wav"), media.file_url(tmp / "a.m4a")),
                     what="aac", cwd=tmp)
    lengths = []
    for o in profiles:
        out = tmp / f"{o.name}.mp4"
        media.run_ffmpeg(fg.mux_args(media.file_url(tmp / f"v-{o.name}.mp4"),
                                     media.file_url(tmp / "a.m4a") if o.audio else None,
                                     media.file_url(out)), what="mux", cwd=tmp)
        streams = mt.probe(out)["streams"]
        lengths += [float(s["duration"]) for s in streams]
    return lengths


def test_kept_the_decodable_part_renders_with_every_profile_the_same_length(
        corpus: dict[str, Path], tmp_path: Path) -> None:
    src = corpus["cut_50"]
    got = check(src, tmp_path)
    (tmp_path / "today").mkdir()
    today = _render_profiles(src, got.probe, None, tmp_path / "today")
    assert max(today) - min(today) > 5  # the issue: 9.2 s of picture, 18.6 s of sound
    (tmp_path / "kept").mkdir()
    kept = _render_profiles(src, got.probe, got.report.usable, tmp_path / "kept")
    assert len(kept) == 3  # landscape picture and sound, screen picture
    assert max(kept) - min(kept) <= 0.05, kept
    assert all(abs(length - got.report.usable) <= 0.05 for length in kept), kept


def test_the_sound_is_trimmed_to_the_usable_part(tmp_path: Path) -> None:
    mt.write_wav(tmp_path / "a.wav", np.ones(16000 * 3, dtype=np.int16), 16000)
    media.trim_wav(tmp_path / "a.wav", 1.25)
    assert media.wav_seconds(tmp_path / "a.wav") == 1.25
    samples, rate = mt.read_wav(tmp_path / "a.wav")
    assert rate == 16000 and samples.max() == 1


@pytest.mark.parametrize("damaged", ["fail", "keep"])
def test_a_run_on_a_half_cut_source(corpus: dict[str, Path], tmp_path: Path, damaged: str) -> None:
    """Through `pipeline run`: the cut-off file fails with its cause by default; with
    extract.damaged: keep every profile of the version is the decodable part, picture and
    sound alike, with a warning."""
    import yaml

    from tests.conftest import run_pipeline

    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "cut.mp4").write_bytes(corpus["cut_50"].read_bytes())
    (tmp_path / "media" / "cut.script.txt").write_text("Clear water rises.\n", encoding="utf-8")
    config = tmp_path / "pipeline.yaml"
    config.write_text(yaml.safe_dump({
        "inputs": ["media/*.mp4"], "languages": ["en"], "extract": {"damaged": damaged},
        "narration": {"mode": "voiceover"}, "executor": {"jobs": 1},
        "render": {"profiles": {"landscape": {"width": 320, "height": 180},
                                "vertical": {"width": 180, "height": 320, "fit": "blur"},
                                "screen": {"width": 320, "height": 180, "audio": False}},
                   "preset": "superfast", "crf": 30},
        "scan": {"engine": "none"}}), encoding="utf-8")  # testsrc2's clock is text
    result = run_pipeline(config)
    if damaged == "fail":
        assert result.code == 1
        (line,) = [ln for ln in result.stderr.splitlines() if ln.startswith("FAILED")]
        assert "extract cut" in line and "cut.mp4: only 9." in line and "re-export it" in line
        assert not (tmp_path / "outputs" / "cut" / "en").exists()
        return
    assert result.code == 0, result.stderr
    assert "warning" in result.stderr and "can be decoded" in result.stderr
    usable = json.loads((tmp_path / "outputs" / "cut" / "source" / "probe.json")
                        .read_text())["usable_duration"]
    assert 8 < usable < 10.5
    lengths = []
    for profile in ("landscape", "vertical", "screen"):
        out = tmp_path / "outputs" / "cut" / "en" / f"cut.en.{profile}.mp4"
        lengths += [float(s["duration"]) for s in mt.probe(out)["streams"]]
    assert len(lengths) == 5  # two profiles with picture and sound, the screen's picture
    assert all(abs(length - usable) <= 0.1 for length in lengths), (usable, lengths)
