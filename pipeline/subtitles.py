"""Subtitle events: the Cue model, SRT/VTT/ASS through pysubs2, segmentation, line breaks, QA.

Times are integer milliseconds (no float drift in hashes or comparisons).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

import pysubs2

from pipeline.errors import MediaError


@dataclass(frozen=True)
class Cue:
    start: int  # ms
    end: int  # ms
    text: str  # lines joined by "\n"

    @property
    def duration(self) -> int:
        return self.end - self.start

    @property
    def flat(self) -> str:
        """The text as one line (what a voice reads)."""
        return join_words(self.text.split("\n"))


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Rules:
    """Reading rules for one language, modelled on the Netflix timed-text style guides."""

    max_chars_per_line: int = 42
    max_lines: int = 2
    max_cps: float = 17.0
    min_duration: int = 833
    max_duration: int = 7000
    min_gap: int = 80  # two frames at 25 fps


# Per-language defaults; the config's values replace the "default" row and can override any row.
LANGUAGE_RULES: dict[str, dict[str, float]] = {
    "en": {"max_chars_per_line": 42, "max_cps": 20},
    "zh": {"max_chars_per_line": 16, "max_cps": 9},
    "ja": {"max_chars_per_line": 13, "max_cps": 4},
    "ko": {"max_chars_per_line": 16, "max_cps": 12},
}

CJK_LANGS = {"zh", "ja", "ko"}


def is_cjk_char(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def join_words(parts: list[str]) -> str:
    """Join words or lines with spaces, but not between CJK characters."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and not (is_cjk_char(out[-1]) or is_cjk_char(part[0])):
            out += " "
        out += part
    return out


def text_length(text: str) -> int:
    """Characters a reader reads: line breaks and spaces between CJK glyphs do not count."""
    return len(text.replace("\n", ""))


# --- line breaking ---------------------------------------------------------------------------

_CLAUSE_END = re.compile(r"[,;:，、；：]$")
_SENTENCE_END = re.compile(r"[.!?。！？…]['\"”’)]?$")


def cjk_tokens(word: str) -> list[str]:
    """A CJK word's break candidates: each CJK glyph alone, each run of other characters
    (a number, a Latin name like CBD) whole."""
    tokens: list[str] = []
    run = ""
    for ch in word:
        if is_cjk_char(ch):
            if run:
                tokens.append(run)
                run = ""
            tokens.append(ch)
        else:
            run += ch
    if run:
        tokens.append(run)
    return tokens


def _tokens(text: str) -> list[str]:
    """Break candidates: words for spaced scripts, characters (keeping Latin runs) for CJK."""
    tokens: list[str] = []
    for word in text.split():
        if any(is_cjk_char(c) for c in word):
            tokens.extend(cjk_tokens(word))
        else:
            tokens.append(word)
    return tokens


def break_lines(text: str, rules: Rules) -> str:
    """Break one event's text into at most max_lines balanced lines.

    Two lines are balanced with the bottom line the longer one (a pyramid), a break after
    punctuation is preferred, and no break falls inside a number or a capitalised name pair.
    """
    flat = join_words(text.split("\n"))
    if text_length(flat) <= rules.max_chars_per_line or rules.max_lines < 2:
        return flat
    tokens = _tokens(flat)
    best: tuple[float, str] | None = None
    for i in range(1, len(tokens)):
        top, bottom = join_words(tokens[:i]), join_words(tokens[i:])
        lt, lb = text_length(top), text_length(bottom)
        cost = abs(lb - lt) + (0 if lb >= lt else 3)
        if max(lt, lb) > rules.max_chars_per_line:
            cost += 1000 * (max(lt, lb) - rules.max_chars_per_line)
        if _CLAUSE_END.search(tokens[i - 1]) or _SENTENCE_END.search(tokens[i - 1]):
            cost -= 8
        if _keeps_together(tokens[i - 1], tokens[i]):
            cost += 40
        if weak_end(tokens[i - 1]):
            cost += 10
        if best is None or cost < best[0]:
            best = (cost, top + "\n" + bottom)
    return best[1] if best else flat


