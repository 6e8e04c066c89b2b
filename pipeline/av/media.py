"""The only module that runs ffmpeg and ffprobe. Commands are argv lists, never shell strings.

Paths reach ffmpeg as `file:` URLs (so a colon in a name is not read as a protocol) and files
named inside filter graphs are put in a temp folder under fixed ASCII names and the command
runs there (cwd), so no path ever needs filter-graph escaping.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import wave
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline import records
import numpy as np

from pipeline.errors import MediaError


def ffmpeg_bin() -> str:
    return shutil.which("ffmpeg") or "ffmpeg"


def ffprobe_bin() -> str:
    return shutil.which("ffprobe") or "ffprobe"


@lru_cache(maxsize=1)
def ffmpeg_version() -> str:
    """ffmpeg's version line: part of what names a cached encode (render's chunks), so one
    file is never joined from the work of two builds."""
    try:
        proc = subprocess.run([ffmpeg_bin(), "-version"], capture_output=True, check=False)
    except FileNotFoundError as e:
        raise MediaError("ffmpeg is not installed; run `make demo` or apt-get install ffmpeg") from e
    lines = proc.stdout.decode("utf-8", errors="replace").splitlines()
    return lines[0].strip() if lines else "unknown"


def file_url(path: Path) -> str:
    """An input/output argument ffmpeg reads as a plain file whatever the name contains."""
    return "file:" + str(Path(path).resolve())


def _last_lines(stderr: str, n: int = 2) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    return " | ".join(lines[-n:]) if lines else "no message"


def run_ffmpeg(args: list[str], *, what: str, cwd: Path | None = None) -> str:
    """Run ffmpeg with args; return its stderr; raise MediaError naming `what` on failure."""
    cmd = [ffmpeg_bin(), "-nostdin", "-hide_banner", "-y", *args]
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError as e:
        raise MediaError("ffmpeg is not installed; run `make demo` or apt-get install ffmpeg") from e
    stderr = proc.stderr.decode("utf-8", errors="replace")
    if proc.returncode != 0:
        raise MediaError(f"{what}: ffmpeg failed: {_last_lines(stderr)}")
    return stderr


@dataclass(frozen=True)
class Probe:
    duration: float
    has_video: bool
    has_audio: bool
    width: int
    height: int
    fps: float
    rotation: int
    raw: dict[str, Any]
    # what the decode check found (extract); its `usable` seconds are what every profile of
    # every version renders (less than `duration` only for a damaged source kept on purpose)
    decode: DecodeReport | None = None

    @property
    def usable_duration(self) -> float:
        """Seconds to render: the whole container, or the part that decodes."""
        return self.decode.usable if self.decode is not None else self.duration

    def with_decode(self, report: DecodeReport) -> Probe:
        return replace(self, decode=report)

    def as_dict(self) -> dict[str, Any]:
        found = {
            "duration": self.duration,
            "usable_duration": self.usable_duration,
            "has_video": self.has_video,
            "has_audio": self.has_audio,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "rotation": self.rotation,
            "ffprobe": self.raw,
        }
        if self.decode is not None:
            found["decode"] = self.decode.as_dict()
        return found

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Probe:
        decode = DecodeReport.from_dict(d["decode"]) if d.get("decode") else None
        return cls(d["duration"], d["has_video"], d["has_audio"], d["width"], d["height"],
                   d["fps"], d["rotation"], d.get("ffprobe", {}), decode)

    def to_json(self) -> str:
        """probe.json's text (extract writes it)."""
        return records.dumps(self.as_dict())

    @classmethod
    def from_json(cls, text: str | bytes) -> Probe:
        """A probe.json read back; RecordError when a field is missing or of the wrong type."""
        f = records.parse(_ProbeFile, text)
        decode = None if f.decode is None else DecodeReport(
            f.decode.container, f.decode.audio, f.decode.video, f.decode.problems,
            f.decode.notes, f.decode.usable)
        return cls(f.duration, f.has_video, f.has_audio, f.width, f.height, f.fps, f.rotation,
                   f.ffprobe, decode)


