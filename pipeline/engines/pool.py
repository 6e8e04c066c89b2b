"""Engines loaded once per process and shared by every task that needs them.

The pool belongs to whoever runs tasks (the in-process executor, or one per Dask worker);
stages get it through their run context. Nothing is loaded until a task asks for it, and
threads of one stage (narration's lines) asking at once get the one model loaded once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pipeline.engines import asr, mt, ocr, tts

T = TypeVar("T")


class EnginePool:
    def __init__(self) -> None:
        self._loaded: dict[Any, Any] = {}
        self._shared: dict[str, Any] = {}  # models several translators or voices share
        self._lock = threading.Lock()  # guards _loaded and _loading, never held while loading
        self._loading: dict[Any, threading.Lock] = {}  # one per model: loads run side by side
        self._sharing = threading.RLock()  # loads that fill `_shared` run one at a time

    def _get(self, key: Any, make: Callable[[], T]) -> T:
        """The model under `key`, loaded by the first caller; others asking for the same one
        wait for it, those asking for another one load theirs at the same time (the executor
        warms the next stage's model while this one's is in use)."""
        with self._lock:
            if key in self._loaded:
                return self._loaded[key]
            loading = self._loading.setdefault(key, threading.Lock())
        with loading:
            with self._lock:
                if key in self._loaded:
                    return self._loaded[key]
            value = make()
            with self._lock:
                self._loaded[key] = value
            return value

    def recognizer(self, engine: str, options: asr.AsrOptions) -> asr.Recognizer:
        return self._get(("asr", engine, options),
                         lambda: asr.make_recognizer(engine, options, self.language_detector))

    def language_detector(self) -> Any:
        """The packaged multilingual Whisper, used to check a language before an English-only
        model transcribes (None when it is not installed)."""
        from pipeline.engines.asr.language import load_detector

        return self._get(("asr-detector",), load_detector)

    def translator(self, engine: str, src: str, tgt: str) -> mt.MachineTranslator:
        return self._get(("mt", engine, src, tgt), lambda: self._with_shared(
            lambda: mt.make_translator(engine, src, tgt, self._shared)))

    def hearing(self) -> Any:
        """The packaged multilingual Whisper that checks what a voice said (narration.verify)."""
        from pipeline.engines.asr import roundtrip

        return self._get(("hearing",), roundtrip.load_whisper)

    def voice(self, spec: str, search: list[Path]) -> tts.Voice:
        return self._get(("tts", spec, tuple(search)), lambda: self._with_shared(
            lambda: tts.make_voice(spec, search, self._shared)))

    def _with_shared(self, make: Callable[[], T]) -> T:
        with self._sharing:
            return make()

    def reader(self, engine: str) -> ocr.TextReader:
        """The OCR engine that reads the text in the picture (the scan stage)."""
        return self._get(("ocr", engine), lambda: ocr.make_reader(engine))
