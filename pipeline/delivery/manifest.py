"""outputs/manifest.json: every deliverable with its hash, duration, loudness and QA findings."""

from __future__ import annotations

from typing import Any

from pipeline import __version__
from pipeline.delivery.approvals import load_store, summary
from pipeline.cache import TaskState, write_json_atomic
from pipeline.orchestration.graph import Status, evaluate
from pipeline.delivery.qa import findings, heard
from pipeline.narration.record import TimingRecord
from pipeline.orchestration.registry import Registry
from pipeline.workspace import Task, Workspace


def build(ws: Workspace, registry: Registry, failures: list[dict[str, Any]]) -> dict[str, Any]:
    approvals = load_store(ws.out)
    items: list[dict[str, Any]] = []
    renders = "render" in registry.stages  # a registry of other stages delivers nothing
    for video in ws.videos:
        for lang in ws.config.languages if renders else ():
            task = Task("render", video.name, lang)
            if not evaluate(ws, registry, task).status.fresh:
                continue
            state = TaskState.load(ws.paths.state(task))
            measured = (state.extra.get("deliverables") or {}) if state else {}
            qa = findings(ws, video.name, lang)
            made = TaskState.load(ws.paths.state(Task("translate", video.name, lang)))
            route = made.extra.get("route") if made else None
            approval = summary(ws, video.name, lang, approvals)
            narration = _narration(ws, video.name, lang)
            for profile in ws.config.render.profiles:
                rel = ws.paths.rel(ws.paths.deliverable(video.name, lang, profile))
                m = measured.get(profile, {})
                items.append({
                    "path": rel, "video": video.name, "lang": lang, "profile": profile,
                    "source": str(video.source), "duration": m.get("duration"),
                    "width": m.get("width"), "height": m.get("height"),
                    "sha256": state.outputs.get(rel) if state else None,
                    "loudness": {k: m[k] for k in ("integrated_lufs", "true_peak_dbtp",
                                                 "max_short_term_lufs") if k in m},
                    "route": route,  # how the subtitles were made (provided, pivot, machine...)
                    "narration": narration,
                    "qa": qa, "approval": approval,
                })
        if renders and ws.config.render.master:
            master = _master(ws, registry, video.name, str(video.source))
            if master:
                items.append(master)
    return {"tool": "springs-pipeline", "version": __version__, "deliverables": items,
            "failures": failures}


def _narration(ws: Workspace, video: str, lang: str) -> dict[str, Any] | None:
    """Who narrated the version, and its round trip when narration.verify heard it back (the
    hear stage's heard.json)."""
    timing = ws.read_record(ws.paths.timing(video, lang), TimingRecord)
    if timing is None or not timing.narrated:
        return None
    hearing = heard(ws, video, lang)
    return {"voice": timing.voice_spec, "engine": timing.voice_engine,
            "verify": hearing.verify.to_dict() if hearing and hearing.verify else None}


def _master(ws: Workspace, registry: Registry, video: str, source: str) -> dict[str, Any] | None:
    """The video's multi-language master, when it is done."""
    task = Task("master", video)
    if evaluate(ws, registry, task).status != Status.DONE:
        return None
    state = TaskState.load(ws.paths.state(task))
    assert state is not None
    m = state.extra.get("master", {})
    (rel,) = state.outputs
    return {"path": rel, "video": video, "lang": "mul", "profile": "master", "source": source,
            "languages": m.get("languages"), "duration": m.get("duration"),
            "width": m.get("width"), "height": m.get("height"), "sha256": state.outputs[rel]}


def write(ws: Workspace, registry: Registry, failures: list[dict[str, Any]]) -> dict[str, Any]:
    manifest = build(ws, registry, failures)
    write_json_atomic(ws.paths.manifest(), manifest)
    ws.hashes.save()  # with the QA findings it read: `pipeline status` parses none of them again
    return manifest
