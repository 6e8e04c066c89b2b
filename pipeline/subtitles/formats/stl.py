"""EBU-STL (EBU Tech 3264, Teletext level 1, 25 fps): the binary caption file European
broadcasters still take. No maintained Python library writes it (ttconv reads it), so the
writer is here: a 1024-byte GSI block, then one or more 128-byte TTI blocks per cue.

Its five character tables cover Latin (ISO 6937), Cyrillic (ISO 8859-5), Arabic (8859-6),
Greek (8859-7) and Hebrew (8859-8). Chinese, Japanese, Korean and other scripts have none:
those are refused with a message that names IMSC, which carries every script.
"""

from __future__ import annotations

import struct
import textwrap
import unicodedata

from pipeline.subtitles.formats.base import CaptionFormatError, language_of
from pipeline.subtitles.model import Cue

FPS = 25
ROW_CHARS = 40  # Teletext: 40 columns a row (MNC)
ROWS = 23  # Teletext: rows 1-23 (MNR)
_TEXT_FIELD = 112
_NEWLINE = b"\x8a"
_FILLER = b"\x8f"
# a row as broadcasters write it: double height, boxed (0x0D, 0x0B 0x0B ... 0x0A 0x0A)
_ROW_START = b"\x0d\x0b\x0b"
_ROW_END = b"\x0a\x0a"

# Character Code Table (GSI CCT) per language; the rest are tried as Latin (ISO 6937)
_TABLES = {"01": ("iso8859_5", {"ru", "uk", "bg", "be", "mk", "sr", "kk", "ky", "mn", "tg"}),
           "02": ("iso8859_6", {"ar"}),
           "03": ("iso8859_7", {"el"}),
           "04": ("iso8859_8", {"he", "yi"})}
# scripts with no EBU-STL table at all: refused before trying
_NO_TABLE = {"zh": "Chinese", "ja": "Japanese", "ko": "Korean", "th": "Thai", "hi": "Hindi",
             "bn": "Bengali", "ta": "Tamil", "ka": "Georgian", "hy": "Armenian", "am": "Amharic"}
# GSI LC: EBU Tech 3264 Appendix 3 (the language of the subtitles)
_LANGUAGE_CODES = {
    "sq": "01", "ca": "03", "hr": "04", "cy": "05", "cs": "06", "da": "07", "de": "08",
    "en": "09", "es": "0A", "et": "0C", "eu": "0D", "fr": "0F", "ga": "11", "gl": "13",
    "is": "14", "it": "15", "lv": "18", "lt": "1A", "hu": "1B", "mt": "1C", "nl": "1D",
    "no": "1E", "nb": "1E", "pl": "20", "pt": "21", "ro": "22", "sr": "24", "sk": "25",
    "sl": "26", "fi": "27", "sv": "28", "tr": "29", "ar": "7E", "bg": "77", "el": "70",
    "he": "6C", "id": "6A", "ms": "61", "fa": "5A", "ru": "56", "uk": "49", "ur": "48",
    "vi": "46",
}

# ISO 6937: a diacritic is a byte before its letter
_DIACRITICS = {"\u0300": 0xC1, "\u0301": 0xC2, "\u0302": 0xC3, "\u0303": 0xC4, "\u0304": 0xC5,
               "\u0306": 0xC6, "\u0307": 0xC7, "\u0308": 0xC8, "\u030a": 0xCA, "\u0327": 0xCB,
               "\u030b": 0xCD, "\u0328": 0xCE, "\u030c": 0xCF}
_LATIN_SPECIALS = {
    "\u00a0": 0xA0, "¡": 0xA1, "¢": 0xA2, "£": 0xA3, "$": 0xA4, "¥": 0xA5, "§": 0xA7,
    "¤": 0xA8, "‘": 0xA9, "“": 0xAA, "«": 0xAB, "°": 0xB0, "±": 0xB1, "²": 0xB2, "³": 0xB3,
    "×": 0xB4, "µ": 0xB5, "¶": 0xB6, "·": 0xB7, "÷": 0xB8, "’": 0xB9, "”": 0xBA, "»": 0xBB,
    "¼": 0xBC, "½": 0xBD, "¾": 0xBE, "¿": 0xBF, "—": 0xD0, "¹": 0xD1, "®": 0xD2, "©": 0xD3,
    "™": 0xD4, "♪": 0xD5, "Ω": 0xE0, "Æ": 0xE1, "Đ": 0xE2, "ª": 0xE3, "Ħ": 0xE4, "Ĳ": 0xE6,
    "Ŀ": 0xE7, "Ł": 0xE8, "Ø": 0xE9, "Œ": 0xEA, "º": 0xEB, "Þ": 0xEC, "Ŧ": 0xED, "Ŋ": 0xEE,
    "ŉ": 0xEF, "ĸ": 0xF0, "æ": 0xF1, "đ": 0xF2, "ð": 0xF3, "ħ": 0xF4, "ı": 0xF5, "ĳ": 0xF6,
    "ŀ": 0xF7, "ł": 0xF8, "ø": 0xF9, "œ": 0xFA, "ß": 0xFB, "þ": 0xFC, "ŧ": 0xFD, "ŋ": 0xFE,
}
# typography with no code in any table, written as its plain form
_PLAIN = {"…": "...", "–": "-", "‐": "-", "‑": "-", "\u2009": " ", "\u202f": " "}


