"""Sign-off records: who approved (or asked for changes to) exactly which version.

An approval is bound to what was approved: the sha256 of every deliverable of the version
and of its subtitle file, plus the subtitle lines themselves, so that when a rerun (or an
edit) changes either, the version reads "changed since approval" and the changed lines can
be listed. The store is outputs/approvals.json (not a cache: never deleted by the pipeline);
`pipeline status`, manifest.json and the review desk read it through `summary`.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.cache import read_json

if TYPE_CHECKING:
    from pipeline.workspace import Workspace

STORE_VERSION = 1
MAX_NAME = 80
MAX_NOTE = 2000


class Decision(str, Enum):
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"


class ApprovalState(str, Enum):
    NEEDS_REVIEW = "needs_review"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    CHANGED_SINCE_APPROVAL = "changed_since_approval"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


TimedLine = tuple[int, int, str]  # start ms, end ms, text


@dataclass(frozen=True)
class Binding:
    """What a version is right now: what an approval binds to."""

    deliverables: dict[str, str]  # profile -> sha256 of the file
    subtitles_sha256: str | None
    lines: list[TimedLine]


@dataclass(frozen=True)
class Signoff:
    decision: Decision
    reviewer: str
    note: str
    at: str  # UTC, ISO 8601
    deliverables: dict[str, str]
    subtitles_sha256: str | None
    lines: list[TimedLine]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["decision"] = self.decision.value
        data["lines"] = [list(x) for x in self.lines]
        return data

    @classmethod
    def from_json(cls, raw: Any) -> Signoff | None:
        """A stored record, or None when it is malformed (never a crash)."""
        try:
            return cls(Decision(raw["decision"]), str(raw["reviewer"]), str(raw.get("note", "")),
                       str(raw["at"]), {str(k): str(v) for k, v in raw["deliverables"].items()},
                       raw.get("subtitles_sha256"),
                       [(int(a), int(b), str(t)) for a, b, t in raw.get("lines", [])])
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


@dataclass(frozen=True)
class LineChange:
    number: int | None  # the line's number now (None: the line was removed)
    approved_number: int | None  # its number when approved (None: a new line)
    before: str | None
    after: str | None
    before_time: tuple[int, int] | None = None
    after_time: tuple[int, int] | None = None


@dataclass(frozen=True)
class Assessment:
    state: ApprovalState
    record: Signoff | None = None
    changed_lines: list[LineChange] = field(default_factory=list)
    deliverable_changed: bool = False

    def to_json(self) -> dict[str, Any]:
        """The summary `pipeline status --json` and manifest.json carry."""
        r = self.record
        return {"status": self.state.value,
                "decision": r.decision.value if r else None,
                "by": r.reviewer if r else None, "at": r.at if r else None,
                "note": r.note if r else None,
                "approved_sha256": dict(r.deliverables) if r else None,
                "changed_lines": [c.number if c.number is not None else c.approved_number
                                  for c in self.changed_lines],
                "deliverable_changed": self.deliverable_changed}


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def key(video: str, lang: str) -> str:
    return f"{video}/{lang}"


def make_record(decision: Decision, reviewer: str, note: str, binding: Binding) -> Signoff:
    reviewer = " ".join(reviewer.split())
    if not reviewer:
        raise ValueError("give the reviewer's name")
    if len(reviewer) > MAX_NAME or len(note) > MAX_NOTE:
        raise ValueError(f"the name is at most {MAX_NAME} characters, the note {MAX_NOTE}")
    if decision is Decision.APPROVED and not rendered(binding.deliverables):
        raise ValueError("there is no rendered deliverable to approve yet; rerun it first")
    return Signoff(decision, reviewer, note.strip(), utc_now(), dict(binding.deliverables),
                  binding.subtitles_sha256, list(binding.lines))


def changed_lines(approved: list[TimedLine], now: list[TimedLine]) -> list[LineChange]:
    """Lines that differ between the approved subtitles and the current ones."""
    found: list[LineChange] = []
    matcher = difflib.SequenceMatcher(a=approved, b=now, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        for k in range(max(a2 - a1, b2 - b1)):
            a = approved[a1 + k] if a1 + k < a2 else None
            b = now[b1 + k] if b1 + k < b2 else None
            found.append(LineChange(b1 + k + 1 if b else None, a1 + k + 1 if a else None,
                                    a[2] if a else None, b[2] if b else None,
                                    (a[0], a[1]) if a else None, (b[0], b[1]) if b else None))
    return found


def assess(record: Signoff | None, binding: Binding) -> Assessment:
    if record is None:
        return Assessment(ApprovalState.NEEDS_REVIEW)
    same_files = (record.deliverables == binding.deliverables
                  and record.subtitles_sha256 == binding.subtitles_sha256)
    if same_files:
        state = (ApprovalState.APPROVED if record.decision is Decision.APPROVED
                 else ApprovalState.CHANGES_REQUESTED)
        return Assessment(state, record)
    lines = changed_lines(record.lines, binding.lines)
    state = (ApprovalState.CHANGED_SINCE_APPROVAL if record.decision is Decision.APPROVED
             else ApprovalState.NEEDS_REVIEW)
    return Assessment(state, record, lines, record.deliverables != binding.deliverables)


@dataclass
class Store:
    """outputs/approvals.json: the latest record per version and the earlier ones."""

    records: dict[str, Signoff] = field(default_factory=dict)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, raw: Any) -> Store:
        store = cls()
        if not isinstance(raw, dict) or not isinstance(raw.get("approvals"), dict):
            return store
        for k, value in raw["approvals"].items():
            record = Signoff.from_json(value)
            if record is not None:
                store.records[str(k)] = record
            if isinstance(value, dict) and isinstance(value.get("history"), list):
                store.history[str(k)] = value["history"]
        return store

    def to_json(self) -> dict[str, Any]:
        approvals = {}
        for k in sorted(self.records):
            entry = self.records[k].to_json()
            entry["history"] = self.history.get(k, [])
            approvals[k] = entry
        return {"version": STORE_VERSION, "approvals": approvals}

    def put(self, k: str, record: Signoff) -> None:
        old = self.records.get(k)
        if old is not None:  # kept without its lines: who decided what, when
            summary = {f: v for f, v in old.to_json().items() if f != "lines"}
            self.history.setdefault(k, []).append(summary)
        self.records[k] = record


# --- a version's approval, from the files -----------------------------------------------------

def store_path(out: Path) -> Path:
    return out / "approvals.json"


def load_store(out: Path) -> Store:
    return Store.from_json(read_json(store_path(out)))


def _sha_or_none(ws: Workspace, path: Path) -> str | None:
    try:
        return ws.hashes.sha256(path)
    except OSError:
        return None


CAPTIONS_KEY = "captions.srt"  # the captions file's entry among an approval's hashes


def rendered(hashes: dict[str, str]) -> bool:
    """Whether an approval's hashes hold a deliverable (not only the captions file)."""
    return any(k != CAPTIONS_KEY for k in hashes)


