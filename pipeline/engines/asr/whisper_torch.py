"""openai-whisper backend (optional extra: pulls torch). Loads a checkpoint by name or path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.engines.asr import AsrOptions, AsrSegment, AsrWord, Transcript, identity
from pipeline.errors import EngineError


class OpenAIWhisper:
    def __init__(self, options: AsrOptions) -> None:
        try:
            import whisper
        except ImportError as e:
            raise EngineError("openai-whisper is not installed; pip install openai-whisper "
                              "(and torch==2.13.0 for the CPU build)") from e
        self.options = options
        self.identity: dict[str, Any] = identity("openai-whisper", options)
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
        segments = [
            AsrSegment(float(s["start"]), float(s["end"]), s["text"].strip(),
                       tuple(AsrWord(float(w["start"]), float(w["end"]), w["word"].strip(),
                                     float(w.get("probability", 1.0)), w["word"][:1].isspace())
                             for w in s.get("words", [])),
                       float(s.get("avg_logprob", 0.0)), float(s.get("no_speech_prob", 0.0)),
                       float(s.get("compression_ratio", 1.0)))
            for s in result.get("segments", [])
        ]
        return Transcript(result.get("language", language or ""), 1.0, segments, dict(self.identity))


def _alignment_heads(model: str) -> bytes | None:
    """The tuned cross-attention heads a checkpoint file may carry (openai's base85 format;
    bench/ct2_to_openai_whisper.py writes them); whisper.load_model reads them only by name."""
    if not Path(model).is_file():
        return None
    import torch

    checkpoint = torch.load(model, map_location="cpu", mmap=True)
    heads = checkpoint.get("alignment_heads") if isinstance(checkpoint, dict) else None
    return heads if isinstance(heads, bytes) else None