def read_probe(path: Path) -> Probe:
    """The probe extract recorded; MediaError naming the file and the fix when it is not one
    (extract is stale then, and a run makes it again)."""
    try:
        return Probe.from_json(path.read_bytes())
    except (OSError, records.RecordError) as e:
        raise MediaError(f"{path} is not a probe record extract wrote ({e}); run the "
                         "pipeline again to probe the source anew") from None


@dataclass(frozen=True)
class _DecodeFile:
    """probe.json's `decode`, as validated."""

    container: float
    audio: float | None
    video: float | None
    usable: float
    problems: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _ProbeFile:
    """probe.json as validated (`usable_duration` is derived, and not read back)."""

    duration: float
    has_video: bool
    has_audio: bool
    width: int
    height: int
    fps: float
    rotation: int
    ffprobe: dict[str, Any]
    decode: _DecodeFile | None = None


def _fps(stream: dict[str, Any]) -> float:
    for key in ("avg_frame_rate", "r_frame_rate"):
        num, _, den = str(stream.get(key, "0/0")).partition("/")
        try:
            if float(den or 1) > 0 and float(num) > 0:
                return float(num) / float(den or 1)
        except ValueError:
            continue
    return 25.0


def _rotation(stream: dict[str, Any]) -> int:
    for side in stream.get("side_data_list", []) or []:
        if "rotation" in side:
            return int(float(side["rotation"])) % 360
    tag = (stream.get("tags") or {}).get("rotate")
    return int(tag) % 360 if tag else 0


def probe(path: Path) -> Probe:
    """Probe a media file; raise MediaError with a one-line cause when it is not usable."""
    if not path.exists():
        raise MediaError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise MediaError(f"{path}: file is empty (0 bytes); replace it with the full export")
    cmd = [ffprobe_bin(), "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
           file_url(path)]
    try:
        proc = subprocess.run(cmd, capture_output=True, check=False)
    except FileNotFoundError as e:
        raise MediaError("ffprobe is not installed; run `make demo` or apt-get install ffmpeg") from e
    stderr = proc.stderr.decode("utf-8", errors="replace")
    if proc.returncode != 0:
        hint = "the file is truncated or not a video" if "moov atom" in stderr or "Invalid data" in stderr \
            else "ffprobe cannot read it"
        raise MediaError(f"{path}: {hint} ({_last_lines(stderr, 1)}); re-export or replace the file")
    raw = json.loads(proc.stdout.decode("utf-8", errors="replace") or "{}")
    streams = raw.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not (s.get("disposition") or {}).get("attached_pic")), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None and audio is None:
        raise MediaError(f"{path}: no video or audio stream; this is not a media file")
    try:
        duration = float(str(raw.get("format", {}).get("duration") or (video or audio or {}).get("duration")))
    except (TypeError, ValueError):
        raise MediaError(f"{path}: duration unknown (damaged container); re-export the file") from None
    rotation = _rotation(video) if video else 0
    width = int(video.get("width", 0)) if video else 0
    height = int(video.get("height", 0)) if video else 0
    if rotation in (90, 270):
        width, height = height, width
    return Probe(duration, video is not None, audio is not None, width, height,
                 _fps(video) if video else 25.0, rotation, raw)


def wav_seconds(path: Path) -> float:
    """Length of a PCM WAV file in seconds (what was decoded into it)."""
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate() or 1)


def trim_wav(path: Path, seconds: float) -> None:
    """Cut a PCM WAV file to its first `seconds` in place (a kept damaged source: the sound
    past the part every stream decodes would be transcribed and then cut off)."""
    with wave.open(str(path), "rb") as w:
        params = w.getparams()
        frames = w.readframes(min(w.getnframes(), int(round(seconds * w.getframerate()))))
    with wave.open(str(path), "wb") as w:
        w.setparams(params)
        w.writeframes(frames)


@dataclass(frozen=True)
class AudioDecode:
    """What decoding a source's sound found: the seconds decoded and ffmpeg's error lines."""

    seconds: float
    errors: tuple[str, ...] = ()