# Articles, prepositions and conjunctions of the Latin-script languages we deliver most: a
# line or an event that ends on one reads as cut off from the words it belongs to.
FUNCTION_WORDS = frozenset("""
a an the of to in on at by for from with and or but as into than that
o os as um uma de do da dos das em no na nos nas por para com e ou que ao à pelo pela
el la los las un una del en y al con
le les une du des au aux par pour avec et
der die das den dem des ein eine einen und oder mit von zu im am an auf für
il lo gli di della per che
""".split())


def weak_end(word: str) -> bool:
    """Whether a line or an event should not end on this word (an article, a preposition)."""
    return word in FUNCTION_WORDS


_NUMBER = re.compile(r"\d(?:[\d.,]*\d)?%?")


def _keeps_together(left: str, right: str) -> bool:
    """True where a line break between these two tokens would split a name or a number."""
    if _NUMBER.fullmatch(left) and re.match(r"[\w%]", right):
        return True  # 2,000 visitors; 72 springs; 1 500 m
    if left[:1].isupper() and right[:1].isupper() and not _SENTENCE_END.search(left):
        return not _CLAUSE_END.search(left)
    return False


# --- segmentation of ASR words into events -----------------------------------------------

def segment_words(words: list[Word], rules: Rules) -> list[Cue]:
    """Group timed words into subtitle events that respect the rules.

    An event ends at a sentence end, at a pause over 600 ms, or before it would exceed the
    character or duration budget; a clause boundary is the preferred split point then.
    """
    capacity = rules.max_chars_per_line * rules.max_lines
    events: list[list[Word]] = []
    current: list[Word] = []
    for word in words:
        if not word.text.strip():
            continue
        # the tail left after a clause split is checked again with this word
        while current and _must_end(current, word, rules, capacity):
            head, tail = _split_at_clause(current)
            events.append(head)
            current = tail
        current.append(word)
        if _SENTENCE_END.search(word.text.strip()):
            events.append(current)
            current = []
    if current:
        events.append(current)
    cues = [Cue(ev[0].start, ev[-1].end, break_lines(join_words([w.text for w in ev]), rules))
            for ev in events if ev]
    return fix_timing(cues, rules)


def _must_end(current: list[Word], word: Word, rules: Rules, capacity: int) -> bool:
    """Whether the event being built must end before this word."""
    candidate = join_words([w.text for w in current + [word]])
    too_long = text_length(candidate) > capacity or not fits(candidate, rules)
    too_slow = word.end - current[0].start > rules.max_duration
    paused = word.start - current[-1].end > 600
    return too_long or too_slow or paused


def fits(text: str, rules: Rules) -> bool:
    """Whether the text can be broken into lines that keep the line rules."""
    lines = break_lines(text, rules).split("\n")
    return len(lines) <= rules.max_lines and all(
        text_length(line) <= rules.max_chars_per_line for line in lines)


def _split_at_clause(words: list[Word]) -> tuple[list[Word], list[Word]]:
    """Split a too-long run after its last clause mark, if that leaves a sensible head."""
    for i in range(len(words) - 1, 0, -1):
        if _CLAUSE_END.search(words[i - 1].text.strip()) and i >= len(words) // 2:
            return words[:i], words[i:]
    return words, []


# How much earlier than its speech an event may appear when it needs the time to be read
# (translations run longer than the source); subtitlers accept a short lead-in, not more.
LEAD_IN_MS = 500


