"""outputs/manifest.json: every deliverable with its hash, duration, loudness and QA findings."""

from __future__ import annotations

from typing import Any

from pipeline import __version__
from pipeline.cache import TaskState, write_json_atomic
from pipeline.graph import evaluate, state_path
from pipeline.qa import findings
from pipeline.stages.render import deliverable_name
from pipeline.workspace import Task, Workspace


def build(ws: Workspace, failures: list[dict[str, Any]]) -> dict[str, Any]:
    from pipeline.review.project import approval_summary, load_approval_store

    approvals = load_approval_store(ws.out)
    items: list[dict[str, Any]] = []
    for video in ws.videos:
        for lang in ws.config.languages:
            task = Task("render", video.name, lang)
            if evaluate(ws, task).status not in ("done", "edited"):
                continue
            state = TaskState.load(state_path(ws, task))
            measured = (state.extra.get("deliverables") or {}) if state else {}
            qa = findings(ws, video.name, lang)
            approval = approval_summary(ws, video.name, lang, approvals)
            for profile in ws.config.render.profiles:
                path = ws.lang_dir(video.name, lang) / deliverable_name(video.name, lang, profile)
                rel = ws.rel(path)
                m = measured.get(profile, {})
                items.append({
                    "path": rel, "video": video.name, "lang": lang, "profile": profile,
                    "source": str(video.source), "duration": m.get("duration"),
                    "width": m.get("width"), "height": m.get("height"),
                    "sha256": state.outputs.get(rel) if state else None,
                    "loudness": {k: m[k] for k in ("integrated_lufs", "true_peak_dbtp") if k in m},
                    "qa": qa, "approval": approval,
                })
        if ws.config.render.master:
            master = _master(ws, video.name, str(video.source))
            if master:
                items.append(master)
    return {"tool": "springs-pipeline", "version": __version__, "deliverables": items,
            "failures": failures}


def _master(ws: Workspace, video: str, source: str) -> dict[str, Any] | None:
    """The video's multi-language master, when it is done."""
    task = Task("master", video)
    if evaluate(ws, task).status != "done":
        return None
    state = TaskState.load(state_path(ws, task))
    assert state is not None
    m = state.extra.get("master", {})
    (rel,) = state.outputs
    return {"path": rel, "video": video, "lang": "mul", "profile": "master", "source": source,
            "languages": m.get("languages"), "duration": m.get("duration"),
            "width": m.get("width"), "height": m.get("height"), "sha256": state.outputs[rel]}


def write(ws: Workspace, failures: list[dict[str, Any]]) -> dict[str, Any]:
    manifest = build(ws, failures)
    write_json_atomic(ws.out / "manifest.json", manifest)
    return manifest
