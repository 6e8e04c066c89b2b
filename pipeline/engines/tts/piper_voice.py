"""Piper neural TTS, offline; voices are .onnx files (packaged, in assets/voices, or cached)."""

from __future__ import annotations

import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.engines.models import piper_voice_file


def voice_identity(name: str, search: list[Path], digest: Callable[[Path], str]) -> dict[str, Any]:
    """The voice's model and its config, by content: a replaced file is another voice."""
    path = piper_voice_file(name, search)
    return {"engine": "piper", "voice": name, "model": digest(path),
            "config": digest(path.with_suffix(".onnx.json"))}


class PiperTTS:
    def __init__(self, name: str, search: list[Path]) -> None:
        from piper import PiperVoice

        self.path = piper_voice_file(name, search)
        self.voice = PiperVoice.load(self.path)

    def synthesize(self, text: str, out_wav: Path, rate: float = 1.0) -> None:
        from piper import SynthesisConfig

        # zero noise: the same text gives the same audio, so reruns are reproducible
        config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, length_scale=1.0 / rate)
        with wave.open(str(out_wav), "wb") as w:
            self.voice.synthesize_wav(text, w, syn_config=config)
