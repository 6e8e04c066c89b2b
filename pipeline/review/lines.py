"""A version's page: its stages, media, QA findings, glossary terms and its lines (the
subtitle file as an editor sees it, each line with the source lines beside it, its findings,
how the host's narration fits it, and what the render burns where that differs), and a hand
edit whose source changed (the new translation beside it, line by line)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.delivery.approvals import assess_version, binding_hashes, load_store, rendered
from pipeline.errors import PipelineError
from pipeline.narration.record import TimingRecord
from pipeline.orchestration.registry import Registry
from pipeline.review import srtedit
from pipeline.review.errors import ReviewError
from pipeline.review.models import (
    Conflict, Line, LineFit, Media, OnscreenLine, SourceLine, TermNote, VersionView, version_row,
)
from pipeline.review.shared import binding_token, sha, short, version_stages
from pipeline.workspace import Task, Workspace

if TYPE_CHECKING:
    from pipeline.delivery.edits import Proposal
    from pipeline.engines.pool import EnginePool


class Proposals:
    """The core's proposals for hand edits whose source changed, kept while the task's
    fingerprint and the file are the same (making one runs the machine translation: seconds
    for a cold model). The caller holds the project's lock."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._kept: dict[tuple[str, str | None], Proposal] = {}  # by (video, lang)
        self._pool: EnginePool | None = None  # engines for proposals, loaded when needed

    def get(self, ws: Workspace, task: Task) -> Proposal:
        from pipeline.delivery import edits
        from pipeline.engines.pool import EnginePool
        from pipeline.orchestration.graph import evaluate

        key = (task.video, task.lang)
        hit = self._kept.get(key)
        if hit is not None:
            ev = evaluate(ws, self.registry, task)
            if (hit.fingerprint, hit.sha256_file) == (ev.fingerprint, sha(ws, hit.file)):
                return hit
        if self._pool is None:
            self._pool = EnginePool()
        prop = edits.proposal(ws, self.registry, task, self._pool)
        self._kept[key] = prop
        return prop

    def forget(self, video: str, lang: str) -> None:
        self._kept.pop((video, lang), None)


def proposal_token(prop: Proposal) -> str:
    """What a page's choice was made against: the task's fingerprint and the file's hash."""
    return f"{prop.fingerprint[:24]}.{prop.sha256_file[:24]}"


def version_view(ws: Workspace, registry: Registry, proposals: Proposals, video: str,
                 lang: str) -> VersionView:
    """One version's page (the caller holds the project's lock)."""
    from pipeline.delivery.qa import findings

    stages = version_stages(ws, registry, video, lang)
    conflict = _conflict(ws, registry, proposals, video, lang)
    try:
        qa = findings(ws, video, lang)
    except (OSError, PipelineError) as e:
        qa = [{"kind": "subtitle", "rule": "read", "detail": str(e)}]
    deliverables, srt_sha = binding_hashes(ws, video, lang)
    assessment = assess_version(ws, video, lang, load_store(ws.out), (deliverables, srt_sha))
    row = version_row(video, lang, stages, len(qa),
                      sum(1 for f in qa if f.get("kind") == "narration"), assessment,
                      rendered(deliverables))
    target, source = ws.paths.subtitles_srt(video, lang), ws.paths.transcript_srt(video)
    lines, target_sha, source_sha, problem = _lines(ws, video, lang, qa)
    version_findings = tuple(f"{f.get('kind')}: {f.get('detail')}" for f in qa
                             if f.get("index") is None)
    source_language = ws.source_language(video)
    captions, captions_sha, captions_problem = _captions(ws, video, lang)
    return VersionView(
        row=row, media=tuple(_media(ws, video, lang)), lines=tuple(lines),
        target_file=ws.paths.rel(target), target_sha=target_sha,
        source_file=ws.paths.rel(source), source_sha=source_sha,
        source_language=source_language, version_findings=version_findings,
        terms=tuple(_terms(ws, lang)), source_terms=tuple(_terms(ws, source_language or "en")),
        binding=binding_token(deliverables, srt_sha), conflict=conflict, problem=problem,
        captions=tuple(captions), captions_file=ws.paths.rel(ws.paths.captions_srt(video, lang)),
        captions_sha=captions_sha, captions_problem=captions_problem)


