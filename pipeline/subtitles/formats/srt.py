"""SRT: the editable subtitles. A strict reader that names every problem's line, and the
writer (pysubs2) that keeps every character of the text literally."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import MediaError, SubtitleFileError
from pipeline.subtitles.formats.base import LITERAL_BACKSLASH, to_ssafile
from pipeline.subtitles.model import Cue

# SRT has no override syntax: text in braces is text. The HTML styling of SRT (<i>, <b>,
# <u>, <s>, <font ...>) goes: we render plain text. Any other "<" is text ("a < b", "<3").
_SRT_STYLE_TAGS = re.compile(r"</?(?:[ibus]|font(?:\s[^>]*)?)>", re.IGNORECASE)

# One time: hours, minutes and seconds, a comma (or a full stop, as some tools write) and 1-3
# digits of fraction ("1,5" is 1.5 s).
_TIME = re.compile(r"(\d{1,3}):(\d{1,2}):(\d{1,2})[,.](\d{1,3})")
_TIMES = re.compile(r"\d{1,3}:\d{1,2}:\d{1,2}[,.]\d{1,3}")
_INDEX = re.compile(r"\d+")
_LINE_END = re.compile(r"\r\n|\r|\n")


def _is_time_line(line: str) -> bool:
    """A line meant as a time line: it has the arrow, or two times (with a mistyped arrow)."""
    return "-->" in line or len(_TIMES.findall(line)) == 2


def _parse_time(stamp: str) -> int | str:
    """Milliseconds, or what is wrong with the stamp."""
    m = _TIME.fullmatch(stamp)
    if not m:
        return f"bad time {stamp!r} (write HH:MM:SS,mmm)"
    h, mi, sec, frac = m.groups()
    if int(mi) > 59 or int(sec) > 59:
        return f"bad time {stamp!r} (minutes and seconds go up to 59)"
    return ((int(h) * 60 + int(mi)) * 60 + int(sec)) * 1000 + int(frac.ljust(3, "0"))


def _parse_times(line: str) -> tuple[int, int] | str:
    """(start, end) of a time line, or what is wrong with it. Text after the end time (SRT
    position coordinates such as X1:40 X2:600) is allowed."""
    if "-->" not in line:
        return "the two times need ' --> ' between them"
    left, _, right = line.partition("-->")
    stamps = [left.strip(), (right.split() or [""])[0]]
    parsed = [_parse_time(s) for s in stamps]
    bad = [p for p in parsed if isinstance(p, str)]
    if bad:
        return "; ".join(bad)
    start, end = parsed
    assert isinstance(start, int) and isinstance(end, int)
    return start, end


def _snippet(text: str) -> str:
    return repr(text if len(text) <= 30 else text[:27] + "...")


@dataclass(frozen=True)
class _Event:
    line: int  # of its time line
    start: int
    end: int
    stamps: str  # the time line as written
    text: str


def parse_srt(text: str, overlapping: bool = False) -> tuple[list[Cue], list[tuple[int, str]]]:
    """Events of SRT text, and every problem as (line number, what is wrong).

    The rules, as a subtitle editor such as Subtitle Edit reads SRT: a block is an optional
    index line, a time line (HH:MM:SS,mmm --> HH:MM:SS,mmm), then text lines up to a blank
    line. CRLF line ends, several blank lines between blocks and no blank line at the end are
    fine. The index is only a label: a missing, repeated or non-numeric index is tolerated
    when a time line follows it (events are renumbered on writing). A number followed by a
    time line starts a new block even without a blank line before it. An event with no text
    is dropped. Problems: a bad time, an event that ends before (or when) it starts, an event
    that starts before the one before it ends (overlapping or out of order), a block (or text
    after a blank line inside an event) with no time line. `overlapping`: events may overlap
    (a captions file: a title and a lower third show at once).
    """
    lines = _LINE_END.split(text)
    problems: list[tuple[int, str]] = []
    events: list[_Event] = []
    i, n = 0, len(lines)
    while i < n:
        if not lines[i].strip():
            i += 1
            continue
        if not _is_time_line(lines[i]):
            if i + 1 < n and _is_time_line(lines[i + 1]):
                i += 1  # the index line (a label: whatever it says)
            else:
                block = []
                while i < n and lines[i].strip():
                    block.append(lines[i].strip())
                    i += 1
                shown = next((b for b in block if not _INDEX.fullmatch(b)), block[0])
                problems.append((i - len(block) + 1, f"no time line for {_snippet(shown)} (a "
                                                      "deleted time line, or a blank line inside "
                                                      "the text)"))
                continue
        time_line = i
        times = _parse_times(lines[i])
        i += 1
        body: list[str] = []
        while i < n and lines[i].strip() and not _is_time_line(lines[i]):
            if _INDEX.fullmatch(lines[i].strip()) and i + 1 < n and _is_time_line(lines[i + 1]):
                break  # the next block's index, without a blank line before it
            body.append(lines[i].strip())
            i += 1
        if isinstance(times, str):
            problems.append((time_line + 1, times))
            continue
        event_text = _event_text_srt("\n".join(body))
        if event_text:
            events.append(_Event(time_line + 1, *times, lines[time_line].strip(), event_text))
    previous: _Event | None = None
    for ev in events:
        start, end = (s.strip() for s in ev.stamps.partition("-->")[::2])
        end = (end.split() or [""])[0]
        if ev.end < ev.start:
            problems.append((ev.line, f"ends ({end}) before it starts ({start})"))
        elif ev.end == ev.start:
            problems.append((ev.line, f"ends when it starts ({start}): it would never show"))
        if previous is not None and ev.start < previous.end and not overlapping:
            problems.append((ev.line, f"starts ({start}) before the event at line "
                                      f"{previous.line} ends ({_ms_text(previous.end)})"))
        if previous is None or ev.end > previous.end:
            previous = ev
    problems.sort(key=lambda p: p[0])
    return [Cue(ev.start, ev.end, ev.text) for ev in events], problems


def _ms_text(ms: int) -> str:
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def _event_text_srt(raw: str) -> str:
    """An event's text as the reader sees it: styling tags dropped, a typed \\N or \\n is a
    line break, every other character literal (braces, backslashes, "<3")."""
    text = _SRT_STYLE_TAGS.sub("", raw).replace("\\N", "\n").replace("\\n", "\n")
    text = text.replace(LITERAL_BACKSLASH, "\\")
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def decode_subtitle_bytes(data: bytes) -> tuple[str, list[tuple[int, str]]]:
    """Text of a subtitle file (UTF-8, with or without a byte-order mark), and its encoding
    problems (a file that is not UTF-8 is still decoded, with replacement characters, so its
    other problems can be reported too)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "", [(0, "the file is UTF-16; save it as UTF-8")]
    if not data.removeprefix(b"\xef\xbb\xbf"):
        return "", [(0, "the file is empty (0 bytes); restore the subtitles or delete the file")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return data.decode("utf-8-sig", errors="replace"), [
            (line, f"not UTF-8 (byte 0x{data[e.start]:02x}); save the file as UTF-8")]


def load_srt(path: Path, overlapping: bool = False) -> list[Cue]:
    """Events of an SRT file, read strictly (`parse_srt`): any problem raises one
    SubtitleFileError naming the file and every problem's line. Every character of the text
    is kept literally (braces too); a file of blank lines has no events. `overlapping`:
    events may overlap (captions)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise MediaError(f"{path}: cannot be read ({e.strerror}); check the file") from e
    text, problems = decode_subtitle_bytes(data)
    cues, found = parse_srt(text, overlapping) if text else ([], [])
    if problems or found:
        raise SubtitleFileError(path, sorted(problems + found, key=lambda p: p[0]))
    return cues



def srt_text(cues: list[Cue]) -> str:
    """SRT of the events; with none, one blank line (a file of 0 bytes is what an editor
    leaves when everything was deleted or a save failed: load_srt refuses that one)."""
    return to_ssafile(cues).to_string("srt", keep_ssa_tags=True) if cues else "\n"


def write(cues: list[Cue], lang: str) -> bytes:
    """The table's writer: UTF-8 SRT (every script)."""
    return srt_text(cues).encode("utf-8")
