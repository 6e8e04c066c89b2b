"""Piper neural TTS, offline; voices are .onnx files (packaged, in assets/voices, or cached)."""

from __future__ import annotations

import importlib.metadata
import wave
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pipeline.engines.models import piper_voice_file, sha256_file
from pipeline.engines.tts.lexicon import apply_lexicon, spoken_text

_LOADED: dict[str, Any] = {}  # one loaded voice per file per process


def identity(spec: str, search_dirs: list[Path], rate: float = 1.0,
             digest: Callable[[Path], str] = sha256_file) -> dict[str, Any]:
    """What determines a Piper voice's audio, without loading it: the sha256 of its .onnx and
    .onnx.json, the voice, the rate and piper's version."""
    name = spec.partition(":")[2].strip() if ":" in spec else spec.strip()
    path = piper_voice_file(name, search_dirs)
    config = path.with_suffix(".onnx.json")
    return {"engine": "piper", "voice": name, "rate": rate, "model_sha256": digest(path),
            "config_sha256": digest(config) if config.is_file() else None,
            "piper": importlib.metadata.version("piper-tts")}


class PiperTTS:
    def __init__(self, name: str, search: list[Path], rate: float = 1.0) -> None:
        self.path = piper_voice_file(name, search)
        self.rate = rate
        self.identity: dict[str, Any] = identity(name, search, rate)

    def _voice(self) -> Any:
        key = str(self.path)
        if key not in _LOADED:
            from piper import PiperVoice

            _LOADED[key] = PiperVoice.load(self.path)
        return _LOADED[key]

    def synthesize(self, text: str, out_wav: Path,
                   lexicon: Mapping[str, str] | None = None) -> None:
        """Lexicon respellings are read; a `/phonemes/` entry falls back to the word."""
        from piper import SynthesisConfig

        text = spoken_text(apply_lexicon(text, lexicon or {}))

        # zero noise: the same text gives the same audio, so reruns are reproducible
        config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, length_scale=1.0 / self.rate)
        with wave.open(str(out_wav), "wb") as w:
            self._voice().synthesize_wav(text, w, syn_config=config)
