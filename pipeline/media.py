"""The only module that runs ffmpeg and ffprobe. Commands are argv lists, never shell strings.

Paths reach ffmpeg as `file:` URLs (so a colon in a name is not read as a protocol) and files
named inside filter graphs are put in a temp folder under fixed ASCII names and the command
runs there (cwd), so no path ever needs filter-graph escaping.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import MediaError


def ffmpeg_bin() -> str:
    return shutil.which("ffmpeg") or "ffmpeg"


def ffprobe_bin() -> str:
    return shutil.which("ffprobe") or "ffprobe"


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "duration": self.duration,
            "has_video": self.has_video,
            "has_audio": self.has_audio,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "rotation": self.rotation,
            "ffprobe": self.raw,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Probe:
        return cls(d["duration"], d["has_video"], d["has_audio"], d["width"], d["height"],
                   d["fps"], d["rotation"], d.get("ffprobe", {}))


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


def extract_audio(src: Path, dst: Path, rate: int = 16000) -> None:
    """Decode the first audio stream to mono PCM WAV at `rate`. The full decode also catches
    damage inside the stream that probing misses."""
    stderr = run_ffmpeg(
        ["-v", "error", "-i", file_url(src), "-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(rate),
         "-c:a", "pcm_s16le", "-f", "wav", file_url(dst)],
        what=str(src),
    )
    if "Invalid data" in stderr or "corrupt" in stderr.lower():
        raise MediaError(f"{src}: audio stream is damaged ({_last_lines(stderr, 1)}); re-export it")


def stretch_to_wav(src: Path, dst: Path, tempo: float, rate: int) -> None:
    """Resample a voice clip to `rate` mono and speed it up by `tempo` keeping the pitch."""
    filters = [f"aresample={rate}"]
    if abs(tempo - 1.0) > 1e-3:
        filters.append(f"atempo={tempo:.4f}")
    run_ffmpeg(["-v", "error", "-i", file_url(src), "-af", ",".join(filters), "-ac", "1",
                "-c:a", "pcm_s16le", "-f", "wav", file_url(dst)], what=str(src))


def loudness(path: Path, true_peak: bool = True) -> dict[str, float]:
    """Integrated loudness (LUFS) and, unless true_peak is False (it costs a 4x upsampling),
    true peak (dBTP) of a file's first audio stream."""
    stderr = run_ffmpeg(["-i", file_url(path), "-map", "0:a:0", "-af",
                         "ebur128=peak=true" if true_peak else "ebur128", "-f", "null", "-"],
                        what=str(path))
    return parse_loudness(stderr)


def parse_loudness(stderr: str) -> dict[str, float]:
    """The summary an ebur128 filter prints when its graph ends."""
    summary = stderr[stderr.rfind("Summary:"):]
    result: dict[str, float] = {}
    for line in summary.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "I:":
            result["integrated_lufs"] = float(parts[1])
        elif len(parts) >= 3 and parts[0] == "Peak:":
            result["true_peak_dbtp"] = float(parts[1])
    return result
