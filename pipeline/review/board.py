"""The desk's board: every video x language with its stages, QA counts and sign-off.

Each video's evaluation comes from a memo keyed by stat stamps: the video's output folders
(the pipeline replaces its files by rename, which changes the folder), the files people edit
or replace in place (subtitles, sources, provided translations, scripts), the config,
glossary, fonts and the pipeline's own code. Any change re-evaluates that video with the real
`evaluate` and `qa.findings`, so the board says what `pipeline status` says. The memo is kept
in outputs/.pipeline/review-board.json (a cache: safe to delete).
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.cache import atomic_path, canonical_hash, read_json
from pipeline.delivery.approvals import (
    assess_version,
    binding_hashes,
    load_store,
    rendered,
    store_path,
)
from pipeline.errors import PipelineError
from pipeline.orchestration.registry import Registry
from pipeline.review.models import Board, StageStatus, VideoRow, version_row
from pipeline.review.shared import RACY_NS, short, stamp, version_stages
from pipeline.workspace import Task, Workspace

MEMO_VERSION = 2
SAVE_HASHES_AFTER = 20  # videos evaluated before the board saves the hash cache (4 MB at 400x8)


def inputs_key(ws: Workspace) -> Any:
    """What the video list depends on: the files the inputs globs match and the mtimes of
    their folders (a script put beside a video changes its folder). Cheaper than
    `discover`, which the workspace runs only when this changes."""
    matched = [sorted(glob.glob(str(ws.project.root / pattern), recursive=True))
               for pattern in ws.config.inputs]
    folders = sorted({os.path.dirname(m) for group in matched for m in group})
    stamps = [stamp(f) for f in folders]
    recent = time.time_ns() - RACY_NS
    if any(st is not None and st[1] > recent for st in stamps):
        return object()  # changed this second: look again next time
    return (matched, folders, stamps)


def _code_identity() -> str:
    """Stamps of the pipeline's own modules: a code change re-evaluates the board memo."""
    root = Path(__file__).resolve().parent.parent
    stamps = sorted((str(p.relative_to(root)), stamp(p)) for p in root.rglob("*.py"))
    return canonical_hash([__version__, MEMO_VERSION, stamps])


class BoardView:
    """The board of one project, with its memo. The caller holds the project's lock."""

    def __init__(self, config_path: Path, registry: Registry) -> None:
        self.config_path = config_path
        self.registry = registry
        self._memo: dict[str, Any] = {}
        self._memo_loaded = False
        self._memo_dirty = False
        self._rows: dict[str, tuple[Any, VideoRow]] = {}
        self._evaluated = 0  # videos evaluated since the hash cache was last saved

    def board(self, ws: Workspace) -> Board:
        self._load_memo(ws)
        common = self._common_signature(ws)
        approvals_stamp = stamp(store_path(ws.out))
        store = load_store(ws.out)
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
                assessment = assess_version(ws, video.name, lang, store,
                                            (v["deliverables"], v["subtitles"]))
                versions[lang] = version_row(video.name, lang, v["stages"], v["qa"],
                                             v["overflows"], assessment, rendered(v["deliverables"]))
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
        parts: list[Any] = [str(self.config_path), stamp(self.config_path), _code_identity(),
                            ws.config.languages]
        glossary = ws.config.translate.glossary
        if glossary:
            parts.append(stamp(ws.project.path(glossary)))
        parts.append(stamp(ws.paths.assets("fonts")))
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
        stamps = [stamp(p) for p in paths]
        recent = time.time_ns() - RACY_NS
        if any(st is not None and st[1] > recent for st in stamps):
            return None
        return hashlib.blake2b(repr((common, paths, stamps)).encode("utf-8"),
                               digest_size=16).hexdigest()

    def _video_entry(self, ws: Workspace, video: str, signature: str | None) -> dict[str, Any]:
        hit = self._memo.get(video)
        if signature and isinstance(hit, dict) and hit.get("signature") == signature:
            return hit
        entry = dict(self._evaluate_video(ws, video), signature=signature)
        self._evaluated += 1
        self._memo[video] = entry
        self._memo_dirty = True
        return entry

    def _evaluate_video(self, ws: Workspace, video: str) -> dict[str, Any]:
        from pipeline.delivery.qa import findings
        from pipeline.orchestration.graph import evaluate

        shared: dict[str, list[str]] = {}
        versions: dict[str, Any] = {}
        for lang in ws.config.languages:
            stages = version_stages(ws, self.registry, video, lang, shared)
            try:
                qa = findings(ws, video, lang)
            except (OSError, PipelineError):
                qa = []
            deliverables, srt_sha = binding_hashes(ws, video, lang)
            versions[lang] = {"stages": stages, "qa": len(qa),
                              "overflows": sum(1 for f in qa if f.get("kind") == "narration"),
                              "deliverables": deliverables, "subtitles": srt_sha}
        master = None
        if ws.config.render.master:
            ev = evaluate(ws, self.registry, Task("master", video))
            master = [ev.status.value, short(ws, ev.cause)]
        return {"versions": versions, "master": master}
