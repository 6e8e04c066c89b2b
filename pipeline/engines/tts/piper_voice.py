"""Piper neural TTS, offline; voices are .onnx files (packaged, in assets/voices, or cached)."""

from __future__ import annotations

import importlib.metadata
import wave
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pipeline.engines.models import piper_voice_file
from pipeline.engines.tts.lexicon import apply_lexicon, spoken_text

def identity(name: str, search_dirs: list[Path], digest: Callable[[Path], str]) -> dict[str, Any]:
    """What determines a Piper voice's audio, without loading it: the sha256 of its .onnx and
    .onnx.json, the voice and piper's version."""
    path = piper_voice_file(name, search_dirs)
    config = path.with_suffix(".onnx.json")
    return {"engine": "piper", "voice": name, "model_sha256": digest(path),
            "config_sha256": digest(config) if config.is_file() else None,
            "piper": importlib.metadata.version("piper-tts")}


class PiperTTS:
    def __init__(self, name: str, search: list[Path], shared: dict[str, Any]) -> None:
        from piper import PiperVoice

        self.path = piper_voice_file(name, search)
        self.voice = PiperVoice.load(self.path)

    def synthesize(self, text: str, out_wav: Path, rate: float = 1.0,
                   lexicon: Mapping[str, str] | None = None) -> None:
        """Lexicon respellings are read; a `/phonemes/` entry falls back to the word."""
        from piper import SynthesisConfig

        text = spoken_text(apply_lexicon(text, lexicon or {}))

        # zero noise: the same text gives the same audio, so reruns are reproducible
        config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, length_scale=1.0 / rate)
        with wave.open(str(out_wav), "wb") as w:
            self.voice.synthesize_wav(text, w, syn_config=config)
