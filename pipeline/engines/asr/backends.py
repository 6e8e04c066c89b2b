"""The speech recognition backends: one row per engine, naming the module that implements it.

`transcribe.engine` takes a name in this table (the config's choices are built from it).
Adding an engine is a module (the protocol below) and a row here (docs/extending.md). This
module is plain data: a backend's module, and the library it wraps (CTranslate2, torch), are
imported only when the engine is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, cast

from pipeline.engines.asr.base import AsrOptions, Recognizer
from pipeline.engines.table import backend_module, members

# engine name -> its module
BACKENDS: dict[str, str] = {
    "faster-whisper": "pipeline.engines.asr.whisper_ct2",
    "openai-whisper": "pipeline.engines.asr.whisper_torch",
}
ENGINES = tuple(BACKENDS)

Check = tuple[bool, str, str]  # (ok, what, the fix when not ok), as `pipeline doctor` prints
Digest = Callable[[Path], str]  # the caller's (cached) file hasher


class AsrBackend(Protocol):
    """What a backend module defines; none of these but `load` may load a model."""

    INSTALL: str  # how to install the library it wraps (doctor's fix when it is missing)

    def available(self) -> bool:
        """Whether the library it wraps is installed."""

    def identity(self, options: AsrOptions, digest: Digest) -> dict[str, Any]:
        """What determines its transcripts, for fingerprints: {"engine": its table name,
        "model": the weights by content (`digest`), and the options that change the result}."""

    def load(self, options: AsrOptions, detector: Callable[[], Any]) -> Recognizer:
        """A loaded recognizer for `options.model` (never `auto`: the caller resolves it);
        `detector()` gives the multilingual Whisper that checks a language, when one needs
        checking (loaded on first call)."""

    def doctor(self, options: AsrOptions, digest: Digest) -> Iterator[Check]:
        """`pipeline doctor` lines on the configured model (asked when it is available)."""

    def inventory(self) -> list[str]:
        """Lines for `pipeline models list`: the models it has at hand."""


MEMBERS = members(AsrBackend)


def backend(engine: str) -> AsrBackend:
    """The module of a table row; ConfigError for a name not in the table, or a module that
    lacks part of the protocol."""
    return cast(AsrBackend, backend_module(BACKENDS, engine, key="transcribe.engine", family="ASR",
                                           choices=ENGINES, required=MEMBERS))