def fix_timing(cues: list[Cue], rules: Rules) -> list[Cue]:
    """Extend short events into free time (for reading speed), or let them appear up to
    LEAD_IN_MS early when the time after them is taken; cap their length, and keep the
    minimum gap (starting an event a few ms late when two events touch)."""
    out: list[Cue] = []
    prev_end = -rules.min_gap
    for i, cue in enumerate(cues):
        start = max(cue.start, prev_end + rules.min_gap)
        end = max(cue.end, start + 1)
        limit = cues[i + 1].start - rules.min_gap if i + 1 < len(cues) else end + 2000
        need = _reading_need(cue, rules)
        if end - start < need:
            end = min(start + need, max(limit, end))
        if end - start < need:  # still too fast to read: appear a little before the speech
            start -= max(0, min(need - (end - start), LEAD_IN_MS, start - prev_end - rules.min_gap))
        end = min(end, start + rules.max_duration)
        if i + 1 < len(cues) and end > limit:
            end = max(start + 1, limit)
        out.append(Cue(start, end, cue.text))
        prev_end = end
    return _share_chained(out, rules)


def _reading_need(cue: Cue, rules: Rules) -> int:
    return max(rules.min_duration, int(1000 * text_length(cue.text) / rules.max_cps) + 1)


def _share_chained(cues: list[Cue], rules: Rules) -> list[Cue]:
    """Two chained events (a sentence split in two: the second starts at the minimum gap)
    share their time by what each needs to be read: the boundary moves later, by at most
    LEAD_IN_MS, when the second can give time (its own spare time or free time after it)."""
    out = list(cues)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        short = _reading_need(a, rules) - a.duration
        if short <= 0 or b.start - a.end > rules.min_gap:
            continue
        limit = out[i + 2].start - rules.min_gap if i + 2 < len(out) else b.end
        b_need = _reading_need(b, rules)
        room = min(limit, b.start + rules.max_duration) - b.start - b_need
        shift = min(short, room, LEAD_IN_MS)
        if shift > 0:
            out[i] = Cue(a.start, a.end + shift, a.text)
            end = min(limit, max(b.end, b.start + shift + b_need))
            out[i + 1] = Cue(b.start + shift, end, b.text)
    return out


# --- QA -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    index: int  # 1-based event number as in the SRT
    rule: str
    detail: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def check(cues: list[Cue], rules: Rules) -> list[Finding]:
    """Every rule violation in a list of events (used on generated and hand-edited files)."""
    found: list[Finding] = []
    for n, cue in enumerate(cues, start=1):
        lines = cue.text.split("\n")
        if len(lines) > rules.max_lines:
            found.append(Finding(n, "max_lines", f"{len(lines)} lines > {rules.max_lines}"))
        for line in lines:
            if text_length(line) > rules.max_chars_per_line:
                found.append(Finding(n, "max_chars_per_line",
                                     f"{text_length(line)} chars > {rules.max_chars_per_line}: {line!r}"))
        if cue.duration <= 0:
            found.append(Finding(n, "duration", "ends before it starts"))
            continue
        cps = text_length(cue.text) / (cue.duration / 1000)
        if cps > rules.max_cps + 0.05:
            found.append(Finding(n, "max_cps", f"{cps:.1f} chars/s > {rules.max_cps:g}"))
        if cue.duration < rules.min_duration:
            found.append(Finding(n, "min_duration", f"{cue.duration} ms < {rules.min_duration}"))
        if cue.duration > rules.max_duration:
            found.append(Finding(n, "max_duration", f"{cue.duration} ms > {rules.max_duration}"))
        if n > 1 and cue.start - cues[n - 2].end < rules.min_gap:
            gap = cue.start - cues[n - 2].end
            found.append(Finding(n, "min_gap", f"{gap} ms after the previous event < {rules.min_gap}"))
    return found


# --- file formats (pysubs2) ---------------------------------------------------------------

# SRT has no override syntax: text in braces is text. pysubs2 turns the HTML styling of SRT
# (<i>, <b>, <u>, <s>) into these tags on reading; we render plain text, so they go.
_SRT_STYLE_TAGS = re.compile(r"\{\\[ibus][01]\}")


