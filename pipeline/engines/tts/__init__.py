"""Text to speech: one interface, a backend per engine; voices are written ENGINE:VOICE.

Each backend module has a voice class, made with (name, search dirs, shared) where `shared`
holds what the voices of one process share (a loaded model: the caller's engine pool keeps
it), and `identity(name, search_dirs, digest)`, which says what determines the voice's
audio (model and voice file digests, versions) without loading any model, so fingerprints
can be computed for every task on every run; `digest` is the caller's (cached) file hasher.
The speaking rate is the caller's parameter, given to every `synthesize` call. A voice class
with `concurrent = True` may synthesize from several threads at once; others are called one
line at a time (`is_concurrent`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from pipeline.errors import ConfigError
from pipeline.language.tags import primary


class Voice(Protocol):
    def synthesize(self, text: str, out_wav: Path, rate: float = 1.0,
                   lexicon: Mapping[str, str] | None = None) -> None:
        """Write the spoken text as a WAV file (any sample rate; the caller resamples); rate
        speeds the voice's natural pace up (>1) or down (<1).

        `lexicon` (word -> respelling, or `/phonemes/`) is applied as
        `pipeline.engines.tts.lexicon` describes."""


def warm(voice: Voice) -> None:
    """Load what a voice loads on its first line (Kokoro's session and phonemizer), ahead."""
    ready = getattr(voice, "warm", None)
    if ready is not None:
        ready()


def with_threads(voice: Voice, threads: int) -> Voice:
    """The voice computing each line on `threads` cores where its engine can (Kokoro: the same
    samples on any count), else the voice as it is."""
    using = getattr(voice, "using", None)
    return using(threads) if using is not None and threads > 1 else voice


def is_concurrent(voice: Voice) -> bool:
    """Whether `voice` may synthesize several lines at once from threads of one process."""
    return bool(getattr(voice, "concurrent", False))


# engine name -> (module, voice class): adding an engine is a module and a line here
_BACKENDS: dict[str, tuple[str, str]] = {
    "piper": ("pipeline.engines.tts.piper_voice", "PiperTTS"),
    "espeak": ("pipeline.engines.tts.espeak", "Espeak"),
    "espeak-ng": ("pipeline.engines.tts.espeak", "Espeak"),
    "kokoro": ("pipeline.engines.tts.kokoro", "KokoroTTS"),
    "gtts": ("pipeline.engines.tts.google", "GoogleTTS"),
}
TTS_ENGINES = tuple(_BACKENDS)

# Kokoro voice per language: the one whose speech Whisper base transcribed back best
# (bench/voice_roundtrip.py on the demo text, docs/benchmarks.md); Hindi could not be
# measured that way (Whisper base writes it in Urdu script), its first voice stands
KOKORO_DEFAULTS: dict[str, str] = {
    "pt": "kokoro:pf_dora", "zh": "kokoro:zm_yunxi", "es": "kokoro:ef_dora",
    "fr": "kokoro:ff_siwis", "it": "kokoro:if_sara", "ja": "kokoro:jm_kumo",
    "hi": "kokoro:hf_alpha",
}
ENGLISH_DEFAULT = "piper:en_US-joe-medium"


def split_spec(spec: str) -> tuple[str, str]:
    engine, _, name = spec.partition(":")
    return engine.strip().lower(), name.strip()


def default_voice(lang: str) -> str:
    """The voice a language gets when none is configured: Kokoro for every language Kokoro
    speaks (English keeps Piper), espeak-ng for the others."""
    base = primary(lang)
    if base == "en":
        return ENGLISH_DEFAULT
    return KOKORO_DEFAULTS.get(base, f"espeak:{lang}")


def _backend(spec: str) -> tuple[Any, str, str]:
    engine, name = split_spec(spec)
    if engine not in _BACKENDS:
        raise ConfigError(f"narration.voices: unknown TTS engine {engine!r} in {spec!r}; use "
                          + ", ".join(f"{e}:" for e in _BACKENDS if e != "espeak-ng"))
    module, cls = _BACKENDS[engine]
    return importlib.import_module(module), cls, name


def make_voice(spec: str, search: list[Path], shared: dict[str, Any] | None = None) -> Voice:
    """A loaded voice from ENGINE:VOICE (`shared`: what the voices of one process share)."""
    module, cls, name = _backend(spec)
    return getattr(module, cls)(name, search, {} if shared is None else shared)


def identity(spec: str, search: list[Path], digest: Callable[[Path], str]) -> dict[str, Any]:
    """The voice's identity without loading it (see the module docstring); EngineError when
    its files are missing or damaged."""
    module, _, name = _backend(spec)
    return module.identity(name, search, digest)
