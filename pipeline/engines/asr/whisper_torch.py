"""openai-whisper backend (optional extra: pulls torch). Loads a checkpoint by name or path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pipeline.engines.asr import whisper_common
from pipeline.engines.asr.backends import Check, Digest
from pipeline.engines.asr.base import AsrOptions, AsrSegment, AsrWord, Transcript
from pipeline.engines.asr.words import tidy_words
from pipeline.errors import EngineError

NAME = "openai-whisper"  # its row in pipeline/engines/asr/backends.py
INSTALL = "pip install openai-whisper (and torch==2.13.0 for the CPU build)"


def available() -> bool:
    from importlib.util import find_spec

    return find_spec("whisper") is not None


def identity(options: AsrOptions, digest: Digest) -> dict[str, Any]:
    # a packaged model is faster-whisper's format: this engine loads names and paths only
    return whisper_common.identity(NAME, options, digest, lambda name: [])


def load(options: AsrOptions, detector: Callable[[], Any]) -> OpenAIWhisper:
    return OpenAIWhisper(options)  # English-only models are not checked for another language


def doctor(options: AsrOptions, digest: Digest) -> Iterator[Check]:
    return whisper_common.doctor(identity(options, digest)["model"], options)


def inventory() -> list[str]:
    return []


class OpenAIWhisper:
    def __init__(self, options: AsrOptions) -> None:
        try:
            import whisper
        except ImportError as e:
            raise EngineError(f"openai-whisper is not installed; {INSTALL}") from e
        self.options = options
        try:
            self.model = whisper.load_model(options.model, device="cpu")
        except Exception as e:
            raise EngineError(f"openai-whisper model {options.model!r} cannot be loaded: {e}") from e
        heads = _alignment_heads(options.model)
        if heads:  # word timings from the heads tuned for these weights, as for named models
            self.model.set_alignment_heads(heads)

    def transcribe(self, audio: Path, language: str | None, prompt: str | None) -> Transcript:
        result = self.model.transcribe(
            str(audio), language=language, initial_prompt=prompt, word_timestamps=True,
            condition_on_previous_text=False, fp16=False, beam_size=self.options.beam_size,
        )
        detected = result.get("language", language or "")
        segments = []
        for s in result.get("segments", []):
            raw = [AsrWord(float(w["start"]), float(w["end"]), w["word"],
                           float(w.get("probability", 1.0))) for w in s.get("words", [])]
            segments.append(AsrSegment(float(s["start"]), float(s["end"]), s["text"].strip(),
                                       tuple(tidy_words(raw, detected)),
                                       float(s.get("avg_logprob", 0.0)),
                                       float(s.get("no_speech_prob", 0.0)),
                                       float(s.get("compression_ratio", 1.0))))
        return Transcript(detected, 1.0, segments,
                          {"engine": NAME, "model": self.options.model})


def _alignment_heads(model: str) -> bytes | None:
    """The tuned cross-attention heads a checkpoint file may carry (openai's base85 format;
    bench/ct2_to_openai_whisper.py writes them); whisper.load_model reads them only by name."""
    if not Path(model).is_file():
        return None
    import torch

    checkpoint = torch.load(model, map_location="cpu", mmap=True)
    heads = checkpoint.get("alignment_heads") if isinstance(checkpoint, dict) else None
    return heads if isinstance(heads, bytes) else None