def decode_audio(src: Path, dst: Path, rate: int = 16000) -> AudioDecode:
    """Decode the first audio stream to mono PCM WAV at `rate`, to the end or to the first
    point it cannot pass; report the seconds written and the errors met (never raising for
    damage: `check_source` judges it). ffmpeg failing outright raises MediaError."""
    stderr = run_ffmpeg(
        ["-v", "error", "-i", file_url(src), "-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(rate),
         "-c:a", "pcm_s16le", "-f", "wav", file_url(dst)],
        what=str(src),
    )
    errors = tuple(ln.strip() for ln in stderr.splitlines() if ln.strip())
    return AudioDecode(wav_seconds(dst), errors)



# --- is the whole source decodable? ------------------------------------------------------------

# A stream that decodes to less than its declared length by more than this is cut off.
SHORTFALL_S = 0.25
# Less than this decodes: there is nothing to keep (extract.damaged: keep fails too).
MIN_USABLE_S = 0.5
# Codecs whose every frame is a key frame: their key-frame decode would be a full decode, so
# only their packets are read.
INTRA_ONLY = frozenset({"prores", "dnxhd", "mjpeg", "ffv1", "huffyuv", "v210", "rawvideo",
                        "png", "utvideo", "cfhd", "dvvideo", "jpeg2000", "qtrle"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".mxf", ".ts",
                            ".mts", ".m2ts", ".mpg", ".mpeg", ".wmv", ".flv", ".3gp"})
_AV_LOG_ERROR = "16"


@dataclass(frozen=True)
class VideoScan:
    """The picture stream as read without a full decode: every packet's timing, and a decode
    of its key frames."""

    seconds: float  # from the first packet's start to the last one's end
    packets: int
    errors: tuple[tuple[float, str], ...] = ()  # (about when, message), in order


