"""Piper neural TTS, offline; voices are .onnx files (packaged, in assets/voices, or cached)."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

from pipeline.cache import canonical_hash
from pipeline.engines.models import piper_voice_file

_LOADED: dict[str, Any] = {}  # one loaded voice per file per process


class PiperTTS:
    def __init__(self, name: str, search: list[Path], rate: float = 1.0) -> None:
        self.path = piper_voice_file(name, search)
        self.rate = rate
        self.identity: dict[str, Any] = {
            "engine": "piper", "voice": name, "rate": rate,
            "model_size": self.path.stat().st_size,
            "config": canonical_hash(self.path.with_suffix(".onnx.json").read_text(encoding="utf-8")),
        }

    def _voice(self) -> Any:
        key = str(self.path)
        if key not in _LOADED:
            from piper import PiperVoice

            _LOADED[key] = PiperVoice.load(self.path)
        return _LOADED[key]

    def synthesize(self, text: str, out_wav: Path) -> None:
        from piper import SynthesisConfig

        # zero noise: the same text gives the same audio, so reruns are reproducible
        config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, length_scale=1.0 / self.rate)
        with wave.open(str(out_wav), "wb") as w:
            self._voice().synthesize_wav(text, w, syn_config=config)
