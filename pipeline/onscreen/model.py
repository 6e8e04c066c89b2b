"""What the scan stage records in source/onscreen.json, and reading it back."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Kind = Literal["subtitle", "caption"]


@dataclass(frozen=True)
class OnscreenItem:
    """One piece of text shown from start to end (ms) in a box of the source's pixels
    (x0, y0, x1, y1)."""

    text: str
    box: tuple[int, int, int, int]
    start: int
    end: int
    script: str  # ISO 15924: Hani, Latn, ...
    confidence: float
    kind: Kind = "caption"

    @property
    def centre(self) -> tuple[float, float]:
        return (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2


@dataclass
class Onscreen:
    width: int  # the source picture's size the boxes are in
    height: int
    items: list[OnscreenItem] = field(default_factory=list)

    def subtitles(self) -> list[OnscreenItem]:
        return [i for i in self.items if i.kind == "subtitle"]

    def as_dict(self) -> dict[str, Any]:
        return {"width": self.width, "height": self.height,
                "items": [asdict(i) for i in self.items]}


_SCRIPTS = (("Hani", ("CJK",)), ("Jpan", ("HIRAGANA", "KATAKANA")), ("Hang", ("HANGUL",)),
            ("Cyrl", ("CYRILLIC",)), ("Arab", ("ARABIC",)), ("Latn", ("LATIN",)))


def script_of(text: str) -> str:
    """The script most of the text's letters are written in (Zyyy: none)."""
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        for script, prefixes in _SCRIPTS:
            if name.startswith(prefixes):
                counts[script] = counts.get(script, 0) + 1
                break
    if counts.get("Jpan"):  # kana among Han characters: Japanese
        return "Jpan"
    return max(counts, key=lambda s: counts[s]) if counts else "Zyyy"


# the scripts a language's own subtitles are written in
LANGUAGE_SCRIPTS = {"zh": ("Hani",), "ja": ("Jpan", "Hani"), "ko": ("Hang",),
                    "ru": ("Cyrl",), "uk": ("Cyrl",), "ar": ("Arab",)}


def language_of_script(script: str) -> str | None:
    """The language a text in `script` is taken to be in when nothing else says: the first
    listed that writes in it (Han: zh), English for Latin, None for a script not listed."""
    if script == "Latn":
        return "en"
    return next((lang for lang, scripts in LANGUAGE_SCRIPTS.items() if script in scripts), None)


def writes_in(lang: str, script: str) -> bool:
    """Whether text in `script` can be `lang`'s own (Latin for any language not listed)."""
    return script in LANGUAGE_SCRIPTS.get(lang.split("-")[0].lower(), ("Latn",))


def load_onscreen(path: Path | None) -> Onscreen | None:
    """The scan's record, or None where there is none (scan off, a sound-only source)."""
    if path is None or not path.is_file():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    items = [OnscreenItem(i["text"], tuple(i["box"]), i["start"], i["end"], i["script"],
                          i["confidence"], i["kind"]) for i in raw.get("items", [])]
    return Onscreen(int(raw.get("width", 0)), int(raw.get("height", 0)), items)
