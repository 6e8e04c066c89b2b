"""Which language each burned-in subtitle track is in. Chinese films often carry bilingual
subtitles (the Chinese line over an English one): the second line is a human translation
the version in that language can be made from, as from a provided file."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from pipeline.language.tags import primary
from pipeline.onscreen.model import Onscreen, OnscreenItem, writes_in

MIN_CONFIDENCE = 0.8  # langid's probability among the candidates: below it, no language


@cache
def _identifier(candidates: tuple[str, ...]) -> Any:
    """py3langid's model (inside the package) restricted to the candidate languages."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    ident.set_languages([c for c in candidates if c in ident.nb_classes])
    return ident


def subtitle_tracks(onscreen: Onscreen | None,
                    languages: Sequence[str]) -> dict[str, list[OnscreenItem]]:
    """The screen's subtitles by language, among `languages` (the project's source and
    versions, base tags): one track per script; a script only one candidate is written in is
    that language, several (en, pt and fr are all Latin) are told apart by py3langid on the
    track's whole text; a track no candidate writes, or langid is unsure of, is left out."""
    if onscreen is None:
        return {}
    by_script: dict[str, list[OnscreenItem]] = {}
    for item in onscreen.subtitles():
        by_script.setdefault(item.script, []).append(item)
    bases = sorted({primary(lang) for lang in languages})
    tracks: dict[str, list[OnscreenItem]] = {}
    for script, items in by_script.items():
        candidates = [lang for lang in bases if writes_in(lang, script)]
        if len(candidates) > 1:
            ident = _identifier(tuple(candidates))
            if not ident.nb_classes:
                continue
            found, confidence = ident.classify(" ".join(i.text for i in items))
            if confidence < MIN_CONFIDENCE:
                continue
            candidates = [str(found)]
        if len(candidates) == 1 and candidates[0] not in tracks:
            tracks[candidates[0]] = sorted(items, key=lambda i: i.start)
    return tracks
