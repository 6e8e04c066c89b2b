"""Text to speech: one interface, a backend per engine; voices are written ENGINE:VOICE."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from pipeline.errors import ConfigError


class Voice(Protocol):
    identity: dict[str, Any]

    def synthesize(self, text: str, out_wav: Path) -> None:
        """Write the spoken text as a WAV file (any rate; the caller resamples)."""


TTS_ENGINES = ("piper", "espeak", "espeak-ng", "gtts")


def split_spec(spec: str) -> tuple[str, str]:
    engine, _, name = spec.partition(":")
    return engine.strip().lower(), name.strip()


def make_voice(spec: str, search: list[Path], rate: float = 1.0) -> Voice:
    """A voice from ENGINE:VOICE; rate speeds up (>1) or slows down (<1) its natural pace."""
    engine, name = split_spec(spec)
    if engine == "piper":
        from pipeline.engines.tts.piper_voice import PiperTTS

        return PiperTTS(name, search, rate)
    if engine in ("espeak", "espeak-ng"):
        from pipeline.engines.tts.espeak import Espeak

        return Espeak(name, rate)
    if engine == "gtts":
        from pipeline.engines.tts.google import GoogleTTS

        return GoogleTTS(name)
    raise ConfigError(f"narration.voices: unknown TTS engine {engine!r} in {spec!r}; "
                      "use piper:, espeak: or gtts:")
