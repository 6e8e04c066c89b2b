"""Which Whisper model transcribes a source, and in which language (so the glossary prompt can
be written in that language before the transcription starts).

`choose_model(model, source_language, audio, detect)`:

| transcribe.model | source_language | model used | language |
|---|---|---|---|
| auto | en | tiny.en | en |
| auto | zh (any other) | base | zh |
| auto | auto | detected en: tiny.en; else base | detected (base judges the first 30 s) |
| tiny.en (any `*.en`) | auto | tiny.en | en; other speech refused (EngineError naming the fix) |
| base, a folder, a hub name | auto | as named | detected |
| any | a language | as named (`*.en` with another language is a config error) | that language |

Detection runs only when `source_language` is `auto`; no speech at all gives language None
(Whisper then decides, on silence: nothing to transcribe).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.engines.asr.base import AsrOptions, Recognizer, Transcript
from pipeline.engines.asr.language import SURE, english_only_refusal
from pipeline.engines.models import AUTO, english_only, resolve_model

Detect = Callable[[Path], "tuple[str, float] | None"]


@dataclass(frozen=True)
class ModelChoice:
    model: str  # what to load (a packaged name, a folder, a hub name)
    language: str | None  # what to transcribe in; None: let the model detect
    detected: tuple[str, float] | None = None  # (language, probability) when detection ran


def choose_model(model: str, source_language: str, audio: Path, detect: Detect) -> ModelChoice:
    """The model and language for one source (see the module's table)."""
    if source_language != AUTO:
        return ModelChoice(resolve_model(model, source_language), source_language)
    found = detect(audio)
    if english_only(model):
        if found and found[0] != "en" and found[1] >= SURE:
            raise english_only_refusal(audio, model, *found)
        return ModelChoice(model, "en", found)
    language = found[0] if found else None
    return ModelChoice(resolve_model(model, AUTO, language), language, found)


class AutoRecognizer:
    """`transcribe.model: auto` as one recognizer (for callers of `make_recognizer`): each
    call chooses the model for that source and hands it over; each model is loaded once,
    when first needed. (The transcribe stage calls `choose_model` itself, so its glossary
    prompt is in the detected language.)"""

    def __init__(self, engine: str, options: AsrOptions, detector: Callable[[], Any]) -> None:
        self.engine = engine
        self.options = options
        self.detector = detector
        self._loaded: dict[str, Recognizer] = {}

    def transcribe(self, audio: Path, language: str | None, prompt: str | None) -> Transcript:
        from pipeline.engines.asr.backends import backend
        from pipeline.engines.asr.language import detect_language

        choice = choose_model(AUTO, language or AUTO, audio,
                              lambda a: detect_language(a, self.detector()))
        if choice.model not in self._loaded:
            self._loaded[choice.model] = backend(self.engine).load(
                replace(self.options, model=choice.model), self.detector)
        return self._loaded[choice.model].transcribe(audio, choice.language, prompt)