# pysubs2 reads \N, \n and \h in SRT text as ASS escapes; a literal backslash before those
# letters is written with a word joiner (U+2060) after it and read back without it.
_WS_ESCAPE = re.compile(r"\\(?=[Nnh])")
_LITERAL_BACKSLASH = "\\\u2060"


def _event_text(raw: str) -> str:
    text = _SRT_STYLE_TAGS.sub("", raw).replace("\\N", "\n").replace("\\n", "\n")
    return text.replace(_LITERAL_BACKSLASH, "\\").strip()


def _load(path: Path, format_: str, name: str) -> list[Cue]:
    try:
        subs = pysubs2.load(str(path), encoding="utf-8", format_=format_)
    except Exception as e:  # pysubs2 raises several types for bad input
        raise MediaError(f"{path}: not a readable {name} file ({e}); fix or delete it") from e
    cues = [Cue(ev.start, ev.end, _event_text(ev.text)) for ev in subs]
    return [c for c in cues if c.text]


def load_srt(path: Path) -> list[Cue]:
    """Events of an SRT file; every character of the text is kept literally (braces too)."""
    return _load(path, "srt", "SRT")


def load_vtt(path: Path) -> list[Cue]:
    """Events of a WebVTT file (the sidecars this tool writes; entities read back)."""
    return [Cue(c.start, c.end, html.unescape(c.text)) for c in _load(path, "vtt", "WebVTT")]


def _to_ssafile(cues: list[Cue]) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    for cue in cues:
        text = _WS_ESCAPE.sub(_LITERAL_BACKSLASH, cue.text).replace("\n", "\\N")
        subs.append(pysubs2.SSAEvent(start=cue.start, end=cue.end, text=text))
    return subs


def srt_text(cues: list[Cue]) -> str:
    return _to_ssafile(cues).to_string("srt", keep_ssa_tags=True)


def vtt_text(cues: list[Cue]) -> str:
    """WebVTT: cue text is markup there, so &, < and > are written as entities (a line like
    "Rock & Roll <3" would otherwise open a tag in every player)."""
    escaped = [Cue(c.start, c.end, html.escape(c.text, quote=False)) for c in cues]
    return _to_ssafile(escaped).to_string("vtt", keep_ssa_tags=True)


def escape_ass(text: str) -> str:
    """Make text show literally in ASS: no override blocks, no \\N or \\h escapes.

    libass (0.17 here) reads \\{ and \\} as literal braces; a backslash before N, n or h
    is kept literal by a word joiner (U+2060) after it.
    """
    text = re.sub(r"\\(?=[Nnh{}])", "\\\\\u2060", text)
    text = text.replace("{", "\\{").replace("}", "\\}")
    return text.replace("\n", "\\N")


@dataclass(frozen=True)
class AssStyle:
    width: int
    height: int
    font: str
    size_px: int
    margin_v: int
    outline_px: float
    shadow_px: float


def ass_text(cues: list[Cue], style: AssStyle) -> str:
    """An ASS script sized for one output frame, with every event's text shown literally."""
    subs = pysubs2.SSAFile()
    subs.info["PlayResX"] = str(style.width)
    subs.info["PlayResY"] = str(style.height)
    subs.info["WrapStyle"] = "0"
    subs.info["ScaledBorderAndShadow"] = "yes"
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname=style.font,
        fontsize=style.size_px,
        primarycolor=pysubs2.Color(255, 255, 255, 0),
        outlinecolor=pysubs2.Color(0, 0, 0, 0),
        backcolor=pysubs2.Color(0, 0, 0, 128),
        outline=style.outline_px,
        shadow=style.shadow_px,
        alignment=pysubs2.Alignment.BOTTOM_CENTER,
        marginl=int(style.width * 0.05),
        marginr=int(style.width * 0.05),
        marginv=style.margin_v,
    )
    for cue in cues:
        subs.append(pysubs2.SSAEvent(start=cue.start, end=cue.end, text=escape_ass(cue.text)))
    return subs.to_string("ass")
