"""faster-whisper (CTranslate2) backend: the default ASR engine."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pipeline.engines.asr import whisper_common
from pipeline.engines.asr.backends import Check, Digest
from pipeline.engines.asr.base import CPU_THREADS, AsrOptions, AsrSegment, AsrWord, Transcript
from pipeline.engines.asr.language import check_english
from pipeline.engines.asr.words import tidy_words
from pipeline.engines.models import (
    PACKAGED_WHISPER,
    english_only,
    packaged_whisper_files,
    whisper_model_ref,
)
from pipeline.errors import EngineError

NAME = "faster-whisper"  # its row in pipeline/engines/asr/backends.py
INSTALL = "pip install faster-whisper"


def available() -> bool:
    from importlib.util import find_spec

    return find_spec("faster_whisper") is not None


# With the voice activity filter on, Whisper hears no non-speech tail after the last line:
# the audio ends where the filter's last speech does (a silence of TAIL_SILENCE_MS ends speech
# there; faster-whisper's own filter, kept as it is inside the speech, needs 2000 ms), and the
# transcription stops once a segment reaches the end of that speech (faster-whisper would
# start a window at the last word's end and decode the few hundred ms left, padded to 30 s).
# A tail window is where Whisper hallucinates through all its temperature fallbacks.
# Measured (Whisper base, beam 5): the demo's Mandarin clip (1.7 s of ambient bed after the
# last line, heard as 请您您您您) 20.3 s -> 2.8 s, the same lines; the test suite's burned-in
# clip (1.1 s of tail) 18.5 s -> 2.2 s; its bilingual clip (0.4 s after the last word) 18.9 s
# -> 1.5 s. The pauses inside the speech stay as they were: shortened there too, tiny.en
# joined two sentences with a comma.
TAIL_SILENCE_MS = 500
SPEECH_END_MARGIN_S = 0.2  # a segment ending this close to the speech's end reached it


def identity(options: AsrOptions, digest: Digest) -> dict[str, Any]:
    found = whisper_common.identity(NAME, options, digest, packaged_whisper_files)
    if options.vad:
        found["vad"] = {"tail_silence_ms": TAIL_SILENCE_MS, "speech_end_margin_s": SPEECH_END_MARGIN_S}
    return found


def load(options: AsrOptions, detector: Callable[[], Any]) -> FasterWhisper:
    return FasterWhisper(options, detector)


def doctor(options: AsrOptions, digest: Digest) -> Iterator[Check]:
    return whisper_common.doctor(identity(options, digest)["model"], options)


def inventory() -> list[str]:
    lines = [f"ASR ({NAME}):"]
    for name in PACKAGED_WHISPER:
        files = packaged_whisper_files(name)
        where = ", ".join(str(f) for f in files)
        lines.append(f"  {name:<8} {'packaged: ' + where if files else 'not installed'}")
    return lines

# Guards against Whisper hallucination (FIELD-NOTES): a segment the model itself thinks is
# not speech, that it decoded with very low confidence even after its temperature fallbacks,
# or that repeats itself (high compression ratio) is dropped.
NO_SPEECH_MAX = 0.6
SEED = 1
LOGPROB_MIN = -1.0
LOGPROB_FLOOR = -1.5
COMPRESSION_MAX = 2.4


def likely_hallucination(no_speech_prob: float, avg_logprob: float, compression_ratio: float,
                         text: str = "") -> bool:
    return ((no_speech_prob > NO_SPEECH_MAX and avg_logprob < LOGPROB_MIN)
            or avg_logprob < LOGPROB_FLOOR or compression_ratio > COMPRESSION_MAX
            or repetitive(text) or credits(text))


# What Whisper writes over silence or music at the end of a clip, learned from the credits
# and channel outros of its training videos (FIELD-NOTES): a segment that is only these
# (作词作曲: "lyrics, music" heard after the Mandarin test clip's last line) is dropped.
_CREDITS = re.compile(
    r"(作词|作曲|编曲|词曲|演唱|字幕由amaraorg社区提供|字幕志愿者.*|谢谢观看|感谢观看|谢谢收看"
    r"|请不吝点赞订阅转发打赏支持明镜与点点栏目|thanksforwatching|thankyouforwatching"
    r"|subtitlesbytheamaraorgcommunity)+")


def credits(text: str) -> bool:
    """Whether a segment is nothing but Whisper's credit and outro phrases."""
    core = "".join(c for c in text.lower() if c.isalnum())
    return bool(core) and _CREDITS.fullmatch(core) is not None


