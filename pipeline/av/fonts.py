"""Fonts: find the file fontconfig uses for a family, and check it has every glyph we burn."""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from pipeline.errors import MediaError


def find_font(family: str, extra_dirs: list[Path] | None = None) -> tuple[Path, int] | None:
    """(file, index in a collection) of the font fontconfig picks for family, if it is that family."""
    for d in extra_dirs or []:
        for f in sorted(d.glob("*")) if d.is_dir() else []:
            if f.suffix.lower() in (".ttf", ".otf", ".ttc") and family.lower().replace(" ", "") in \
                    f.stem.lower().replace("-", "").replace("_", ""):
                return f, 0
    exe = shutil.which("fc-match")
    if not exe:
        return None
    out = subprocess.run([exe, "-f", "%{family}\n%{file}\n%{index}", family], capture_output=True,
                         text=True, check=False).stdout.splitlines()
    if len(out) >= 2 and family.lower() in out[0].lower():
        return Path(out[1]), int(out[2]) if len(out) > 2 and out[2].isdigit() else 0
    return None


@lru_cache(maxsize=16)
def _codepoints(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    return frozenset(font.getBestCmap() or {})


def missing_glyphs(text: str, font: Path, index: int = 0) -> list[str]:
    """Characters of text the font cannot draw (spaces, line breaks and joiners excepted)."""
    have = _codepoints(str(font), index)
    skip = {"\n", "\r", "\t", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
    return sorted({c for c in text if c not in skip and not c.isspace() and ord(c) not in have})


def check_coverage(lines: list[str], family: str, extra_dirs: list[Path], where: str) -> None:
    """Raise MediaError naming the first line and character the font lacks (no tofu on screen)."""
    found = find_font(family, extra_dirs)
    if found is None:
        raise MediaError(f"font {family!r} is not installed; apt-get install fonts-noto-core "
                         "fonts-noto-cjk or put it in assets/fonts/ (pipeline doctor checks this)")
    path, index = found
    for n, line in enumerate(lines, start=1):
        missing = missing_glyphs(line, path, index)
        if missing:
            chars = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:3])
            raise MediaError(f"{where} event {n}: font {family!r} ({path.name}) has no glyph for "
                             f"{chars}; choose a font that has it in subtitles.fonts")


@lru_cache(maxsize=16)
def _metrics(path: str, index: int) -> tuple[dict[int, int], int, int]:
    """(advance width per code point, the font's line height in font units, its em)."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    cmap = font.getBestCmap() or {}
    hmtx = font["hmtx"]
    advances = {cp: hmtx[name][0] for cp, name in cmap.items()}
    hhea = font["hhea"]
    return advances, hhea.ascent - hhea.descent, font["head"].unitsPerEm


def text_width(text: str, family: str, size_px: float, extra_dirs: list[Path]) -> float | None:
    """About how many pixels wide libass draws text at ASS font size size_px (libass scales a
    font so its line, ascender to descender, is size_px high); None: the font is not found."""
    found = find_font(family, extra_dirs)
    if found is None:
        return None
    advances, line, em = _metrics(str(found[0]), found[1])
    default = advances.get(ord("n"), em // 2)
    return sum(advances.get(ord(c), default) for c in text) * size_px / line
