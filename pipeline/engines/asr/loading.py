"""Loading one named Whisper model with the engine that runs it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.engines.asr.base import AsrOptions, Recognizer
from pipeline.errors import ConfigError


def load_recognizer(engine: str, options: AsrOptions, detector: Callable[[], Any]) -> Recognizer:
    if engine == "faster-whisper":
        from pipeline.engines.asr.whisper_ct2 import FasterWhisper

        return FasterWhisper(options, detector)
    if engine == "openai-whisper":
        from pipeline.engines.asr.whisper_torch import OpenAIWhisper

        return OpenAIWhisper(options)
    raise ConfigError(f"transcribe.engine: unknown engine {engine!r}")
