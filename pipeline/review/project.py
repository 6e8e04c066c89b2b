"""The review desk's adapter: the ONE module that touches the pipeline's internals.

Everything else in pipeline/review/ talks to a `ReviewProject` (and the two helpers the CLI
and the manifest use) and receives the values of models.py. What this module uses from the
core, so that only it changes when the core does:

- config and workspace: `load_config`, `Workspace`, `discover` (videos, paths, hash cache);
- freshness: `graph.evaluate`, `graph.plan`, the default registry, `Workspace.source_language`;
- a hand edit whose source changed: `edits.conflicted`, `edits.proposal`, `edits.merge`,
  `edits.accept` (the new translation beside the edit, the editor's choice recorded);
- running: `executor.execute`, `progress.Reporter`, `cache.sweep_partials`, `manifest.write`,
  and the run lock `outputs/.pipeline.lock` (the same `FileLock` `pipeline run` takes);
- files: `cache.atomic_path`, `cache.read_json`, `cache.write_json_atomic`, `subtitles.load_srt`
  (what the render burns, shown where it differs from the file's text), `qa.findings`,
  `glossary.load_glossary`, the output `Layout`, timing.json.

The board reads each video's evaluation from a memo keyed by stat stamps: the video's
output folders (the pipeline replaces its files by rename, which changes the folder), the
files people edit or replace in place (subtitles, sources, provided translations, scripts),
the config, glossary, fonts and the pipeline's own code. Any change re-evaluates that video
with the real `evaluate` and `qa.findings`, so the board says what `pipeline status` says.
The memo is kept in outputs/.pipeline/review-board.json (a cache: safe to delete).
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from filelock import FileLock, Timeout

from pipeline import __version__
from pipeline.cache import atomic_path, canonical_hash, read_json, write_json_atomic
from pipeline.config import load_config
from pipeline.errors import EditConflict, PipelineError
from pipeline.orchestration.progress import Reporter
from pipeline.delivery import approvals as ap
from pipeline.delivery.approvals import (
    assess_version as _assess,
    binding_hashes as _binding_hashes,
    load_store as load_approval_store,
    store_path as approvals_path,
    timed_lines as _timed_lines,
)
from pipeline.review import srtedit
from pipeline.review.errors import Busy, EditRefused, NotFound, ProjectError, StaleFile
from pipeline.review.models import (
    Board, Conflict, Line, LineTiming, Media, ProgressEvent, RerunResult, SavedLine, SourceLine,
    StageStatus, Term, VersionView, VideoRow, version_row,
)
from pipeline.workspace import Task, Workspace, discover

if TYPE_CHECKING:
    from pipeline.delivery.edits import Proposal
    from pipeline.engines.pool import EnginePool

VERSION_STAGES = ("extract", "transcribe", "translate", "narrate", "render")
MEMO_VERSION = 2
RACY_NS = 2_000_000_000  # a stamp this close to now may hide a second change in the same tick
SAVE_HASHES_AFTER = 20  # videos evaluated before the board saves the hash cache (4 MB at 400x8)
Which = Literal["target", "source"]


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _stamp_str(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _inputs_key(ws: Workspace) -> Any:
    """What the video list depends on: the files the inputs globs match and the mtimes of
    their folders (a script put beside a video changes its folder). Cheaper than
    `discover`, which the workspace runs only when this changes."""
    matched = [sorted(glob.glob(str(ws.project.root / pattern), recursive=True))
               for pattern in ws.config.inputs]
    folders = sorted({os.path.dirname(m) for group in matched for m in group})
    stamps = [_stamp_str(f) for f in folders]
    recent = time.time_ns() - RACY_NS
    if any(st is not None and st[1] > recent for st in stamps):
        return object()  # changed this second: look again next time
    return (matched, folders, stamps)


def _code_identity() -> str:
    """Stamps of the pipeline's own modules: a code change re-evaluates the board memo."""
    root = Path(__file__).resolve().parent.parent
    stamps = sorted((str(p.relative_to(root)), _stamp(p)) for p in root.rglob("*.py"))
    return canonical_hash([__version__, MEMO_VERSION, stamps])


