"""QA findings per version: subtitle rules, narration overflow, loudness, glossary terms."""

from __future__ import annotations

from typing import Any

from pipeline import subtitles as subs
from pipeline.cache import TaskState, read_json
from pipeline.errors import PipelineError
from pipeline.rules import rules_for
from pipeline.workspace import Task, Workspace

LOUDNESS_TOLERANCE_LU = 1.0


def findings(ws: Workspace, video: str, lang: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    srt = ws.paths.subtitles_srt(video, lang)
    if srt.exists():
        try:
            for f in subs.check(subs.load_srt(srt), rules_for(ws.config, lang)):
                found.append({"kind": "subtitle", "file": ws.paths.rel(srt), **f.as_dict()})
        except PipelineError as e:
            found.append({"kind": "subtitle", "file": ws.paths.rel(srt), "rule": "parse",
                          "detail": str(e)})
    timing = read_json(ws.paths.timing(video, lang)) or {}
    for line in timing.get("lines", []):
        if line.get("overflow", 0) > 0:
            found.append({"kind": "narration", "index": line["index"], "rule": "overflow",
                          "detail": f"line {line['index']} overflows its slot by {line['overflow']} ms"})
    state = TaskState.load(ws.paths.state(Task("render", video, lang)))
    target = ws.config.render.loudness_lufs
    for profile, m in ((state.extra.get("deliverables") or {}) if state else {}).items():
        lufs = m.get("integrated_lufs")
        if lufs is not None and abs(lufs - target) > LOUDNESS_TOLERANCE_LU:
            found.append({"kind": "loudness", "profile": profile, "rule": "integrated",
                          "detail": f"{lufs:.1f} LUFS, target {target:g}"})
        peak = m.get("true_peak_dbtp")
        if peak is not None and peak > ws.config.render.true_peak_db + 0.2:
            found.append({"kind": "loudness", "profile": profile, "rule": "true_peak",
                          "detail": f"{peak:.1f} dBTP > {ws.config.render.true_peak_db:g}"})
    tstate = TaskState.load(ws.paths.state(Task("translate", video, lang)))
    for w in (tstate.extra.get("glossary_lost", []) if tstate else []):
        found.append({"kind": "glossary", "rule": "term_lost", "detail": w})
    return found