def _latin(ch: str) -> bytes | None:
    if ch in _LATIN_SPECIALS:
        return bytes([_LATIN_SPECIALS[ch]])
    if " " <= ch <= "~" and ch != "$":
        return ch.encode("ascii")
    parts = unicodedata.normalize("NFD", ch)
    if len(parts) == 2 and parts[1] in _DIACRITICS and " " <= parts[0] <= "~":
        return bytes([_DIACRITICS[parts[1]]]) + parts[0].encode("ascii")
    return None


def _encoder(lang: str) -> tuple[str, str]:
    """(CCT, Python codec or "iso6937") for a language, or CaptionFormatError."""
    base = language_of(lang)
    if base in _NO_TABLE:
        raise CaptionFormatError(
            f"EBU-STL has no character table for {_NO_TABLE[base]} ({lang}): it carries Latin, "
            "Cyrillic, Greek, Arabic and Hebrew only; send IMSC (imsc) captions instead")
    for cct, (codec, langs) in _TABLES.items():
        if base in langs:
            return cct, codec
    return "00", "iso6937"


def _encode(text: str, codec: str, lang: str) -> bytes:
    text = "".join(_PLAIN.get(ch, ch) for ch in text)
    if codec != "iso6937":
        try:
            return text.encode(codec)
        except UnicodeEncodeError as e:
            bad = text[e.start:e.end]
    else:
        out = [_latin(ch) for ch in text]
        if all(b is not None for b in out):
            return b"".join(b for b in out if b is not None)
        bad = "".join(ch for ch, b in zip(text, out) if b is None)
    raise CaptionFormatError(
        f"EBU-STL's character table for {lang} cannot carry {bad!r}; send IMSC (imsc) "
        "captions, or respell the line")


def _rows(text: str) -> list[str]:
    """The cue's lines, each re-wrapped to Teletext's 40 columns where longer."""
    rows: list[str] = []
    for line in text.split("\n"):
        rows += textwrap.wrap(line, ROW_CHARS) or [""]
    return rows


def _timecode(ms: int) -> tuple[int, int, int, int]:
    frames = round(ms * FPS / 1000)
    seconds, f = divmod(frames, FPS)
    return seconds // 3600, seconds // 60 % 60, seconds % 60, f


def _tti_blocks(number: int, cue: Cue, codec: str, lang: str) -> list[bytes]:
    rows = _rows(cue.text)
    field = (_NEWLINE * 2).join(_ROW_START + _encode(r, codec, lang) + _ROW_END for r in rows)
    chunks = [field[i:i + _TEXT_FIELD] for i in range(0, len(field), _TEXT_FIELD)] or [b""]
    vertical = max(1, ROWS - 1 - 2 * (len(rows) - 1))  # the last row on 22 (double height)
    blocks = []
    for i, chunk in enumerate(chunks):
        extension = 0xFF if i == len(chunks) - 1 else i
        blocks.append(struct.pack("<BHBB4B4BBBB112s", 0, number, extension, 0,
                                  *_timecode(cue.start), *_timecode(cue.end), vertical,
                                  2, 0, chunk.ljust(_TEXT_FIELD, _FILLER)))
    return blocks


def _field(value: str, size: int) -> bytes:
    return value.encode("ascii")[:size].ljust(size, b" ")


def _gsi(lang: str, cct: str, blocks: int, subtitles: int) -> bytes:
    """The General Subtitle Information block. Dates are fixed (700101): the same cues give
    the same bytes (a delivery's rerun changes nothing); the package's receipt has the date."""
    lc = _LANGUAGE_CODES.get(language_of(lang), "00")
    fields = [("850", 3), (f"STL{FPS}.01", 8), ("1", 1), (cct, 2), (lc, 2), ("", 32), ("", 32),
              ("", 32), ("", 32), ("", 32), ("", 32), ("", 16), ("700101", 6), ("700101", 6),
              ("00", 2), (f"{blocks:05d}", 5), (f"{subtitles:05d}", 5), ("001", 3),
              (f"{ROW_CHARS:02d}", 2), (f"{ROWS:02d}", 2), ("1", 1), ("00000000", 8),
              ("00000000", 8), ("1", 1), ("1", 1), ("", 3), ("", 32), ("", 32), ("", 32),
              ("", 75), ("", 576)]
    gsi = b"".join(_field(v, n) for v, n in fields)
    assert len(gsi) == 1024
    return gsi


def write(cues: list[Cue], lang: str) -> bytes:
    """EBU-STL bytes, or CaptionFormatError naming the language (or characters) it cannot
    carry and IMSC as what to send instead."""
    cct, codec = _encoder(lang)
    blocks = [b for n, cue in enumerate(cues) for b in _tti_blocks(n, cue, codec, lang)]
    return _gsi(lang, cct, len(blocks), len(cues)) + b"".join(blocks)