def binding_token(deliverables: dict[str, str], srt_sha: str | None) -> str:
    return canonical_hash({"deliverables": deliverables, "subtitles": srt_sha})[:32]


# --- the project ----------------------------------------------------------------------------

class _Forward(Reporter):
    """A progress.Reporter that hands every event to a callback (a rerun's live progress)."""

    def __init__(self, callback: Callable[[ProgressEvent], None]) -> None:
        super().__init__(stream=io.StringIO())
        self._callback = callback
        self._stage = ""

    def stage(self, name: str, total: int) -> None:
        self._stage = name
        self._callback(ProgressEvent("stage", name, note=f"{total} task(s)"))

    def task_started(self, label: str) -> None:
        self._callback(ProgressEvent("started", self._stage, label))

    def task_done(self, stage: str, label: str, outcome: str, seconds: float,
                  note: str = "") -> None:
        self._callback(ProgressEvent("done", stage, label, outcome, seconds, note))

    def warn(self, text: str) -> None:
        self._callback(ProgressEvent("warning", self._stage, note=text))


class ReviewProject:
    """One project's outputs as the review desk sees them. Thread-safe."""

    def __init__(self, config_path: Path) -> None:
        from pipeline.orchestration.registry import default_registry

        self.config_path = config_path.resolve()
        self.registry = default_registry()
        self._lock = threading.RLock()
        self._approvals_lock = threading.Lock()
        self._ws: Workspace | None = None
        self._ws_stamp: Any = None
        self._memo: dict[str, Any] = {}
        self._memo_loaded = False
        self._memo_dirty = False
        self._rows: dict[str, tuple[Any, VideoRow]] = {}
        self._inputs_key: Any = None
        self._evaluated = 0  # videos evaluated since the hash cache was last saved
        self._proposals: dict[tuple[str, str | None], Proposal] = {}  # by (video, lang)
        self._pool: EnginePool | None = None  # engines for proposals, loaded when needed
        self.workspace()  # a bad config fails here, before the server starts

    # -- workspace -------------------------------------------------------------------------

    def workspace(self) -> Workspace:
        """The workspace, re-read when the config changed; the video list is always fresh."""
        with self._lock:
            stamp = _stamp(self.config_path)
            if self._ws is None or stamp != self._ws_stamp:
                try:
                    ws = Workspace(load_config(self.config_path))
                except PipelineError as e:
                    if self._ws is None and self._ws_stamp is None:
                        raise  # at start: `pipeline review` stops with the config error
                    raise ProjectError(f"{e}; fix it and reload the page") from None
                self._ws = ws
                self._ws_stamp = stamp
                self._inputs_key = _inputs_key(self._ws)
            else:
                key = _inputs_key(self._ws)
                if key != self._inputs_key:
                    videos, warnings = discover(self._ws.project)
                    self._ws.videos, self._ws.warnings = videos, warnings
                    self._ws.by_name = {v.name: v for v in videos}
                    self._inputs_key = key
            return self._ws

    @property
    def out(self) -> Path:
        return self.workspace().out

    @property
    def languages(self) -> list[str]:
        return list(self.workspace().config.languages)

    def _check(self, ws: Workspace, video: str, lang: str | None = None) -> None:
        if video not in ws.by_name:
            raise NotFound(f"no video {video!r} in this project")
        if lang is not None and lang not in ws.config.languages:
            raise NotFound(f"{lang!r} is not one of the project's languages")

    # -- board -----------------------------------------------------------------------------

    def board(self) -> Board:
        ws = self.workspace()
        with self._lock:
            self._load_memo(ws)
            common = self._common_signature(ws)
            approvals_stamp = _stamp(approvals_path(ws.out))
            store = load_approval_store(ws.out)
            videos = []
            for video in ws.videos:
                signature = self._signature(ws, video.name, common)
                cached = self._rows.get(video.name)
                if signature and cached and cached[0] == (signature, approvals_stamp):
                    videos.append(cached[1])
                    continue
                entry = self._video_entry(ws, video.name, signature)
                versions = {}
                for lang in ws.config.languages:
                    v = entry["versions"][lang]
                    assessment = _assess(ws, video.name, lang, store,
                                         (v["deliverables"], v["subtitles"]))
                    versions[lang] = version_row(video.name, lang, v["stages"], v["qa"],
                                                 v["overflows"], assessment,
                                                 bool(v["deliverables"]))
                master = StageStatus("master", *entry["master"]) if entry["master"] else None
                row = VideoRow(video.name, versions, master)
                self._rows[video.name] = ((signature, approvals_stamp), row)
                videos.append(row)
            self._save_memo(ws)
            if self._evaluated >= SAVE_HASHES_AFTER:
                ws.hashes.save()  # many files hashed (a first open): spare the next run that
                self._evaluated = 0
        return Board(list(ws.config.languages), bool(ws.config.render.master), videos,
                     list(ws.warnings))

    def _memo_path(self, ws: Workspace) -> Path:
        return ws.out / ".pipeline" / "review-board.json"

    def _load_memo(self, ws: Workspace) -> None:
        if not self._memo_loaded:
            raw = read_json(self._memo_path(ws))
            if isinstance(raw, dict) and raw.get("version") == MEMO_VERSION:
                self._memo = raw.get("videos", {})
            self._memo_loaded = True

    def _save_memo(self, ws: Workspace) -> None:
        if self._memo_dirty and ws.out.is_dir():
            data = json.dumps({"version": MEMO_VERSION, "videos": self._memo},
                              separators=(",", ":"))
            try:
                with atomic_path(self._memo_path(ws)) as tmp:
                    tmp.write_text(data, encoding="utf-8")
            except OSError:
                return  # only a cache
            self._memo_dirty = False

    def _common_signature(self, ws: Workspace) -> list[Any]:
        """What every video's evaluation also reads: the config, glossary, fonts, the code."""
        parts: list[Any] = [str(self.config_path), _stamp(self.config_path), _code_identity(),
                            ws.config.languages]
        glossary = ws.config.translate.glossary
        if glossary:
            parts.append(_stamp(ws.project.path(glossary)))
        parts.append(_stamp(ws.paths.assets("fonts")))
        return parts

    def _signature(self, ws: Workspace, video: str, common: list[Any]) -> str | None:
        """Stamps of what an evaluation of the video's tasks reads, or None when something
        changed too recently to trust a stamp (the same second: racy, so not memoized).

        The pipeline replaces its files atomically (a rename changes the folder's mtime);
        the files people edit or replace in place (subtitles, sources, provided
        translations, scripts) are stamped one by one."""
        v = ws.video(video)
        vdir = str(ws.out / video)
        root = str(ws.project.root)
        template = ws.config.translate.provided
        paths = [vdir, os.path.join(vdir, "source"), os.path.join(vdir, ".state"),
                 os.path.join(vdir, "source", "transcript.srt"), str(v.source),
                 str(v.script) if v.script else ""]
        for lang in ws.config.languages:
            paths += [os.path.join(vdir, lang), os.path.join(vdir, lang, "subtitles.srt"),
                      os.path.join(root, template.format(video=video, lang=lang))]
        stamps = [_stamp_str(p) for p in paths]
        recent = time.time_ns() - RACY_NS
        if any(st is not None and st[1] > recent for st in stamps):
            return None
        return hashlib.blake2b(repr((common, paths, stamps)).encode("utf-8"),
                               digest_size=16).hexdigest()

    def _video_entry(self, ws: Workspace, video: str, signature: str | None) -> dict[str, Any]:
        hit = self._memo.get(video)
        if signature and isinstance(hit, dict) and hit.get("signature") == signature:
            return hit
        entry = self._evaluate_video(ws, video)
        self._evaluated += 1
        entry["signature"] = signature
        self._memo[video] = entry
        self._memo_dirty = True
        return entry

    def _evaluate_video(self, ws: Workspace, video: str) -> dict[str, Any]:
        from pipeline.orchestration.graph import evaluate
        from pipeline.delivery.qa import findings

        registry = self.registry
        shared: dict[str, list[str]] = {}
        versions: dict[str, Any] = {}
        for lang in ws.config.languages:
            stages = []
            for stage in VERSION_STAGES:
                if registry.info(stage).per_lang:
                    ev = evaluate(ws, registry, Task(stage, video, lang))
                    stages.append([stage, ev.status.value, _short(ws, ev.cause)])
                else:
                    if stage not in shared:
                        ev = evaluate(ws, registry, Task(stage, video))
                        shared[stage] = [stage, ev.status.value, _short(ws, ev.cause)]
                    stages.append(shared[stage])
            try:
                qa = findings(ws, video, lang)
            except (OSError, PipelineError):
                qa = []
            deliverables, srt_sha = _binding_hashes(ws, video, lang)
            versions[lang] = {"stages": stages, "qa": len(qa),
                              "overflows": sum(1 for f in qa if f.get("kind") == "narration"),
                              "deliverables": deliverables, "subtitles": srt_sha}
        master = None
        if ws.config.render.master:
            ev = evaluate(ws, registry, Task("master", video))
            master = [ev.status.value, _short(ws, ev.cause)]
        return {"versions": versions, "master": master}

    # -- one version -----------------------------------------------------------------------

    def version(self, video: str, lang: str) -> VersionView:
        from pipeline.orchestration.graph import evaluate
        from pipeline.delivery.qa import findings

        registry = self.registry
        ws = self.workspace()
        self._check(ws, video, lang)
        with self._lock:
            stages = []
            for stage in VERSION_STAGES:
                task = Task(stage, video, lang if registry.info(stage).per_lang else None)
                ev = evaluate(ws, registry, task)
                stages.append([stage, ev.status.value, _short(ws, ev.cause)])
            conflict = self._conflict(ws, video, lang)
            try:
                qa = findings(ws, video, lang)
            except (OSError, PipelineError) as e:
                qa = [{"kind": "subtitle", "rule": "read", "detail": str(e)}]
            deliverables, srt_sha = _binding_hashes(ws, video, lang)
            store = load_approval_store(ws.out)
            assessment = _assess(ws, video, lang, store, (deliverables, srt_sha))
            row = version_row(video, lang, stages, len(qa),
                              sum(1 for f in qa if f.get("kind") == "narration"), assessment,
                              bool(deliverables))
            target, source = ws.paths.subtitles_srt(video, lang), ws.paths.transcript_srt(video)
            lines, target_sha, source_sha, problem = self._lines(ws, video, lang, qa)
        version_findings = tuple(f"{f.get('kind')}: {f.get('detail')}" for f in qa
                                 if f.get("index") is None)
        return VersionView(
            row=row, media=tuple(self._media(ws, video, lang)), lines=tuple(lines),
            target_file=ws.paths.rel(target), target_sha=target_sha,
            source_file=ws.paths.rel(source), source_sha=source_sha,
            source_language=_source_language(ws, video), version_findings=version_findings,
            terms=tuple(self._terms(ws, lang)),
            source_terms=tuple(self._terms(ws, _source_language(ws, video) or "en")),
            binding=binding_token(deliverables, srt_sha), conflict=conflict, problem=problem)

    def _conflict(self, ws: Workspace, video: str, lang: str) -> Conflict | None:
        """A hand edit of the version's subtitles whose source changed: the new translation
        beside it, line by line (pipeline/delivery/edits.py), or why it cannot be computed."""
        from pipeline.delivery import edits

        task = Task("translate", video, lang)
        if not edits.conflicted(ws, self.registry, task):
            return None
        rel = ws.paths.rel(ws.paths.subtitles_srt(video, lang))
        message = (f"{rel} was edited by hand and the source it is translated from changed "
                   "since; for each line below, keep your line or take the new translation")
        try:
            prop = self._proposal(ws, task)
        except (OSError, PipelineError) as e:
            return Conflict(message, rel, problem=_short(ws, str(e)))
        return Conflict(message, rel, prop.rows, len(prop.changes), _proposal_token(prop),
                        tuple(_short(ws, w) for w in prop.warnings))

    def _proposal(self, ws: Workspace, task: Task) -> Proposal:
        """The core's proposal, kept while the task's fingerprint and the file are the same
        (it runs the machine translation: seconds for a cold model)."""
        from pipeline.delivery import edits
        from pipeline.engines.pool import EnginePool
        from pipeline.orchestration.graph import evaluate

        key = (task.video, task.lang)
        hit = self._proposals.get(key)
        if hit is not None:
            ev = evaluate(ws, self.registry, task)
            if (hit.fingerprint, hit.file_sha256) == (ev.fingerprint, _sha(ws, hit.file)):
                return hit
        if self._pool is None:
            self._pool = EnginePool()
        prop = edits.proposal(ws, self.registry, task, self._pool)
        self._proposals[key] = prop
        return prop

    def _media(self, ws: Workspace, video: str, lang: str) -> list[Media]:
        found = []
        for profile in ws.config.render.profiles:
            path = ws.paths.deliverable(video, lang, profile)
            if path.is_file():
                found.append(Media(ws.paths.rel(path), "deliverable", profile, _sha(ws, path)))
            elif (sample := ws.paths.sample(video, lang, profile)).is_file():
                found.append(Media(ws.paths.rel(sample), "sample", profile, _sha(ws, sample)))
        return found

    def _terms(self, ws: Workspace, lang: str) -> list[Term]:
        from pipeline.language.glossary import load_glossary

        glossary = ws.config.translate.glossary
        try:
            terms = load_glossary(ws.project.path(glossary) if glossary else None)
        except PipelineError:
            return []
        return [Term(t.form(lang), t.term, t.note) for t in terms if t.form(lang).strip()]

    def _lines(self, ws: Workspace, video: str, lang: str, qa: list[dict[str, Any]]
               ) -> tuple[list[Line], str | None, str | None, str]:
        target, source = ws.paths.subtitles_srt(video, lang), ws.paths.transcript_srt(video)
        problem = ""
        try:
            data = target.read_bytes()
            doc = srtedit.SrtDocument.parse(data)
        except FileNotFoundError:
            return [], None, None, f"{ws.paths.rel(target)} does not exist yet: run the pipeline first"
        except srtedit.UnreadableSubtitles as e:
            return [], srtedit.sha256_bytes(data), None, f"{ws.paths.rel(target)}: {e}"
        try:
            src_data = source.read_bytes()
            src_doc: srtedit.SrtDocument | None = srtedit.SrtDocument.parse(src_data)
        except FileNotFoundError:
            src_doc = None
        except srtedit.UnreadableSubtitles as e:
            src_doc, problem = None, f"{ws.paths.rel(source)}: {e}"
        per_line: dict[int, list[str]] = {}
        burned = _burned(target, doc)
        cue_to_block = [number for number, _ in burned or []]
        cue_of_block = {number: k for k, number in enumerate(cue_to_block, start=1)}
        burned_text = dict(burned or [])
        for f in qa:
            index = f.get("index")
            if f.get("kind") == "subtitle" and isinstance(index, int) and 0 < index <= len(cue_to_block):
                per_line.setdefault(cue_to_block[index - 1], []).append(f"{f['rule']}: {f['detail']}")
        timing = read_json(ws.paths.timing(video, lang)) or {}
        fits = {ln.get("index"): ln for ln in timing.get("lines", []) if isinstance(ln, dict)}
        lines = []
        for number, block in enumerate(doc.blocks, start=1):
            cue_index = cue_of_block.get(number)
            fit = fits.get(cue_index) if cue_index else None
            line_timing = None
            if fit:
                line_timing = LineTiming(float(fit.get("speed", 1.0)), int(fit.get("overflow", 0)),
                                         int(fit.get("speech", 0)), int(fit.get("start", 0)),
                                         int(fit.get("end", 0)))
                if line_timing.overflow > 0:
                    per_line.setdefault(number, []).append(
                        f"narration overflows its slot by {line_timing.overflow} ms")
            sources = tuple(SourceLine(s.number, s.start, s.end, s.text)
                            for s in (src_doc.blocks if src_doc else [])
                            if min(s.end, block.end) > max(s.start, block.start))
            shown = burned_text.get(number, "") if burned is not None else None
            lines.append(Line(number, block.start, block.end, block.text, sources,
                              tuple(per_line.get(number, [])), line_timing,
                              None if shown is None or _same(shown, block.text) else shown))
        return lines, doc.sha256, src_doc.sha256 if src_doc else None, problem

    # -- writing -----------------------------------------------------------------------------

    def _run_lock(self, ws: Workspace) -> FileLock:
        ws.out.mkdir(parents=True, exist_ok=True)
        return FileLock(str(ws.paths.lock()))

    @contextmanager
    def _holding_lock(self, ws: Workspace, what: str, wait: float = 0.5) -> Iterator[None]:
        """The run lock, waiting at most `wait` seconds (long enough to ride over another
        save from this desk, far shorter than any run)."""
        lock = self._run_lock(ws)
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise Busy(f"the outputs folder is busy: a pipeline run (from the command line or "
                       f"this desk) is writing {ws.out}; {what} when it has finished") from None
        try:
            yield
        finally:
            lock.release()

    def busy(self) -> bool:
        """Whether a `pipeline run` (or a rerun from a desk) holds the outputs folder."""
        lock = self._run_lock(self.workspace())
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return True
        lock.release()
        return False

    def save_line(self, video: str, lang: str, which: Which, number: int, *,
                  start: str | None, end: str | None, text: str | None,
                  expected_sha: str) -> SavedLine:
        """Change one block of the version's subtitles (or of the source transcript) exactly
        as a text editor would; refused, writing nothing, when the edit would break the file
        or the file changed since the page read it (expected_sha)."""
        ws = self.workspace()
        self._check(ws, video, lang)
        path = ws.paths.subtitles_srt(video, lang) if which == "target" else ws.paths.transcript_srt(video)
        new_start = srtedit.parse_time(start) if start is not None else None
        new_end = srtedit.parse_time(end) if end is not None else None
        with self._holding_lock(ws, "save again"):
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                raise NotFound(f"{ws.paths.rel(path)} does not exist") from None
            if srtedit.sha256_bytes(data) != expected_sha:
                raise StaleFile(f"{ws.paths.rel(path)} changed on disk since this page was loaded "
                                "(another tab or a text editor); nothing was saved: reload the "
                                "page and make the edit again")
            new = srtedit.edit(data, number, start=new_start, end=new_end, text=text)
            doc = srtedit.SrtDocument.parse(new)
            block = doc.block(number)
            if new != data:
                _write_checked(path, new)
            shown = dict(_burned(path, doc) or [(number, block.text)]).get(number, "")
        return SavedLine(ws.paths.rel(path), number, block.start, block.end, block.text,
                         srtedit.sha256_bytes(new), new != data,
                         None if _same(shown, block.text) else shown)

    def approve(self, video: str, lang: str, decision: ap.Decision, reviewer: str, note: str,
                binding: str) -> ap.Assessment:
        """Record a sign-off bound to the version as the page showed it (binding)."""
        ws = self.workspace()
        self._check(ws, video, lang)
        deliverables, srt_sha = _binding_hashes(ws, video, lang)
        if binding_token(deliverables, srt_sha) != binding:
            raise StaleFile("the version changed since this page was loaded; nothing was "
                            "recorded: reload it and review what is there now")
        lines = _timed_lines(ws.paths.subtitles_srt(video, lang))
        try:
            record = ap.make_record(decision, reviewer, note,
                                    ap.Binding(deliverables, srt_sha, lines))
        except ValueError as e:
            raise EditRefused(str(e)) from None
        path = approvals_path(ws.out)
        (ws.out / ".pipeline").mkdir(parents=True, exist_ok=True)
        with self._approvals_lock, FileLock(str(ws.out / ".pipeline" / "approvals.lock")):
            store = load_approval_store(ws.out)
            store.put(ap.key(video, lang), record)
            write_json_atomic(path, store.to_json())
        assessment = ap.assess(record, ap.Binding(deliverables, srt_sha, lines))
        self._patch_manifest(ws, video, lang, assessment)
        return assessment

    def _patch_manifest(self, ws: Workspace, video: str, lang: str,
                        assessment: ap.Assessment) -> None:
        """Put the new sign-off into manifest.json's items of the version. While a run holds
        the folder it is left alone: that run writes the manifest last, approvals included."""
        path = ws.paths.manifest()
        lock = self._run_lock(ws)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return
        try:
            manifest = read_json(path)
            if not isinstance(manifest, dict) or not isinstance(manifest.get("deliverables"), list):
                return
            for item in manifest["deliverables"]:
                if isinstance(item, dict) and (item.get("video"), item.get("lang")) == (video, lang):
                    item["approval"] = assessment.to_json()
            write_json_atomic(path, manifest)
        finally:
            lock.release()

    def history(self, video: str, lang: str) -> list[dict[str, Any]]:
        store = load_approval_store(self.out)
        return list(reversed(store.history.get(ap.key(video, lang), [])))

    def rerun(self, video: str, lang: str,
              progress: Callable[[ProgressEvent], None]) -> RerunResult:
        """Run what is missing or stale for one version through the pipeline's executor,
        holding the run lock as `pipeline run` does (Busy when it is held), then the video's
        master when every language of it is done, and refresh manifest.json."""
        from pipeline.delivery import manifest
        from pipeline.cache import sweep_partials
        from pipeline.orchestration.executor import Done, execute
        from pipeline.orchestration.graph import evaluate, plan
        from pipeline.runner import retry_command

        registry = self.registry
        started = time.perf_counter()
        ws = Workspace(load_config(self.config_path))  # a run's own view, as `pipeline run`
        self._check(ws, video, lang)
        with self._holding_lock(ws, "rerun"):
            swept = sweep_partials(ws.out)
            reporter = _Forward(progress)
            if swept:
                reporter.warn(f"removed {swept} half-written file(s) left by an interrupted run")
            try:
                outcomes = execute(ws, registry, plan(registry, ws.config, [video], [lang]),
                                   reporter)
                if ws.config.render.master and all(
                        evaluate(ws, registry, Task("render", video, other)).status.fresh
                        for other in ws.config.languages):
                    outcomes += execute(ws, registry, [Task("master", video)], reporter)
            finally:
                reporter.close()
            failures = [{"stage": o.task.stage, "video": o.task.video, "lang": o.task.lang,
                         "cause": o.cause,
                         "retry": retry_command(self.config_path, video, o.task.lang)}
                        for o in outcomes if o.status == Done.FAILED]
            earlier = (read_json(ws.paths.manifest()) or {}).get("failures", [])
            kept = [f for f in earlier if isinstance(f, dict)
                    and not (f.get("video") == video and f.get("lang") in (lang, None))]
            try:
                manifest.write(ws, registry, kept + failures)
            except OSError as e:
                progress(ProgressEvent("warning", note=f"cannot write manifest.json: {e}"))
        with self._lock:
            self._ws = None  # the run updated the hash cache on disk: read it again
        return RerunResult(
            tuple(f"{o.task.stage} {o.task.label}" for o in outcomes if o.status == Done.RAN),
            tuple(f"{o.task.stage} {o.task.label}: {o.cause}" for o in outcomes
                  if o.status in (Done.FAILED, Done.SKIPPED)),
            time.perf_counter() - started)

    def resolve_conflict(self, video: str, lang: str, choices: dict[str, str],
                         token: str) -> None:
        """Settle a hand edit whose source changed (issue 14, point 4): per line, "keep"
        (the edit becomes the new baseline) or "take" (the new machine translation); lines
        without a choice get their default. The result is recorded as the translate task's
        output (pipeline/delivery/edits.py); the caller then reruns what reads it. Refused, writing
        nothing, when the page's comparison (token) is not the current one."""
        from pipeline.delivery import edits

        ws = self.workspace()
        self._check(ws, video, lang)
        task = Task("translate", video, lang)
        with self._holding_lock(ws, "apply the choice"), self._lock:
            if not edits.conflicted(ws, self.registry, task):
                raise StaleFile("there is nothing to choose any more (the conflict was settled "
                                "or the file changed): reload the page")
            try:
                prop = self._proposal(ws, task)
            except PipelineError as e:
                raise EditRefused(_short(ws, str(e))) from None
            if _proposal_token(prop) != token:
                raise StaleFile("the subtitles or their source changed since this page was "
                                "loaded; nothing was written: reload the page and choose again")
            try:
                merged = edits.merge(prop, choices)
            except ValueError as e:
                raise EditRefused(str(e)) from None
            try:
                edits.accept(ws, self.registry, task, merged, fingerprint=prop.fingerprint,
                             file_sha256=prop.file_sha256)
            except EditConflict as e:
                raise StaleFile(_short(ws, str(e))) from None
            except PipelineError as e:
                raise EditRefused(_short(ws, str(e))) from None
            self._proposals.pop((video, lang), None)