def binding_hashes(ws: Workspace, video: str, lang: str) -> tuple[dict[str, str], str | None]:
    """What an approval binds: every profile's deliverable and the subtitles, by content;
    and the captions on screen as the version translates them (`captions.srt`, when it has
    any: an edited caption is a change since approval)."""
    deliverables = {}
    for profile in ws.config.render.profiles:
        sha = _sha_or_none(ws, ws.paths.deliverable(video, lang, profile))
        if sha is not None:
            deliverables[profile] = sha
    captions = ws.paths.captions_srt(video, lang)
    if captions.is_file() and captions.stat().st_size > 1:  # written empty: one blank line
        sha = _sha_or_none(ws, captions)
        if sha is not None:
            deliverables[CAPTIONS_KEY] = sha
    return deliverables, _sha_or_none(ws, ws.paths.subtitles_srt(video, lang))


def timed_lines(path: Path) -> list[TimedLine]:
    """A subtitle file's lines as approvals compare them (unreadable: none)."""
    from pipeline import subtitles as subs
    from pipeline.errors import PipelineError

    try:
        return [(c.start, c.end, c.text) for c in subs.load_srt(path)]
    except (OSError, PipelineError):
        return []


def assess_version(ws: Workspace, video: str, lang: str, store: Store,
                   hashes: tuple[dict[str, str], str | None] | None = None) -> Assessment:
    """The version's approval state; its lines are read only when they may have changed."""
    record = store.records.get(key(video, lang))
    if record is None:
        return assess(None, Binding({}, None, []))
    deliverables, srt_sha = hashes or binding_hashes(ws, video, lang)
    if record.deliverables == deliverables and record.subtitles_sha256 == srt_sha:
        return assess(record, Binding(deliverables, srt_sha, []))
    lines = timed_lines(ws.paths.subtitles_srt(video, lang))
    return assess(record, Binding(deliverables, srt_sha, lines))


def summary(ws: Workspace, video: str, lang: str, store: Store | None = None) -> dict[str, Any]:
    """A version's approval for `pipeline status --json` and manifest.json."""
    return assess_version(ws, video, lang, store or load_store(ws.out)).to_json()
