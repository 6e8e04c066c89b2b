"""Argos Translate (optional extra): many pairs, installed as .argosmodel packages."""

from __future__ import annotations

from typing import Any

from pipeline.errors import EngineError


def has_pair(src: str, tgt: str) -> bool:
    try:
        from argostranslate import translate
    except ImportError:
        return False
    langs = {lang.code: lang for lang in translate.get_installed_languages()}
    if src not in langs or tgt not in langs:
        return False
    return langs[src].get_translation(langs[tgt]) is not None


class Argos:
    def __init__(self, src: str, tgt: str) -> None:
        try:
            from argostranslate import translate
        except ImportError as e:
            raise EngineError("argostranslate is not installed; pip install argostranslate") from e
        langs = {lang.code: lang for lang in translate.get_installed_languages()}
        self._translation = langs[src].get_translation(langs[tgt])
        self.identity: dict[str, Any] = {"engine": "argos", "pair": f"{src}-{tgt}"}

    def translate(self, texts: list[str]) -> list[str]:
        return [self._translation.translate(t) if t.strip() else t for t in texts]
