"""The review desk's view of a project: small frozen values the adapter (project.py) builds
from the pipeline's files and the pages render. Nothing here reads a file."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from typing import TYPE_CHECKING

from pipeline.delivery.approvals import Assessment

if TYPE_CHECKING:
    from pipeline.delivery.edits import Row


class VersionStatus(str, Enum):
    """One word for a version on the board (worst of its stages)."""

    DONE = "done"  # every stage fresh: the deliverable is what the files say
    EDITED = "edited"  # done, and made from a hand-edited subtitle file
    STALE = "stale"  # something it depends on changed: a rerun brings it up to date
    MISSING = "missing"  # not made yet
    FAILED = "failed"  # a stage failed; the cause says why


@dataclass(frozen=True)
class StageStatus:
    stage: str
    status: str  # done | edited | stale | missing | failed (the pipeline's words)
    cause: str = ""


@dataclass(frozen=True)
class VersionRow:
    video: str
    lang: str
    status: VersionStatus
    edited: bool  # some subtitle file of it was changed by hand
    cause: str  # the first failed stage's one-line cause, or why it is stale
    stages: tuple[StageStatus, ...]
    qa: int  # QA findings (subtitle rules, narration overflow, loudness, glossary)
    overflows: int  # narration lines that overflow their slot
    approval: Assessment
    has_deliverable: bool


def version_row(video: str, lang: str, stages: list[list[str]], qa: int, overflows: int,
                approval: Assessment, has_deliverable: bool) -> VersionRow:
    """A version's board row from its stages' [stage, status, cause]."""
    steps = tuple(StageStatus(stage, status, cause) for stage, status, cause in stages)
    statuses = {s.status for s in steps}
    status = next((v for v in (VersionStatus.FAILED, VersionStatus.MISSING, VersionStatus.STALE,
                               VersionStatus.EDITED) if v.value in statuses), VersionStatus.DONE)
    cause = next((f"{s.stage}: {s.cause}" for s in steps if s.status == status.value and s.cause),
                 "")
    return VersionRow(video, lang, status, "edited" in statuses, cause, steps, qa, overflows,
                      approval, has_deliverable)


@dataclass(frozen=True)
class VideoRow:
    name: str
    versions: dict[str, VersionRow]
    master: StageStatus | None


@dataclass(frozen=True)
class Board:
    languages: list[str]
    has_master: bool
    videos: list[VideoRow]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TermNote:
    form: str  # how the term is written in this language
    term: str
    note: str


@dataclass(frozen=True)
class LineFit:
    """How the host's narration of a line fits its slot (timing.json)."""

    speed: float
    overflow: int  # ms past its slot
    speech: int  # ms of speech before fitting
    start: int
    end: int


@dataclass(frozen=True)
class SourceLine:
    number: int  # block number in source/transcript.srt
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Line:
    number: int  # block number in <lang>/subtitles.srt
    start: int
    end: int
    text: str
    sources: tuple[SourceLine, ...]  # transcript lines overlapping it in time
    findings: tuple[str, ...]
    timing: LineFit | None
    burned: str | None = None  # what the render burns when it differs from the file's text


@dataclass(frozen=True)
class OnscreenLine:
    """A caption on screen (a title, a lower third) and the version's translation of it: a
    block of <lang>/captions.srt."""

    number: int  # block number in <lang>/captions.srt
    start: int
    end: int
    original: str  # as the scan read it ("" when no caption has the block's times)
    text: str


@dataclass(frozen=True)
class Media:
    path: str  # relative to the outputs folder, POSIX
    kind: str  # deliverable | sample
    profile: str
    sha256: str | None


@dataclass(frozen=True)
class Conflict:
    """Hand-edited target lines whose source changed under them (issue 14, point 4): the
    lines to choose for, from the core's proposal (pipeline/delivery/edits.py)."""

    message: str
    file: str
    rows: tuple[Row, ...] = ()
    source_changes: int = 0  # input lines that changed since the version was made
    token: str = ""  # what the choice is made against (fingerprint and file hash)
    warnings: tuple[str, ...] = ()  # the new translation's (a glossary term lost)
    problem: str = ""  # why the new translation cannot be shown (then only the CLI's ways)


@dataclass(frozen=True)
class VersionView:
    row: VersionRow
    media: tuple[Media, ...]
    lines: tuple[Line, ...]
    target_file: str  # relative to the outputs folder
    target_sha: str | None  # sha256 of the file as read for this page
    source_file: str
    source_sha: str | None
    source_language: str | None
    version_findings: tuple[str, ...]  # loudness, glossary: not tied to one line
    terms: tuple[TermNote, ...]  # glossary terms in the target language
    source_terms: tuple[TermNote, ...]
    binding: str  # what an approval from this page binds to (see approvals.py)
    conflict: Conflict | None
    problem: str = ""  # why the lines cannot be edited here (an unreadable file)
    captions: tuple[OnscreenLine, ...] = ()  # the captions on screen and their translations
    captions_file: str = ""
    captions_sha: str | None = None
    captions_problem: str = ""


@dataclass(frozen=True)
class SavedLine:
    file: str
    number: int
    start: int
    end: int
    text: str
    sha256: str  # of the file after the save
    changed: bool
    burned: str | None = None  # what the render will burn, when it differs from the text


@dataclass(frozen=True)
class ProgressEvent:
    kind: str  # stage | started | done | warning
    stage: str = ""
    label: str = ""
    outcome: str = ""  # ran | cached | failed | skipped
    seconds: float = 0.0
    note: str = ""


@dataclass(frozen=True)
class RerunResult:
    ran: tuple[str, ...]  # "stage video/lang"
    failed: tuple[str, ...]  # "stage video/lang: cause"
    seconds: float
