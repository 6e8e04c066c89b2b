"""A hand-edited subtitle file whose input changed: what the stage would make now, line by
line beside the edit, and the editor's choice recorded as the task's output.

When the transcript changes under an edited `<lang>/subtitles.srt`, the translate task can
neither keep its recorded output (its fingerprint changed) nor overwrite the edit. `proposal`
computes the new translation without writing it (`Translate.cues`) and lines it up with the
edited file; `merge` applies the editor's choice per line; `accept` writes the result (or
keeps the file as it is) and records it as the task's output under the current fingerprint,
so it is the new baseline: the task is done, what reads it reruns, the next run exits 0.

Lining up the two files (their events may be split differently): each event of the new
translation goes to the line of the edited file it overlaps longest in time (a tie goes to
the earlier line). A line's new text is its events' text joined and broken for the target's
reading rules; the line keeps its own time. A line no event overlaps has no new text
("take" removes it); an event that overlaps no line is a new line ("take" adds it with its
own time, in a gap of the edited file, so nothing overlaps). Lines whose text equals their
new text (line breaks aside) need no choice and stay as they are.

What a line was: the stage records beside its state (`.state/translate.<lang>.detail.json`,
tagged with the state's fingerprint) `source_lines` (the input's lines it was made from) and
`lines` (what the file held when recorded), so the source lines that changed since and the
lines the editor changed can be told apart. Without them (a state written by an older
version) there are no source changes to show and the `edited` flags are unknown.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pipeline import records, subtitles as subs
from pipeline.cache import TaskState, write_text_atomic
from pipeline.engines.pool import EnginePool
from pipeline.errors import EditConflict, PipelineError
from pipeline.orchestration.executor import record
from pipeline.orchestration.graph import edited_files, evaluate
from pipeline.orchestration.registry import Registry
from pipeline.stages.base import Job, Result, RunContext
from pipeline.stages.translate import Translate, TranslateParams
from pipeline.translation.baseline import Baseline, TimedLine
from pipeline.workspace import Task, Workspace
Choice = Literal["keep", "take"]


@dataclass(frozen=True)
class SourceChange:
    """A line of the input that changed since the version was made from it."""

    before: TimedLine | None  # as it was (None: a new line)
    after: TimedLine | None  # as it is now (None: removed)

    def overlaps(self, start: int, end: int) -> bool:
        return any(t is not None and min(t[1], end) > max(t[0], start)
                   for t in (self.before, self.after))


@dataclass(frozen=True)
class Row:
    """One line the editor chooses for."""

    key: str  # "3": line 3 of the edited file; "new-1": a line only the new translation has
    number: int | None  # the line in the edited file (None: a new line)
    start: int
    end: int
    current: str | None  # the edited file's text (None: a new line)
    proposed: str | None  # the new translation's text for it (None: it has nothing here)
    edited: bool | None  # changed by hand since it was recorded (None: not known)
    sources: tuple[SourceChange, ...]  # changed input lines overlapping it

    @property
    def default(self) -> Choice:
        """Keep what an editor wrote; take the new translation where the line was the
        machine's (or is new)."""
        return "take" if self.current is None or self.edited is False else "keep"


@dataclass(frozen=True)
class Proposal:
    task: Task
    fingerprint: str  # the task's fingerprint now: accept refuses when it changed again
    file: Path
    sha256_file: str  # the edited file as lined up: accept refuses when it changed since
    current: tuple[subs.Cue, ...]
    proposed: tuple[subs.Cue, ...]
    rows: tuple[Row, ...]
    changes: tuple[SourceChange, ...]
    warnings: tuple[str, ...] = field(default=())  # the new translation's (lost terms)


def _stage(registry: Registry, task: Task) -> Translate:
    stage = registry.stage(task.stage)
    if not isinstance(stage, Translate):
        raise PipelineError(f"{task.stage} makes no subtitles to choose between")
    return stage


def conflicted(ws: Workspace, registry: Registry, task: Task) -> list[Path]:
    """The hand-edited outputs of a task whose inputs changed under them (a plain run would
    refuse to replace them); empty when there is no such conflict."""
    if not registry.stage(task.stage).editable(ws.paths, task):
        return []
    ev = evaluate(ws, registry, task)
    if ev.status.fresh or ev.job is None:
        return []
    return edited_files(ws, registry, task, TaskState.load(ws.paths.state(task)))


def source_changes(before: list[TimedLine], after: list[TimedLine]) -> list[SourceChange]:
    """Input lines that differ between what the version was made from and now."""
    found = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        for k in range(max(a2 - a1, b2 - b1)):
            found.append(SourceChange(before[a1 + k] if a1 + k < a2 else None,
                                      after[b1 + k] if b1 + k < b2 else None))
    return found


def line_up(current: list[subs.Cue], proposed: list[subs.Cue]
            ) -> tuple[list[list[subs.Cue]], list[subs.Cue]]:
    """Each proposed event under the current line it overlaps longest (ties: the earlier
    line), and the events that overlap no line."""
    per_line: list[list[subs.Cue]] = [[] for _ in current]
    orphans: list[subs.Cue] = []
    for event in proposed:
        best, most = -1, 0
        for i, line in enumerate(current):
            overlap = min(line.end, event.end) - max(line.start, event.start)
            if overlap > most:
                best, most = i, overlap
        if best < 0:
            orphans.append(event)
        else:
            per_line[best].append(event)
    return per_line, orphans


