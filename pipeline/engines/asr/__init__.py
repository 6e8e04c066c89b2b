"""Speech recognition: one interface, a backend per engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.engines.asr.base import AsrOptions, AsrSegment, AsrWord, Recognizer, Transcript
from pipeline.errors import ConfigError

__all__ = ["AsrOptions", "AsrSegment", "AsrWord", "Recognizer", "Transcript", "identity",
           "make_recognizer"]


def make_recognizer(engine: str, options: AsrOptions,
                    detector: Callable[[], Any] | None = None) -> Recognizer:
    """A loaded recognizer; `detector` gives the multilingual model an English-only one uses
    to check the language first (loaded when first needed, unless the caller shares one)."""
    if engine == "faster-whisper":
        from pipeline.engines.asr.language import load_detector
        from pipeline.engines.asr.whisper_ct2 import FasterWhisper

        return FasterWhisper(options, detector or load_detector)
    if engine == "openai-whisper":
        from pipeline.engines.asr.whisper_torch import OpenAIWhisper

        return OpenAIWhisper(options)
    raise ConfigError(f"transcribe.engine: unknown engine {engine!r}")


Digest = Callable[[Path], str]


def identity(engine: str, options: AsrOptions, digest: Digest) -> dict[str, Any]:
    """What determines the result, without loading the model (fingerprints): the engine, its
    settings and the content hash of the model's weights (a name is all there is for a model
    the engine downloads)."""
    from pipeline.engines.models import packaged_whisper_files

    path = Path(options.model).expanduser()
    if path.is_dir():
        files = [path / "model.bin"] if (path / "model.bin").is_file() else sorted(path.glob("*.pt"))
    elif path.is_file():
        files = [path]
    else:
        files = packaged_whisper_files(options.model) if engine == "faster-whisper" else []
    model: Any = [digest(f) for f in files] if files else f"download:{options.model}"
    return {"engine": engine, "model": model, "compute_type": options.compute_type,
            "beam_size": options.beam_size, "vad": options.vad}
