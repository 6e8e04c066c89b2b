"""What the desk writes: a line of a subtitle file, a sign-off (and the manifest's copy of
it), an editor's choice on a hand edit whose source changed, and a rerun of one version,
which goes through the pipeline's runner (`pipeline.runner.run`) like `pipeline run`.

Every write holds the outputs folder's run lock (the same `FileLock` `pipeline run` takes),
waiting a moment at most: a save never lands in the middle of a run."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Literal

from filelock import FileLock, Timeout

from pipeline.cache import atomic_path, read_json, write_json_atomic
from pipeline.delivery import approvals as ap
from pipeline.errors import EditConflict, PipelineError
from pipeline.orchestration.progress import Reporter
from pipeline.orchestration.registry import Registry
from pipeline.review import srtedit
from pipeline.review.errors import DeskBusy, EditRefused, NotFound, StaleFile
from pipeline.review.lines import Proposals, burned, proposal_token, same_text
from pipeline.review.models import ProgressEvent, RerunResult, SavedLine
from pipeline.review.shared import binding_token, short
from pipeline.workspace import Task, Workspace

Which = Literal["target", "source", "captions"]


def run_lock(ws: Workspace) -> FileLock:
    ws.out.mkdir(parents=True, exist_ok=True)
    return FileLock(str(ws.paths.lock()))


@contextmanager
def holding_lock(ws: Workspace, what: str, wait: float = 0.5) -> Iterator[None]:
    """The run lock, waiting at most `wait` seconds (long enough to ride over another
    save from this desk, far shorter than any run)."""
    lock = run_lock(ws)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise DeskBusy(f"the outputs folder is busy: a pipeline run (from the command line or "
                   f"this desk) is writing {ws.out}; {what} when it has finished") from None
    try:
        yield
    finally:
        lock.release()


def busy(ws: Workspace) -> bool:
    """Whether a `pipeline run` (or a rerun from a desk) holds the outputs folder."""
    lock = run_lock(ws)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def save_line(ws: Workspace, video: str, lang: str, which: Which, number: int, *,
              start: str | None, end: str | None, text: str | None,
              expected_sha: str) -> SavedLine:
    """Change one block of the version's subtitles (or of the source transcript) exactly
    as a text editor would; refused, writing nothing, when the edit would break the file
    or the file changed since the page read it (expected_sha)."""
    path = {"target": ws.paths.subtitles_srt(video, lang),
            "source": ws.paths.transcript_srt(video),
            "captions": ws.paths.captions_srt(video, lang)}[which]
    new_start = srtedit.parse_time(start) if start is not None else None
    new_end = srtedit.parse_time(end) if end is not None else None
    with holding_lock(ws, "save again"):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"{ws.paths.rel(path)} does not exist") from None
        if srtedit.sha256_bytes(data) != expected_sha:
            raise StaleFile(f"{ws.paths.rel(path)} changed on disk since this page was loaded "
                            "(another tab or a text editor); nothing was saved: reload the "
                            "page and make the edit again")
        if which == "captions":  # the times join the line to its caption on screen
            held = srtedit.SrtDocument.parse(data).block(number)
            if (new_start, new_end) not in ((None, None), (held.start, held.end)):
                raise EditRefused("a caption's times are the caption's on screen: change "
                                  "only its text", number)
            new_start = new_end = None
        new = srtedit.edit(data, number, start=new_start, end=new_end, text=text)
        doc = srtedit.SrtDocument.parse(new)
        block = doc.block(number)
        if new != data:
            _write_checked(path, new, overlapping=which == "captions")
        shown = dict(burned(path, doc) or [(number, block.text)]).get(number, "")
    return SavedLine(ws.paths.rel(path), number, block.start, block.end, block.text,
                     srtedit.sha256_bytes(new), new != data,
                     None if same_text(shown, block.text) else shown)


def _write_checked(path: Path, data: bytes, overlapping: bool = False) -> None:
    """Write the edited file atomically, after the pipeline's own reader accepted it
    (`overlapping`: a captions file, whose events may overlap)."""
    from pipeline import subtitles as subs

    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
        doc = srtedit.SrtDocument.parse(data)
        try:
            cues = subs.load_srt(tmp, overlapping)
        except PipelineError as e:
            raise EditRefused(f"the pipeline could not read the result ({e})") from None
        if len(cues) != sum(1 for b in doc.blocks if b.text.strip()):
            raise EditRefused("the pipeline would read a different number of subtitles")


def approve(ws: Workspace, video: str, lang: str, decision: ap.Decision, reviewer: str,
            note: str, binding: str, approvals_lock: threading.Lock) -> ap.Assessment:
    """Record a sign-off bound to the version as the page showed it (binding)."""
    deliverables, srt_sha = ap.binding_hashes(ws, video, lang)
    if binding_token(deliverables, srt_sha) != binding:
        raise StaleFile("the version changed since this page was loaded; nothing was "
                        "recorded: reload it and review what is there now")
    lines = ap.timed_lines(ws.paths.subtitles_srt(video, lang))
    try:
        record = ap.make_record(decision, reviewer, note, ap.Binding(deliverables, srt_sha, lines))
    except ValueError as e:
        raise EditRefused(str(e)) from None
    path = ap.store_path(ws.out)
    (ws.out / ".pipeline").mkdir(parents=True, exist_ok=True)
    with approvals_lock, FileLock(str(ws.out / ".pipeline" / "approvals.lock")):
        store = ap.load_store(ws.out)
        store.put(ap.key(video, lang), record)
        write_json_atomic(path, store.to_json())
    assessment = ap.assess(record, ap.Binding(deliverables, srt_sha, lines))
    _patch_manifest(ws, video, lang, assessment)
    return assessment


def _patch_manifest(ws: Workspace, video: str, lang: str, assessment: ap.Assessment) -> None:
    """Put the new sign-off into manifest.json's items of the version. While a run holds
    the folder it is left alone: that run writes the manifest last, approvals included."""
    path = ws.paths.manifest()
    lock = run_lock(ws)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return
    try:
        manifest = read_json(path)
        if not isinstance(manifest, dict) or not isinstance(manifest.get("deliverables"), list):
            return
        items = [dict(item, approval=assessment.to_json())
                 if isinstance(item, dict) and (item.get("video"), item.get("lang")) == (video, lang)
                 else item for item in manifest["deliverables"]]
        write_json_atomic(path, dict(manifest, deliverables=items))
    finally:
        lock.release()


def history(ws: Workspace, video: str, lang: str) -> list[dict[str, Any]]:
    store = ap.load_store(ws.out)
    return list(reversed(store.history.get(ap.key(video, lang), [])))


class _Forward(Reporter):
    """A progress.Reporter that hands every event to a callback (a rerun's live progress)."""

    def __init__(self, callback: Callable[[ProgressEvent], None]) -> None:
        super().__init__(stream=io.StringIO())
        self._callback = callback
        self._stage = ""

    def stage(self, name: str, total: int) -> None:
        self._stage = name
        self._callback(ProgressEvent("stage", name, note=f"{total} task(s)"))

    def task_started(self, label: str, stage: str | None = None) -> None:
        self._callback(ProgressEvent("started", stage or self._stage, label))

    def task_done(self, stage: str, label: str, outcome: str, seconds: float,
                  note: str = "") -> None:
        self._callback(ProgressEvent("done", stage, label, outcome, seconds, note))

    def warn(self, text: str) -> None:
        self._callback(ProgressEvent("warning", self._stage, note=text))


def rerun(config_path: Path, registry: Registry, out: Path, video: str, lang: str,
          progress: Callable[[ProgressEvent], None]) -> RerunResult:
    """What is missing or stale for one version, run by the pipeline's runner as
    `pipeline run --video VIDEO --lang LANG` would (its lock, its executor, the video's
    master once every language of it is done, manifest.json with the other versions'
    failures kept); DeskBusy when another run holds the folder."""
    from pipeline import runner
    from pipeline.orchestration.executor import Done

    try:
        report = runner.run(config_path, runner.RunRequest(videos=(video,), langs=(lang,)),
                            _Forward(progress), registry=registry)
    except runner.Busy:
        raise DeskBusy(f"the outputs folder is busy: a pipeline run (from the command line or "
                   f"this desk) is writing {out}; rerun when it has finished") from None
    for f in report.failures:
        if f["stage"] == "manifest":
            progress(ProgressEvent("warning", note=f["cause"]))
    outcomes = report.outcomes
    return RerunResult(
        tuple(f"{o.task.stage} {o.task.label}" for o in outcomes if o.status == Done.RAN),
        tuple(f"{o.task.stage} {o.task.label}: {o.cause}" for o in outcomes
              if o.status in (Done.FAILED, Done.SKIPPED)),
        report.elapsed)


def resolve_conflict(ws: Workspace, registry: Registry, proposals: Proposals,
                     project_lock: AbstractContextManager[Any], video: str, lang: str,
                     choices: dict[str, str], token: str) -> None:
    """Settle a hand edit whose source changed: per line, "keep" (the edit becomes the new
    baseline) or "take" (the new machine translation); lines without a choice get their
    default. The result is recorded as the translate task's output
    (pipeline/delivery/edits.py); the caller then reruns what reads it. Refused, writing
    nothing, when the page's comparison (token) is not the current one."""
    from pipeline.delivery import edits

    task = Task("translate", video, lang)
    with holding_lock(ws, "apply the choice"), project_lock:
        if not edits.conflicted(ws, registry, task):
            raise StaleFile("there is nothing to choose any more (the conflict was settled "
                            "or the file changed): reload the page")
        try:
            prop = proposals.get(ws, task)
        except PipelineError as e:
            raise EditRefused(short(ws, str(e))) from None
        if proposal_token(prop) != token:
            raise StaleFile("the subtitles or their source changed since this page was "
                            "loaded; nothing was written: reload the page and choose again")
        try:
            merged = edits.merge(prop, choices)
        except ValueError as e:
            raise EditRefused(str(e)) from None
        try:
            edits.accept(ws, registry, task, merged, fingerprint=prop.fingerprint,
                         sha256_file=prop.sha256_file)
        except EditConflict as e:
            raise StaleFile(short(ws, str(e))) from None
        except PipelineError as e:
            raise EditRefused(short(ws, str(e))) from None
        proposals.forget(video, lang)