# A unit of one to four characters said five times or more in a row (请您您您您您您您您: what
# base wrote for the ambient bed after Chinese speech, compression ratio 2.25, under the
# limit: three-byte CJK characters compress less than Latin letters).
_RUN = re.compile(r"(.{1,4}?)\1{4,}", re.DOTALL)


def repetitive(text: str) -> bool:
    """Whether most of a segment's characters are one short unit repeated."""
    core = "".join(c for c in text if c.isalnum())
    if len(core) < 5:
        return False
    longest = max((len(m.group(0)) for m in _RUN.finditer(core)), default=0)
    return longest * 2 >= len(core)


def _up_to_the_last_speech(audio: Path) -> tuple[Any, float | None]:
    """The audio's samples (16 kHz, as Whisper reads them) up to the end of its last speech
    (the filter's padding kept), and where that speech ends (s, without the padding); all the
    samples and None when the filter finds no speech (Whisper's own filter then finds none)."""
    from faster_whisper.audio import decode_audio
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    samples = decode_audio(str(audio), sampling_rate=16000)
    vad = VadOptions(min_silence_duration_ms=TAIL_SILENCE_MS)
    spoken = get_speech_timestamps(samples, vad)
    if not spoken:
        return samples, None
    end = spoken[-1]["end"]
    return samples[:end], end / 16000 - vad.speech_pad_ms / 1000


class FasterWhisper:
    def __init__(self, options: AsrOptions, detector: Callable[[], Any] | None = None) -> None:
        from faster_whisper import WhisperModel

        self.options = options
        self.detector = detector
        ref = whisper_model_ref(options.model)
        self.english_only = english_only(options.model) or "tiny.en" in ref
        try:
            self.model = WhisperModel(ref, device="cpu", compute_type=options.compute_type,
                                      cpu_threads=options.threads or CPU_THREADS)
        except Exception as e:  # hub errors, missing files: report the model, not a traceback
            raise EngineError(
                f"ASR model {options.model!r} cannot be loaded ({type(e).__name__}: {e}); "
                "run `pipeline models list` to see the installed models"
            ) from e

    def transcribe(self, audio: Path, language: str | None, prompt: str | None) -> Transcript:
        warnings: list[str] = []
        if self.english_only:
            if language is None:
                detector = self.detector() if self.detector else None
                warnings.extend(check_english(audio, self.options.model, detector))
            language = "en"
        # the temperature fallback samples: seeded, the same audio gives the same words
        import ctranslate2

        ctranslate2.set_random_seed(SEED)
        samples, speech_end = _up_to_the_last_speech(audio) if self.options.vad else (str(audio), None)
        segments, info = self.model.transcribe(
            samples,
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
            reached_the_end = speech_end is not None and s.end >= speech_end - SPEECH_END_MARGIN_S
            if likely_hallucination(s.no_speech_prob, s.avg_logprob, s.compression_ratio, s.text):
                warnings.append(f"dropped a likely hallucination at {s.start:.1f}s: {s.text.strip()!r}")
                if reached_the_end:
                    break
                continue
            raw = [AsrWord(float(w.start), float(w.end), w.word, float(w.probability))
                   for w in (s.words or [])]
            words = tuple(tidy_words(raw, info.language))
            kept.append(AsrSegment(float(s.start), float(s.end), s.text.strip(), words,
                                   float(s.avg_logprob), float(s.no_speech_prob),
                                   float(s.compression_ratio)))
            if reached_the_end:
                break  # what is left is the filter's padding: no window for it
        return Transcript(info.language, float(info.language_probability), kept,
                          {"engine": NAME, "model": self.options.model}, warnings)
