"""Page rendering: the Jinja2 environment (autoescape on, undefined names are errors) and the
small pure helpers the templates use."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined

from pipeline.review.models import Board, TermNote, VersionRow, VideoRow

FILTERS = {
    "all": "all versions",
    "needs_review": "needs review",
    "failed": "failed",
    "findings": "has findings",
}


def clock(ms: int) -> str:
    """12:03.4 for the lines list (hours only when there are some)."""
    seconds, rest = divmod(int(ms), 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    head = f"{hours}:{minutes:02d}" if hours else f"{minutes}"
    return f"{head}:{seconds:02d}.{rest // 100}"


def srt_time(ms: int) -> str:
    ms = int(ms)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def segments(text: str, terms: tuple[TermNote, ...] | list[TermNote]) -> list[tuple[str, TermNote | None]]:
    """The text cut into plain runs and glossary terms (whole words, any case, longest
    first); the template escapes each run and marks the terms."""
    spans: list[tuple[int, int, TermNote]] = []
    for term in sorted(terms, key=lambda t: -len(t.form)):
        pattern = r"(?<!\w)" + re.escape(term.form) + r"(?!\w)"
        for m in re.finditer(pattern, text, flags=re.IGNORECASE):
            if all(m.end() <= a or m.start() >= b for a, b, _ in spans):
                spans.append((m.start(), m.end(), term))
    out: list[tuple[str, TermNote | None]] = []
    pos = 0
    for a, b, term in sorted(spans, key=lambda s: s[0]):
        if a > pos:
            out.append((text[pos:a], None))
        out.append((text[a:b], term))
        pos = b
    if pos < len(text):
        out.append((text[pos:], None))
    return out


_ABSOLUTE = re.compile(r"(?<![\w./:])/(?:[^\s/:]+/)+([^\s/:]+)")


def short_paths(text: str) -> str:
    """Absolute paths as their file names (a board cell has room for the cause, not the
    folders; the version page shows it whole)."""
    return _ABSOLUTE.sub(lambda m: m.group(1), text)


def media_url(path: str) -> str:
    return "/media/" + quote(path)


def version_url(video: str, lang: str) -> str:
    return f"/v/{quote(video, safe='')}/{quote(lang, safe='')}"


def reviewable(row: VersionRow) -> bool:
    """Whether a sign-off means something here: there is a deliverable, or a decision."""
    return row.has_deliverable or row.approval.record is not None


def when(stamp: str) -> str:
    """2026-12-02T17:55:01Z as 2026-12-02 17:55 UTC."""
    return stamp[:16].replace("T", " ") + " UTC" if len(stamp) >= 16 else stamp


def matches(row: VersionRow, show: str) -> bool:
    if show == "needs_review":
        return reviewable(row) and row.approval.state.value in ("needs_review",
                                                                 "changed_since_approval")
    if show == "failed":
        return row.status.value == "failed"
    if show == "findings":
        return row.qa > 0
    return True


def filter_board(board: Board, show: str, query: str) -> list[tuple[VideoRow, set[str]]]:
    """Videos to list and, for each, the languages that match the filter."""
    query = query.strip().lower()
    found = []
    for video in board.videos:
        if query and query not in video.name.lower():
            continue
        langs = {lang for lang, row in video.versions.items() if matches(row, show)}
        master_failed = show == "failed" and video.master and video.master.status == "failed"
        if langs or show == "all" or master_failed:
            found.append((video, langs))
    return found


def counts(board: Board) -> dict[str, int]:
    found: dict[str, int] = {}
    for video in board.videos:
        for row in video.versions.values():
            found[row.status.value] = found.get(row.status.value, 0) + 1
            if reviewable(row):
                found[row.approval.state.value] = found.get(row.approval.state.value, 0) + 1
            found["findings"] = found.get("findings", 0) + (row.qa > 0)
    found["versions"] = sum(len(v.versions) for v in board.videos)
    return found


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader("pipeline.review", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(clock=clock, srt_time=srt_time, segments=segments, media_url=media_url,
                       when=when, short_paths=short_paths)
    env.globals.update(version_url=version_url, FILTERS=FILTERS, reviewable=reviewable)
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