def _captions(ws: Workspace, video: str, lang: str) -> tuple[list[OnscreenLine], str | None, str]:
    """The version's captions file as an editor sees it, each block beside the caption on
    screen it translates (joined by time, as render joins them); why not, when unreadable."""
    from pipeline.onscreen.captions import foreign_captions
    from pipeline.onscreen.model import load_onscreen

    path = ws.paths.captions_srt(video, lang)
    try:
        data = path.read_bytes()
    except OSError:
        return [], None, ""
    try:
        doc = srtedit.SrtDocument.parse(data)
        onscreen = load_onscreen(ws.paths.onscreen(video))
    except (ReviewError, PipelineError, ValueError) as e:
        return [], srtedit.sha256_bytes(data), short(ws, str(e))
    waiting: dict[tuple[int, int], list[str]] = {}
    for item in foreign_captions(onscreen, lang):
        waiting.setdefault((item.start, item.end), []).append(item.text)
    found = []
    for block in doc.blocks:
        texts = waiting.get((block.start, block.end)) or []
        found.append(OnscreenLine(block.number, block.start, block.end,
                                  texts.pop(0) if texts else "", block.text))
    return found, doc.sha256, ""


def _conflict(ws: Workspace, registry: Registry, proposals: Proposals, video: str,
              lang: str) -> Conflict | None:
    """A hand edit of the version's subtitles whose source changed: the new translation
    beside it, line by line (pipeline/delivery/edits.py), or why it cannot be computed."""
    from pipeline.delivery import edits

    task = Task("translate", video, lang)
    if not edits.conflicted(ws, registry, task):
        return None
    rel = ws.paths.rel(ws.paths.subtitles_srt(video, lang))
    message = (f"{rel} was edited by hand and the source it is translated from changed "
               "since; for each line below, keep your line or take the new translation")
    try:
        prop = proposals.get(ws, task)
    except (OSError, PipelineError) as e:
        return Conflict(message, rel, problem=short(ws, str(e)))
    return Conflict(message, rel, prop.rows, len(prop.changes), proposal_token(prop),
                    tuple(short(ws, w) for w in prop.warnings))


def _media(ws: Workspace, video: str, lang: str) -> list[Media]:
    found = []
    for profile in ws.config.render.profiles:
        path = ws.paths.deliverable(video, lang, profile)
        if path.is_file():
            found.append(Media(ws.paths.rel(path), "deliverable", profile, sha(ws, path)))
        elif (sample := ws.paths.sample(video, lang, profile)).is_file():
            found.append(Media(ws.paths.rel(sample), "sample", profile, sha(ws, sample)))
    return found


def _terms(ws: Workspace, lang: str) -> list[TermNote]:
    from pipeline.language.glossary import load_glossary

    glossary = ws.config.translate.glossary
    try:
        terms = load_glossary(ws.project.path(glossary) if glossary else None)
    except PipelineError:
        return []
    return [TermNote(t.form(lang), t.term, t.note) for t in terms if t.form(lang).strip()]


def _lines(ws: Workspace, video: str, lang: str, qa: list[dict[str, Any]]
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
    burned_lines = burned(target, doc)
    cue_to_block = [number for number, _ in burned_lines or []]
    cue_of_block = {number: k for k, number in enumerate(cue_to_block, start=1)}
    burned_text = dict(burned_lines or [])
    for f in qa:
        index = f.get("index")
        if f.get("kind") == "subtitle" and isinstance(index, int) and 0 < index <= len(cue_to_block):
            per_line.setdefault(cue_to_block[index - 1], []).append(f"{f['rule']}: {f['detail']}")
    timing = ws.read_record(ws.paths.timing(video, lang), TimingRecord)
    fits = {ln.index: ln for ln in timing.lines} if timing else {}
    lines = []
    for number, block in enumerate(doc.blocks, start=1):
        cue_index = cue_of_block.get(number)
        fit = fits.get(cue_index) if cue_index else None
        line_timing = None
        if fit:
            line_timing = LineFit(fit.speed, fit.overflow, fit.speech, fit.start, fit.end)
            if line_timing.overflow > 0:
                per_line.setdefault(number, []).append(
                    f"narration overflows its slot by {line_timing.overflow} ms")
        sources = tuple(SourceLine(s.number, s.start, s.end, s.text)
                        for s in (src_doc.blocks if src_doc else [])
                        if min(s.end, block.end) > max(s.start, block.start))
        shown = burned_text.get(number, "") if burned_lines is not None else None
        lines.append(Line(number, block.start, block.end, block.text, sources,
                          tuple(per_line.get(number, [])), line_timing,
                          None if shown is None or same_text(shown, block.text) else shown))
    return lines, doc.sha256, src_doc.sha256 if src_doc else None, problem


def burned(path: Path, doc: srtedit.SrtDocument) -> list[tuple[int, str]] | None:
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


def same_text(a: str, b: str) -> bool:
    """The same text on screen (spaces at the ends of lines aside)."""
    def norm(t: str) -> str:
        return "\n".join(line.strip() for line in t.strip().split("\n"))
    return norm(a) == norm(b)
