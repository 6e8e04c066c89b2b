"""faster-whisper (CTranslate2) backend: the default ASR engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.engines.asr import AsrOptions, AsrSegment, AsrWord, Transcript, identity
from pipeline.engines.models import whisper_model_ref
from pipeline.errors import EngineError

# Guards against Whisper hallucination (FIELD-NOTES): a segment the model itself thinks is
# not speech, or that it decoded with very low confidence, is dropped.
NO_SPEECH_MAX = 0.6
LOGPROB_MIN = -1.0


class FasterWhisper:
    def __init__(self, options: AsrOptions) -> None:
        from faster_whisper import WhisperModel

        self.options = options
        ref, _ = whisper_model_ref(options.model)
        self.identity: dict[str, Any] = identity("faster-whisper", options)
        self.english_only = options.model.endswith(".en") or "tiny.en" in ref
        try:
            self.model = WhisperModel(ref, device="cpu", compute_type=options.compute_type,
                                      cpu_threads=options.threads)
        except Exception as e:  # hub errors, missing files: report the model, not a traceback
            raise EngineError(
                f"ASR model {options.model!r} cannot be loaded ({type(e).__name__}: {e}); "
                "run `pipeline models list` to see the installed models"
            ) from e

    def transcribe(self, audio: Path, language: str | None, prompt: str | None) -> Transcript:
        if self.english_only:
            language = "en"
        segments, info = self.model.transcribe(
            str(audio),
            language=language,
            beam_size=self.options.beam_size,
            vad_filter=self.options.vad,
            word_timestamps=True,
            condition_on_previous_text=False,
            initial_prompt=prompt,
            no_speech_threshold=NO_SPEECH_MAX,
            log_prob_threshold=LOGPROB_MIN,
            compression_ratio_threshold=2.4,
        )
        kept: list[AsrSegment] = []
        warnings: list[str] = []
        for s in segments:  # a lazy generator: iterating it does the work
            if s.no_speech_prob > NO_SPEECH_MAX and s.avg_logprob < LOGPROB_MIN:
                warnings.append(f"dropped a likely hallucination at {s.start:.1f}s: {s.text.strip()!r}")
                continue
            words = tuple(AsrWord(float(w.start), float(w.end), w.word.strip(), float(w.probability))
                          for w in (s.words or []))
            kept.append(AsrSegment(float(s.start), float(s.end), s.text.strip(), words,
                                   float(s.avg_logprob), float(s.no_speech_prob),
                                   float(s.compression_ratio)))
        return Transcript(info.language, float(info.language_probability), kept,
                          dict(self.identity), warnings)
