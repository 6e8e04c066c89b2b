"""`pipeline status`: the state of every (video, language, stage), and QA counts."""

from __future__ import annotations

from typing import Any

from pipeline.delivery.approvals import load_store, summary
from pipeline.orchestration.graph import evaluate
from pipeline.delivery.qa import findings
from pipeline.orchestration.registry import Registry
from pipeline.workspace import Task, Workspace


def columns(ws: Workspace, registry: Registry) -> list[str]:
    """The stages a full run has, in order (the master when one is configured)."""
    return [s.name for s in registry.table if s.runs_in != "sample"
            and registry.stage(s.name).wanted(ws.config)]


def rows(ws: Workspace, registry: Registry) -> list[dict[str, Any]]:
    """One row per (video, language): each stage's status, the version's QA count and its
    approval."""
    found = []
    approvals = load_store(ws.out)
    seen: dict[Task, str] = {}  # a per-video stage is evaluated once, not once per language
    for video in ws.videos:
        for lang in ws.config.languages:
            row: dict[str, Any] = {"video": video.name, "lang": lang}
            for stage in columns(ws, registry):
                task = Task(stage, video.name, lang if registry.info(stage).per_lang else None)
                if task not in seen:
                    seen[task] = evaluate(ws, registry, task).status.value
                row[stage] = seen[task]
            row["qa"] = len(findings(ws, video.name, lang))
            row["approval"] = summary(ws, video.name, lang, approvals)
            found.append(row)
    ws.hashes.save()
    return found
