"""Text to speech: one interface, a backend per engine; voices are written ENGINE:VOICE."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from pipeline.errors import ConfigError


class Voice(Protocol):
    def synthesize(self, text: str, out_wav: Path, rate: float = 1.0) -> None:
        """Write the spoken text as a WAV file (any sample rate; the caller resamples);
        rate speeds the voice's natural pace up (>1) or down (<1)."""


TTS_ENGINES = ("piper", "espeak", "espeak-ng", "gtts")

Digest = Callable[[Path], str]


def split_spec(spec: str) -> tuple[str, str]:
    engine, _, name = spec.partition(":")
    return engine.strip().lower(), name.strip()


def make_voice(spec: str, search: list[Path]) -> Voice:
    """A loaded voice from ENGINE:VOICE (search: project folders with extra voice files)."""
    engine, name = split_spec(spec)
    if engine == "piper":
        from pipeline.engines.tts.piper_voice import PiperTTS

        return PiperTTS(name, search)
    if engine in ("espeak", "espeak-ng"):
        from pipeline.engines.tts.espeak import Espeak

        return Espeak(name)
    if engine == "gtts":
        from pipeline.engines.tts.google import GoogleTTS

        return GoogleTTS(name)
    raise ConfigError(f"narration.voices: unknown TTS engine {engine!r} in {spec!r}; "
                      f"use one of {', '.join(TTS_ENGINES)}")


def identity(spec: str, search: list[Path], digest: Digest) -> dict[str, Any]:
    """What decides a voice's sound, without loading it (fingerprints): the engine, the
    voice, and the content hashes of its model files. EngineError when the voice is missing."""
    engine, name = split_spec(spec)
    if engine == "piper":
        from pipeline.engines.tts.piper_voice import voice_identity

        return voice_identity(name, search, digest)
    if engine in ("espeak", "espeak-ng"):
        from pipeline.engines.tts.espeak import voice_identity as espeak_identity

        return espeak_identity(name)
    if engine == "gtts":
        return {"engine": "gtts", "voice": name}
    raise ConfigError(f"narration.voices: unknown TTS engine {engine!r} in {spec!r}")