def _joined(events: list[subs.Cue], rules: subs.Rules) -> str | None:
    if not events:
        return None
    if len(events) == 1:
        return events[0].text
    return subs.break_lines(subs.join_words([e.flat for e in events]), rules)


def _flat(text: str | None) -> str | None:
    return None if text is None else subs.join_words(text.split("\n"))


def proposal(ws: Workspace, registry: Registry, task: Task, pool: EnginePool) -> Proposal:
    """The new translation beside the hand-edited file, line by line (nothing is written but
    the translation memory). PipelineError when the task has no such conflict."""
    stage = _stage(registry, task)
    ev = evaluate(ws, registry, task)
    if ev.job is None or ev.fingerprint is None:
        raise PipelineError(ev.cause or f"{task.stage} {task.label} cannot run yet")
    (target,) = stage.editable(ws.paths, task)
    if not conflicted(ws, registry, task):
        raise PipelineError(f"{ws.paths.rel(target)} has no hand edit whose source changed")
    job: Job[TranslateParams] = ev.job
    sha = ws.hashes.sha256(target)
    current = subs.load_srt(target)
    result = Result()
    proposed = stage.cues(RunContext(ws.paths, pool), job, result)
    state = TaskState.load(ws.paths.state(task))
    detail = records.load(Baseline, ws.paths.detail(task))
    if not (state and detail and detail.fingerprint == state.fingerprint):
        detail = None  # none recorded (an older version), or not this state's
    before = list(detail.source_lines) if detail else None
    changes = source_changes(before, [(c.start, c.end, c.text) for c in stage.source_cues(job)]
                             ) if before is not None else []
    baseline = list(detail.lines) if detail else None
    recorded = set(baseline) if baseline is not None else None
    per_line, orphans = line_up(current, proposed)
    rows = []
    for number, (line, events) in enumerate(zip(current, per_line), start=1):
        new = _joined(events, job.params.rules)
        if _flat(new) == _flat(line.text):
            continue
        edited = None if recorded is None else (line.start, line.end, line.text) not in recorded
        rows.append(Row(str(number), number, line.start, line.end, line.text, new, edited,
                        tuple(c for c in changes if c.overlaps(line.start, line.end))))
    for k, event in enumerate(orphans, start=1):
        rows.append(Row(f"new-{k}", None, event.start, event.end, None, event.text, None,
                        tuple(c for c in changes if c.overlaps(event.start, event.end))))
    rows.sort(key=lambda r: (r.start, r.number or 0))
    return Proposal(task, ev.fingerprint, target, sha, tuple(current), tuple(proposed),
                    tuple(rows), tuple(changes), tuple(result.warnings))


def merge(prop: Proposal, choices: Mapping[str, str]) -> list[subs.Cue] | None:
    """The file the editor's choices make (a row without a choice gets its default), or None
    when every line stays as it is (the file is kept byte for byte)."""
    rows = {r.key: r for r in prop.rows}
    unknown = sorted(set(choices) - set(rows))
    if unknown:
        raise ValueError(f"no line {', '.join(unknown)} to choose for: reload the page")
    bad = sorted(k for k, v in choices.items() if v not in ("keep", "take"))
    if bad:
        raise ValueError(f"line {', '.join(bad)}: choose 'keep' or 'take'")
    taken = {k for k, r in rows.items() if choices.get(k, r.default) == "take"}
    if not taken:
        return None
    out = []
    for number, line in enumerate(prop.current, start=1):
        row = rows.get(str(number))
        if row is None or row.key not in taken:
            out.append(line)
        elif row.proposed is not None:
            out.append(subs.Cue(line.start, line.end, row.proposed))
    out += [subs.Cue(r.start, r.end, r.proposed or "") for r in prop.rows
            if r.number is None and r.key in taken]
    return sorted(out, key=lambda c: (c.start, c.end))


def accept(ws: Workspace, registry: Registry, task: Task, cues: list[subs.Cue] | None, *,
           fingerprint: str | None = None, sha256_file: str | None = None) -> None:
    """Make the hand-edited file (cues None: as it is; else rewritten with `cues`, atomically)
    the task's output under its current fingerprint: the new baseline. With `fingerprint`
    and `sha256_file` (what the editor saw), EditConflict when either changed since. The
    caller holds the run lock."""
    stage = _stage(registry, task)
    ev = evaluate(ws, registry, task)
    if ev.job is None or ev.fingerprint is None:
        raise PipelineError(ev.cause or f"{task.stage} {task.label} cannot run yet")
    (target,) = stage.editable(ws.paths, task)
    if fingerprint is not None and ev.fingerprint != fingerprint:
        raise EditConflict(f"the source of {ws.paths.rel(target)} changed again since the "
                           "lines were compared; nothing was written: compare them again")
    if sha256_file is not None and ws.hashes.sha256(target) != sha256_file:
        raise EditConflict(f"{ws.paths.rel(target)} changed on disk since the lines were "
                           "compared; nothing was written: compare them again")
    if cues is not None:
        if not cues:
            raise PipelineError("the result would have no subtitles; keep at least one line")
        write_text_atomic(target, subs.srt_text(cues))
    result = stage.kept(ws.paths, ev.job)
    result.extra["kept_edits"] = [ws.paths.rel(target)]
    record(ws, registry, ev.job, ev.fingerprint, result)
    ws.hashes.save()
