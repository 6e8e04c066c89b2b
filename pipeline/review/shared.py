"""What the desk's board, version pages and writes all use: file stamps, a version's stages
as the pipeline evaluates them, causes without the project's folders, the approval token."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.cache import canonical_hash
from pipeline.orchestration.registry import Registry
from pipeline.workspace import Task, Workspace

VERSION_STAGES = ("extract", "listen", "scan", "transcribe", "translate", "narrate", "captions", "render",
                  "hear")
RACY_NS = 2_000_000_000  # a stamp this close to now may hide a second change in the same tick


def stamp(path: Path | str) -> tuple[int, int, int] | None:
    """(size, mtime_ns, inode) of a file, or None when it is not there."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def version_stages(ws: Workspace, registry: Registry, video: str, lang: str,
                   shared: dict[str, list[str]] | None = None) -> list[list[str]]:
    """[stage, status, cause] of each stage a version is made by; `shared` keeps the video's
    own stages (extract, transcribe) between its languages."""
    from pipeline.orchestration.graph import evaluate

    shared = {} if shared is None else shared
    stages = []
    for stage in VERSION_STAGES:
        if registry.info(stage).per_lang:
            ev = evaluate(ws, registry, Task(stage, video, lang))
            stages.append([stage, ev.status.value, short(ws, ev.cause)])
            continue
        if stage not in shared:
            ev = evaluate(ws, registry, Task(stage, video))
            shared[stage] = [stage, ev.status.value, short(ws, ev.cause)]
        stages.append(shared[stage])
    return stages


def binding_token(deliverables: dict[str, str], srt_sha: str | None) -> str:
    """What a page's approval is bound to: the deliverables and the subtitles it showed."""
    return canonical_hash({"deliverables": deliverables, "subtitles": srt_sha})[:32]


def sha(ws: Workspace, path: Path) -> str | None:
    try:
        return ws.hashes.sha256(path)
    except OSError:
        return None


def short(ws: Workspace, cause: str) -> str:
    """A cause with the outputs and project folders left out of its paths."""
    for folder in (ws.out, ws.project.root):
        cause = cause.replace(f"{folder}{os.sep}", "")
    return cause
