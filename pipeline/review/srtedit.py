"""Change one SRT block the way a careful person would in a text editor.

The file is parsed into blocks that remember where their time line and their text sit in
the file; an edit replaces only those characters and leaves every other byte as it was
(byte order mark, CRLF or LF, numbering, blank lines, time-line extras). An edit that would
break the file is refused with the reason and produces nothing.

Times are integer milliseconds, as everywhere in the pipeline.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from pipeline.review.errors import EditRefused, NotFound, UnreadableSubtitles

_TIME = r"(\d{1,3}):(\d{1,2}):(\d{1,2})([,.])(\d{1,3})"
_TIMING = re.compile(rf"^[ \t]*{_TIME}[ \t]*-->[ \t]*{_TIME}")
_INDEX = re.compile(r"^[ \t]*\d+[ \t]*$")
_NEWLINE = re.compile(r"\r\n|\n|\r")
_USER_TIME = re.compile(r"^\s*(\d{1,2}):([0-5]\d):([0-5]\d)[,.](\d{3})\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def format_time(ms: int, separator: str = ",") -> str:
    return (f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}"
            f"{separator}{ms % 1000:03d}")


def parse_time(text: str) -> int:
    """HH:MM:SS,mmm (or with a dot) as milliseconds; anything else is refused."""
    m = _USER_TIME.match(text)
    if not m:
        raise EditRefused(f"bad time {text.strip()!r}: write it as HH:MM:SS,mmm (00:01:02,500)")
    h, mi, s, ms = (int(g) for g in m.groups())
    return ((h * 60 + mi) * 60 + s) * 1000 + ms


def _ms(groups: tuple[str, ...]) -> int:
    h, m, s, _sep, frac = groups
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(frac.ljust(3, "0"))


@dataclass(frozen=True)
class Block:
    """One subtitle block and where its parts are in the decoded file."""

    number: int  # 1-based position in the file
    start: int  # ms
    end: int  # ms
    text: str  # its lines joined by "\n", as in the file
    start_span: tuple[int, int]  # the start time's characters
    end_span: tuple[int, int]
    start_sep: str
    end_sep: str
    text_span: tuple[int, int]  # the text lines, without the newline after the last one
    timing_has_newline: bool


@dataclass(frozen=True)
class SrtDocument:
    text: str
    newline: str
    blocks: list[Block]
    sha256: str

    @classmethod
    def parse(cls, data: bytes) -> SrtDocument:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise UnreadableSubtitles(f"not UTF-8 text (byte {e.start}); open it in a text "
                                      "editor and save it as UTF-8") from None
        newline = "\r\n" if "\r\n" in text else ("\r" if "\r" in text and "\n" not in text else "\n")
        return cls(text, newline, _blocks(text), sha256_bytes(data))

    def block(self, number: int) -> Block:
        if not 1 <= number <= len(self.blocks):
            raise NotFound(f"there is no line {number} (the file has {len(self.blocks)})")
        return self.blocks[number - 1]


def _lines(text: str) -> list[tuple[int, int, int]]:
    """(start, end without the newline, end with it) of every line."""
    found = []
    pos = 0
    for m in _NEWLINE.finditer(text):
        found.append((pos, m.start(), m.end()))
        pos = m.end()
    if pos < len(text):
        found.append((pos, len(text), len(text)))
    return found


def _blocks(text: str) -> list[Block]:
    lines = _lines(text)

    def content(i: int) -> str:
        a, b, _ = lines[i]
        return text[a:b].lstrip("\ufeff") if i == 0 else text[a:b]

    def opens_block(i: int) -> bool:
        return (i + 1 < len(lines) and bool(_INDEX.match(content(i)))
                and bool(_TIMING.match(content(i + 1))))

    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        if not content(i).strip():
            i += 1
            continue
        if opens_block(i):
            timing = i + 1
        elif _TIMING.match(content(i)):
            timing = i
        else:
            raise UnreadableSubtitles(
                f"file line {i + 1} should be a cue number or a time line but reads "
                f"{content(i)[:40]!r}; fix the file in a text editor")
        m = _TIMING.match(content(timing))
        assert m
        offset = lines[timing][0] + (1 if timing == 0 and text.startswith("\ufeff") else 0)
        j = timing + 1
        while j < len(lines) and content(j).strip() and not opens_block(j):
            j += 1
        if j > timing + 1:
            span = (lines[timing + 1][0], lines[j - 1][1])
        else:
            span = (lines[timing][2], lines[timing][2])
        blocks.append(Block(
            number=len(blocks) + 1, start=_ms(m.groups()[:5]), end=_ms(m.groups()[5:]),
            text=_NEWLINE.sub("\n", text[span[0]:span[1]]),
            start_span=(offset + m.start(1), offset + m.end(5)),
            end_span=(offset + m.start(6), offset + m.end(10)),
            start_sep=m.group(4), end_sep=m.group(9), text_span=span,
            timing_has_newline=lines[timing][2] > lines[timing][1]))
        i = j
    return blocks


def clean_text(text: str) -> str:
    """The text a person typed, as the file's lines: newlines unified, trailing spaces and
    blank lines at either end dropped. Refused when it would not stay one block."""
    lines = [ln.rstrip() for ln in _NEWLINE.sub("\n", text).split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise EditRefused("the text is empty; every subtitle needs words")
    if any(not ln.strip() for ln in lines):
        raise EditRefused("a blank line inside the text would end the subtitle there")
    if any(_TIMING.match(ln) for ln in lines):
        raise EditRefused("a text line that reads like a time line would split the subtitle")
    if _CONTROL.search("\n".join(lines)):
        raise EditRefused("the text contains control characters")
    return "\n".join(lines)


def check_times(doc: SrtDocument, number: int, start: int, end: int) -> None:
    if start < 0:
        raise EditRefused("a time cannot be negative", number)
    if end <= start:
        raise EditRefused(f"it ends ({format_time(end)}) before it starts ({format_time(start)})",
                          number)
    if number > 1:
        prev = doc.blocks[number - 2]
        if start < prev.end:
            raise EditRefused(f"it starts at {format_time(start)}, before line {number - 1} "
                              f"ends ({format_time(prev.end)})", number)
    if number < len(doc.blocks):
        nxt = doc.blocks[number]
        if end > nxt.start:
            raise EditRefused(f"it ends at {format_time(end)}, after line {number + 1} starts "
                              f"({format_time(nxt.start)})", number)


def edit(data: bytes, number: int, *, start: int | None = None, end: int | None = None,
         text: str | None = None) -> bytes:
    """The file with block `number` changed; only the characters of what changed differ."""
    doc = SrtDocument.parse(data)
    block = doc.block(number)
    new_start = block.start if start is None else start
    new_end = block.end if end is None else end
    if (new_start, new_end) != (block.start, block.end):
        check_times(doc, number, new_start, new_end)
    replacements: list[tuple[tuple[int, int], str]] = []
    if new_start != block.start:
        replacements.append((block.start_span, format_time(new_start, block.start_sep)))
    if new_end != block.end:
        replacements.append((block.end_span, format_time(new_end, block.end_sep)))
    if text is not None:
        lines = clean_text(text)
        if lines != block.text:
            body = lines.replace("\n", doc.newline)
            a, b = block.text_span
            if a == b:  # a block with no text yet: the text goes after the time line
                body = (body + doc.newline) if block.timing_has_newline else (doc.newline + body)
            replacements.append((block.text_span, body))
    out = doc.text
    for (a, b), new in sorted(replacements, reverse=True):
        out = out[:a] + new + out[b:]
    result = out.encode("utf-8")
    _verify(doc, result, number, new_start, new_end, text)
    return result


def _verify(before: SrtDocument, data: bytes, number: int, start: int, end: int,
            text: str | None) -> None:
    """The edited file reads back with the same blocks, only `number` changed."""
    after = SrtDocument.parse(data)
    if len(after.blocks) != len(before.blocks):
        raise EditRefused("the edit would change the number of subtitles", number)
    for old, new in zip(before.blocks, after.blocks):
        if new.number == number:
            wanted = clean_text(text) if text is not None else old.text
            if (new.start, new.end, new.text) != (start, end, wanted):
                raise EditRefused("the edit does not read back as typed", number)
        elif (old.start, old.end, old.text) != (new.start, new.end, new.text):
            raise EditRefused(f"the edit would change line {new.number} too", number)