def _write_checked(path: Path, data: bytes) -> None:
    """Write the edited file atomically, after the pipeline's own reader accepted it."""
    from pipeline import subtitles as subs

    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
        doc = srtedit.SrtDocument.parse(data)
        try:
            cues = subs.load_srt(tmp)
        except PipelineError as e:
            raise EditRefused(f"the pipeline could not read the result ({e})") from None
        if len(cues) != sum(1 for b in doc.blocks if b.text.strip()):
            raise EditRefused("the pipeline would read a different number of subtitles")


def _burned(path: Path, doc: srtedit.SrtDocument) -> list[tuple[int, str]] | None:
    """(block number, text) of each subtitle as the pipeline reads the file, which is what
    the render burns: blocks matched in order by their times. It can differ from the file's
    text (the SRT reader drops `<...>` tags); a block it reads no text from is not listed."""
    from pipeline import subtitles as subs

    try:
        cues = subs.load_srt(path)
    except (OSError, PipelineError):
        return None
    found, k = [], 0
    for block in doc.blocks:
        if k < len(cues) and (cues[k].start, cues[k].end) == (block.start, block.end):
            found.append((block.number, cues[k].text))
            k += 1
    return found


def _same(a: str, b: str) -> bool:
    """The same text on screen (spaces at the ends of lines aside)."""
    def norm(t: str) -> str:
        return "\n".join(line.strip() for line in t.strip().split("\n"))
    return norm(a) == norm(b)


def _sha(ws: Workspace, path: Path) -> str | None:
    try:
        return ws.hashes.sha256(path)
    except OSError:
        return None


def _short(ws: Workspace, cause: str) -> str:
    """A cause with the outputs and project folders left out of its paths."""
    for folder in (ws.out, ws.project.root):
        cause = cause.replace(f"{folder}{os.sep}", "")
    return cause


def _proposal_token(prop: Proposal) -> str:
    """What a page's choice was made against: the task's fingerprint and the file's hash."""
    return f"{prop.fingerprint[:24]}.{prop.file_sha256[:24]}"


def _source_language(ws: Workspace, video: str) -> str | None:
    return ws.source_language(video)
