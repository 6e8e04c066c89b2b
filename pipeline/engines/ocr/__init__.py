"""Text in the picture (OCR): one interface, a backend per engine.

Each backend module has a reader class, made with no arguments, and `identity(digest)`,
which says what determines what it reads (package version, model files by content) without
loading a model, so the scan stage's fingerprint can be computed on every run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.engines.ocr.base import TextReader, TextLine
from pipeline.errors import ConfigError

__all__ = ["OCR_ENGINES", "TextReader", "TextLine", "identity", "make_reader"]

# engine name -> (module, reader class): adding an engine is a module and a line here
_BACKENDS: dict[str, tuple[str, str]] = {
    "rapidocr": ("pipeline.engines.ocr.rapid", "RapidReader"),
}
OCR_ENGINES = tuple(_BACKENDS)
OFF = "none"  # scan.engine: none reads nothing (no source is decoded)


def _backend(engine: str) -> tuple[Any, str]:
    if engine not in _BACKENDS:
        raise ConfigError(f"scan.engine: unknown OCR engine {engine!r}; use "
                          f"{', '.join(OCR_ENGINES)} or {OFF}")
    module, cls = _BACKENDS[engine]
    return importlib.import_module(module), cls


def make_reader(engine: str) -> TextReader:
    """A loaded reader (the caller's engine pool keeps one per process)."""
    module, cls = _backend(engine)
    reader: TextReader = getattr(module, cls)()
    return reader


def identity(engine: str, digest: Callable[[Path], str]) -> dict[str, Any]:
    """What determines what the engine reads, without loading it; EngineError when its
    files are missing."""
    if engine == OFF:
        return {"engine": OFF}
    module, _ = _backend(engine)
    found: dict[str, Any] = module.identity(digest)
    return found
