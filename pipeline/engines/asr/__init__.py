"""Speech recognition: one interface, a backend per engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pipeline.errors import ConfigError


@dataclass(frozen=True)
class AsrWord:
    start: float
    end: float
    text: str
    probability: float = 1.0


@dataclass(frozen=True)
class AsrSegment:
    start: float
    end: float
    text: str
    words: tuple[AsrWord, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 1.0


@dataclass
class Transcript:
    language: str
    language_probability: float
    segments: list[AsrSegment]
    engine: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AsrOptions:
    model: str
    compute_type: str = "int8"
    beam_size: int = 5
    threads: int = 0
    vad: bool = True


def _continues(ch: str) -> bool:
    from pipeline.glossary import is_unspaced_char

    return ch.isalnum() and not is_unspaced_char(ch)


def join_pieces(raw: list[AsrWord]) -> list[AsrWord]:
    """Whisper's words for a language written without spaces (zh, ja, th...) are its tokens, so
    a Latin name or a number inside Chinese comes in pieces ("Ba", "ot", "u"; "20", "24"), and
    a piece that starts a new Latin word carries a leading space (" Baotu"). `raw` holds one
    segment's words as the model wrote them (not stripped): a piece with no space before it
    that starts with a letter or digit of a spaced script continues the previous piece when
    that ends with one; the joined word keeps the first start, the last end and the lower
    probability. Stripped words come back."""
    out: list[AsrWord] = []
    for w in raw:
        text = w.text
        if (out and text and not text[0].isspace() and _continues(text[0])
                and out[-1].text and _continues(out[-1].text[-1])):
            prev = out[-1]
            out[-1] = AsrWord(prev.start, w.end, prev.text + text.rstrip(),
                              min(prev.probability, w.probability))
            continue
        out.append(w)
    return [AsrWord(w.start, w.end, w.text.strip(), w.probability) for w in out if w.text.strip()]


UNSPACED_ASR_LANGS = frozenset({"zh", "ja", "th", "lo", "my", "yue", "km", "bo"})
FULL_WIDTH_LANGS = frozenset({"zh", "ja", "yue"})
_FULL_WIDTH = str.maketrans({",": "，", ".": "。", "?": "？", "!": "！", ";": "；", ":": "："})


def full_width_marks(words: list[AsrWord]) -> list[AsrWord]:
    """Whisper often ends Chinese clauses with ASCII marks ("济南,"): a mark right after a
    CJK glyph becomes the full-width one Chinese text uses ("济南，"), so clause and sentence
    ends read as such downstream and no space is put after them. "10.5" and "Baotu," stay."""
    from pipeline.glossary import is_unspaced_char

    out = []
    for w in words:
        text = w.text
        chars = list(text)
        for i in range(1, len(chars)):
            if chars[i] in ",.?!;:" and (is_unspaced_char(chars[i - 1]) or chars[i - 1] in "，。？！；："):
                chars[i] = chars[i].translate(_FULL_WIDTH)
        out.append(AsrWord(w.start, w.end, "".join(chars), w.probability))
    return out


def tidy_words(raw: list[AsrWord], language: str) -> list[AsrWord]:
    """One segment's words as the model wrote them -> the words the pipeline uses: stripped,
    Latin and digit pieces joined for unspaced languages, Chinese marks full width."""
    if language in UNSPACED_ASR_LANGS:
        words = join_pieces(raw)
    else:
        words = [AsrWord(w.start, w.end, w.text.strip(), w.probability) for w in raw if w.text.strip()]
    return full_width_marks(words) if language in FULL_WIDTH_LANGS else words


class Recognizer(Protocol):
    identity: dict[str, Any]

    def transcribe(self, audio: Path, language: str | None, prompt: str | None) -> Transcript: ...


def make_recognizer(engine: str, options: AsrOptions) -> Recognizer:
    from pipeline.engines.models import AUTO

    if options.model == AUTO:
        from pipeline.engines.asr.choice import AutoRecognizer

        return AutoRecognizer(engine, options)
    if engine == "faster-whisper":
        from pipeline.engines.asr.whisper_ct2 import FasterWhisper

        return FasterWhisper(options)
    if engine == "openai-whisper":
        from pipeline.engines.asr.whisper_torch import OpenAIWhisper

        return OpenAIWhisper(options)
    raise ConfigError(f"transcribe.engine: unknown engine {engine!r}")


def identity(engine: str, options: AsrOptions) -> dict[str, Any]:
    """What determines the result, without loading the model (used in fingerprints)."""
    from pipeline.engines.models import AUTO, ENGLISH_MODEL, MULTILINGUAL_MODEL

    def ref(model: str) -> str:
        if engine == "faster-whisper":
            from pipeline.engines.models import whisper_model_ref

            return whisper_model_ref(model)[1]
        return model

    # `auto` left to detection (source_language auto): either packaged model may run
    model: str | dict[str, str] = (
        {"auto": f"{ref(ENGLISH_MODEL)} for English, else {ref(MULTILINGUAL_MODEL)}"}
        if options.model == AUTO else ref(options.model))
    return {"engine": engine, "model": model, "compute_type": options.compute_type,
            "beam_size": options.beam_size, "vad": options.vad}
