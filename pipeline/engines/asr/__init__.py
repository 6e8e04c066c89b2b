"""Speech recognition: one interface, a backend per engine."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.engines.asr.base import AsrOptions, AsrSegment, AsrWord, Recognizer, Transcript

__all__ = ["AsrOptions", "AsrSegment", "AsrWord", "Recognizer", "Transcript", "identity",
           "make_recognizer"]


def make_recognizer(engine: str, options: AsrOptions,
                    detector: Callable[[], Any] | None = None) -> Recognizer:
    """A loaded recognizer; `detector` gives the multilingual model that checks the language
    first (for an English-only model, or to choose one for `auto`); loaded when first
    needed, unless the caller shares one."""
    from pipeline.engines.asr.language import load_detector
    from pipeline.engines.models import AUTO

    detector = detector or functools.cache(load_detector)  # one load per recognizer
    if options.model == AUTO:
        from pipeline.engines.asr.choice import AutoRecognizer

        return AutoRecognizer(engine, options, detector)
    from pipeline.engines.asr.loading import load_recognizer

    return load_recognizer(engine, options, detector)


Digest = Callable[[Path], str]


def identity(engine: str, options: AsrOptions, digest: Digest) -> dict[str, Any]:
    """What determines the result, without loading the model (fingerprints): the engine, its
    settings and the content hash of the model's weights (a name is all there is for a model
    the engine downloads). `auto` left to detection names both packaged models."""
    from pipeline.engines.models import (
        AUTO,
        ENGLISH_MODEL,
        MULTILINGUAL_MODEL,
        packaged_whisper_files,
    )

    if options.model == AUTO:
        both = [identity(engine, replace(options, model=m), digest)["model"]
                for m in (ENGLISH_MODEL, MULTILINGUAL_MODEL)]
        return {"engine": engine, "model": {"auto": both}, "compute_type": options.compute_type,
                "beam_size": options.beam_size, "vad": options.vad}
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
