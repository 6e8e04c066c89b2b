"""Speech recognition: one interface, a backend per engine (the table in `backends.py`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.engines.asr.backends import ENGINES, backend
from pipeline.engines.asr.base import AsrOptions, AsrSegment, AsrWord, Recognizer, Transcript

__all__ = ["ENGINES", "AsrOptions", "AsrSegment", "AsrWord", "Recognizer", "Transcript", "backend",
           "identity", "make_recognizer"]


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
    return backend(engine).load(options, detector)


Digest = Callable[[Path], str]


def identity(engine: str, options: AsrOptions, digest: Digest) -> dict[str, Any]:
    """What determines the result, without loading the model (fingerprints): the engine, its
    settings and the content hash of the model's weights (the backend says which)."""
    return backend(engine).identity(options, digest)