def _seconds(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def scan_video(src: Path, codec: str = "") -> VideoScan:
    """Read every packet of the first video stream (demuxing only) and decode its key frames:
    `ffprobe -skip_frame nokey -show_packets -show_frames -show_log`. A cut-off file shows as
    packets that stop early; a damaged key frame as a decoder error at its time. Damage in
    the frames between key frames is not seen (that would take a full decode)."""
    decode = codec not in INTRA_ONLY
    entries = "packet=pts_time,dts_time,duration_time"
    if decode:
        entries += ":frame=best_effort_timestamp_time:log=message"
    cmd = [ffprobe_bin(), "-v", "error", "-select_streams", "v:0"]
    if decode:
        cmd += ["-skip_frame", "nokey", "-show_log", _AV_LOG_ERROR]
    cmd += ["-show_entries", entries, "-of", "json", file_url(src)]
    try:
        proc = subprocess.run(cmd, capture_output=True, check=False)
    except FileNotFoundError as e:
        raise MediaError("ffprobe is not installed; run `make demo` or apt-get install ffmpeg") from e
    try:
        raw = json.loads(proc.stdout.decode("utf-8", errors="replace") or "{}")
    except ValueError:
        raw = {}
    items = raw.get("packets_and_frames") or raw.get("packets") or []
    starts, ends, errors = [], [], []
    last_time = 0.0
    for item in items:
        if item.get("type", "packet") == "packet":
            t = _seconds(item.get("pts_time"))
            t = t if t is not None else _seconds(item.get("dts_time"))
            if t is not None:
                starts.append(t)
                ends.append(t + (_seconds(item.get("duration_time")) or 0.0))
                last_time = t
        else:
            t = _seconds(item.get("best_effort_timestamp_time"))
            for log in item.get("logs") or []:
                if log.get("message"):
                    errors.append((t if t is not None else last_time, _clean_log(log["message"])))
    stderr = proc.stderr.decode("utf-8", errors="replace")
    if proc.returncode != 0 and not starts:
        raise MediaError(f"{src}: the picture cannot be read ({_last_lines(stderr, 1)}); "
                         "re-export the file")
    seconds = max(ends) - min(starts) if starts else 0.0
    return VideoScan(round(seconds, 3), len(starts), tuple(errors))


def _clean_log(message: str) -> str:
    """An ffmpeg log line without its "[h264 @ 0x55...]" context prefix."""
    return re.sub(r"^\[[^]]*@ 0x[0-9a-f]+\]\s*", "", message.strip())


def _declared(probe: Probe, codec_type: str) -> float:
    """The length the container declares for its first stream of a type (else its own)."""
    streams = [s for s in probe.raw.get("streams", []) if s.get("codec_type") == codec_type
               and not (s.get("disposition") or {}).get("attached_pic")]
    if not streams:
        return probe.duration
    value = _seconds(streams[0].get("duration"))
    tag = str((streams[0].get("tags") or {}).get("DURATION", ""))  # Matroska, WebM
    if value is None and re.fullmatch(r"\d+:\d\d:\d\d(\.\d+)?", tag):
        h, m, sec = tag.split(":")
        value = int(h) * 3600 + int(m) * 60 + float(sec)
    return value if value is not None else probe.duration


def _of(declared: float, probe: Probe) -> str:
    """" of N s" when a stream declares another length than the container."""
    return f" of its {declared:.1f} s" if abs(declared - probe.duration) > SHORTFALL_S else ""


def _more(count: int) -> str:
    return f"; {count - 1} more error{'s' if count > 2 else ''}" if count > 1 else ""


def _first_gap(src: Path, stream: str) -> float | None:
    """Where the first frame of a stream is missing: a decoder drops a frame it cannot decode,
    so the timestamps of the frames it does decode jump there (run only for a stream that
    reported errors)."""
    cmd = [ffprobe_bin(), "-v", "quiet", "-select_streams", stream, "-show_entries",
           "frame=best_effort_timestamp_time", "-of", "csv=p=0", file_url(src)]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    times = [t for row in proc.stdout.decode("utf-8", errors="replace").splitlines()
             if (t := _seconds(row.strip().strip(","))) is not None]
    for a, b, c in zip(times, times[1:], times[2:]):
        if c - b > 1.5 * max(b - a, 1e-3):
            return b + (b - a)
    return None


def _codec(probe: Probe, codec_type: str) -> str:
    streams = [s for s in probe.raw.get("streams", []) if s.get("codec_type") == codec_type]
    return str(streams[0].get("codec_name", "")) if streams else ""


@dataclass(frozen=True)
class DecodeReport:
    """Whether a source decodes to its end: the seconds of sound and of picture that decode
    (None: no such stream), the container's seconds, what is wrong (`problems`, each a short
    phrase) and what is worth a warning without being damage (`notes`)."""

    container: float
    audio: float | None
    video: float | None
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    usable: float = 0.0  # what renders: the container's length, or the part that decodes

    @property
    def damaged(self) -> bool:
        return bool(self.problems)

    @property
    def cut_off(self) -> bool:
        return self.usable < self.container - SHORTFALL_S

    def cause(self, path: Path) -> str:
        """One line: what is wrong and the fix."""
        what = "; ".join(self.problems)
        if self.usable < MIN_USABLE_S:
            return (f"{path}: {what}; re-export it (less than {MIN_USABLE_S:g} s decodes: "
                    "extract.damaged: keep has nothing to keep)")
        if self.cut_off:
            return (f"{path}: only {self.usable:.1f} s of {self.container:.1f} s can be decoded "
                    f"({what}); re-export it, or set extract.damaged: keep to deliver the first "
                    f"{self.usable:.1f} s")
        return (f"{path}: {what}; re-export it, or set extract.damaged: keep to deliver it as "
                "it decodes")

    def warning(self, path: Path) -> str:
        """One line for a damaged source kept with extract.damaged: keep."""
        what = "; ".join(self.problems)
        if self.cut_off:
            return (f"{path}: only {self.usable:.1f} s of {self.container:.1f} s can be decoded "
                    f"({what}); every version is its first {self.usable:.1f} s "
                    "(extract.damaged: keep)")
        return f"{path}: {what}; delivered as it decodes (extract.damaged: keep)"

    def enforce(self, path: Path, damaged: str) -> list[str]:
        """Apply `extract.damaged`: raise MediaError with the cause ("fail", or nothing to
        keep), or return the warnings to report ("keep", and notes such as sound only)."""
        if self.damaged and (damaged != "keep" or self.usable < MIN_USABLE_S):
            raise MediaError(self.cause(path))
        return ([self.warning(path)] if self.damaged else []) + [f"{path}: {n}" for n in self.notes]

    def as_dict(self) -> dict[str, Any]:
        return {"container": self.container, "audio": self.audio, "video": self.video,
                "usable": self.usable, "problems": list(self.problems), "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DecodeReport:
        return cls(d["container"], d.get("audio"), d.get("video"), tuple(d.get("problems", ())),
                   tuple(d.get("notes", ())), d.get("usable", d["container"]))


def check_source(src: Path, probe: Probe, audio: AudioDecode | None) -> DecodeReport:
    """Whether the source decodes to its end, without a full decode of its picture: `audio`
    is what decode_audio found (the sound is decoded anyway, to 16 kHz), the picture is read
    by scan_video. A stream that decodes to less than its declared length (SHORTFALL_S) is
    cut off; an error while decoding the sound or a key frame is damage."""
    problems: list[str] = []
    notes: list[str] = []
    ends: list[float] = []  # where a cut-off stream stops
    video_s: float | None = None
    if probe.has_video:
        scan = scan_video(src, _codec(probe, "video"))
        video_s = scan.seconds
        declared = _declared(probe, "video")
        if scan.packets == 0:
            problems.append("the picture stream is empty")
            ends.append(0.0)
        elif video_s < declared - SHORTFALL_S:
            problems.append(f"the picture stops at {video_s:.1f} s{_of(declared, probe)}")
            ends.append(video_s)
        elif scan.errors:
            t, message = scan.errors[0]
            problems.append(f"the picture is damaged near {t:.1f} s ({message}"
                            f"{_more(len(scan.errors))})")
    elif src.suffix.lower() in VIDEO_SUFFIXES:
        notes.append("holds sound only (no picture stream): its versions show a black picture")
    audio_s: float | None = None
    if audio is not None:
        audio_s = round(audio.seconds, 3)
        declared = _declared(probe, "audio")
        if audio_s < min(MIN_USABLE_S, declared - SHORTFALL_S) or (audio_s == 0 and declared > 0):
            problems.append(f"the sound stream is empty ({audio_s:.1f} s of {probe.duration:.1f} s)")
            ends.append(audio_s)
        elif audio_s < declared - SHORTFALL_S:
            problems.append(f"the sound stops at {audio_s:.1f} s{_of(declared, probe)}")
            ends.append(audio_s)
        elif audio.errors:
            near = _first_gap(src, "a:0")
            where = f" near {near:.1f} s" if near is not None else ""
            problems.append(f"the sound is damaged{where} ({_clean_log(audio.errors[0])}"
                            f"{_more(len(audio.errors))})")
    usable = min([probe.duration, *ends])
    return DecodeReport(probe.duration, audio_s, video_s, tuple(problems), tuple(notes),
                        round(usable, 3))


def tempo_filter_value(tempo: float) -> str:
    """The atempo value a speed-up is applied with ("1" when it is none)."""
    return "1" if abs(tempo - 1.0) <= 1e-3 else f"{tempo:.4f}"


def stretch_to_wav(src: Path, dst: Path, tempo: float, rate: int) -> None:
    """Resample a voice clip to `rate` mono and speed it up by `tempo` keeping the pitch."""
    filters = [f"aresample={rate}"]
    value = tempo_filter_value(tempo)
    if value != "1":
        filters.append(f"atempo={value}")
    run_ffmpeg(["-v", "error", "-i", file_url(src), "-af", ",".join(filters), "-ac", "1",
                "-c:a", "pcm_s16le", "-f", "wav", file_url(dst)], what=str(src))


def loudness(path: Path, true_peak: bool = True, short_term: bool = False) -> dict[str, float]:
    """Integrated loudness (LUFS) and, unless true_peak is False (it costs a 4x upsampling),
    true peak (dBTP) of a file's first audio stream; with short_term, also the loudest 3 s
    (EBU R128 s1 caps it for short-form content)."""
    chain = "ebur128=peak=true" if true_peak else "ebur128"
    if short_term:
        chain += ":framelog=info"
    stderr = run_ffmpeg(["-i", file_url(path), "-map", "0:a:0", "-af", chain, "-f", "null", "-"],
                        what=str(path))
    return parse_loudness(stderr)


_SHORT_TERM = re.compile(r"\bS:\s*(-?\d+(?:\.\d+)?)")


def parse_loudness(stderr: str) -> dict[str, float]:
    """The summary an ebur128 filter prints when its graph ends, and the loudest short-term
    value of its frame log when it printed one (from 3 s in: before that the window is not
    full)."""
    start = stderr.rfind("Summary:")
    summary = stderr[start:]
    result: dict[str, float] = {}
    frames = [line for line in stderr[:start].splitlines() if " t: " in line]
    short = [float(m.group(1)) for line in frames
             if (m := _SHORT_TERM.search(line)) and _frame_time(line) >= 3.0]
    if short:
        result["max_short_term_lufs"] = max(short)
    for line in summary.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "I:":
            result["integrated_lufs"] = float(parts[1])
        elif len(parts) >= 3 and parts[0] == "Peak:":
            result["true_peak_dbtp"] = float(parts[1])
    return result


def _frame_time(line: str) -> float:
    m = re.search(r" t:\s*(\d+(?:\.\d+)?)", line)
    return float(m.group(1)) if m else 0.0


def gray_frames(src: Path, width: int, height: int, fps: float,
                limit: float | None = None, *, start: float = 0.0,
                count: int | None = None, skip_unreferenced: bool = False) -> Iterator[np.ndarray]:
    """The source's picture as grey width x height frames, `fps` a second from t=0 (frame i
    at i/fps), read from one ffmpeg process through a pipe: for measuring where text is
    (the scan stage), never for making pictures.

    skip_unreferenced: the decoder skips the pictures no other picture is predicted from
    (most B-frames): a sample may then show the picture a frame or three (40-120 ms at 25 fps)
    before its time, and decoding costs 15-40% less (bench/scan_bench.py). Skipping them
    never damages another picture; a stream whose every picture is unreferenced (nothing
    comes out) is read again whole."""
    trim = ["-t", f"{limit:.3f}"] if limit else []
    seek = ["-ss", f"{start:.3f}"] if start else []
    frames = ["-frames:v", str(count)] if count else []
    skip = ["-skip_frame", "noref"] if skip_unreferenced else []
    cmd = [ffmpeg_bin(), "-nostdin", "-hide_banner", "-v", "error", *skip, *trim, *seek, "-i",
           file_url(src), "-map", "0:v:0", "-an", "-sn", "-dn", "-vf",
           f"fps={fps:g},scale={width}:{height},format=gray", *frames,
           "-f", "rawvideo", "-pix_fmt", "gray", "-"]
    size = width * height
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError as e:
        raise MediaError("ffmpeg is not installed; run `make demo` or apt-get install ffmpeg") from e
    assert proc.stdout is not None and proc.stderr is not None
    read = 0
    try:
        while len(data := proc.stdout.read(size)) == size:
            read += 1
            yield np.frombuffer(data, np.uint8).reshape(height, width)
        stderr = proc.stderr.read().decode("utf-8", errors="replace")
        if proc.wait() != 0:
            raise MediaError(f"{src}: reading the picture failed: {_last_lines(stderr)}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    if skip_unreferenced and read == 0:
        yield from gray_frames(src, width, height, fps, limit, start=start, count=count)


def gray_frame_at(src: Path, t: float) -> np.ndarray:
    """One grey picture of a file at t seconds, at its own size (QA reads it back)."""
    info = probe(src)  # its size as shown (rotation applied), as ffmpeg decodes it
    frames = list(gray_frames(src, info.width, info.height, 25.0, None, start=t, count=1))
    if not frames:
        raise MediaError(f"{src}: no picture at {t:.2f} s")
    return frames[0]
