"""QA findings per version: subtitle rules, narration overflow and names not heard, loudness,
glossary terms, text in the finished picture (overlapping, or the source's left in the band)."""

from __future__ import annotations

import hashlib
import importlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline import subtitles as subs
from pipeline.cache import TaskState, canonical_hash
from pipeline.errors import PipelineError
from pipeline.narration.record import HeardRecord, TimingRecord
from pipeline.subtitles.rulebook import rules_for
from pipeline.workspace import Task, Workspace

LOUDNESS_TOLERANCE_LU = 1.0


@lru_cache(maxsize=1)
def _checker_code() -> str:
    """The code that reads and checks a subtitle file: cached findings made by other code
    are not reused."""
    modules = [importlib.import_module(f"pipeline.subtitles.{name}")
               for name in ("check", "formats.base", "formats.srt")]
    return hashlib.sha256(b"".join(Path(m.__file__ or "").read_bytes()
                                   for m in modules)).hexdigest()[:16]


def subtitle_findings(ws: Workspace, srt: Path, lang: str) -> list[dict[str, Any]]:
    """The reading-rule findings of one subtitle file, remembered by the file's stat stamp
    with the rules and the checker's code (`pipeline status` parses no unchanged file)."""
    rules = ws.memo(("rules", lang), lambda: rules_for(ws.config, lang))

    def check() -> list[dict[str, Any]]:
        try:
            return [f.as_dict() for f in subs.check(subs.load_srt(srt), rules)]
        except PipelineError as e:
            return [{"rule": "parse", "detail": str(e)}]

    kind = "qa:" + canonical_hash([_checker_code(), rules])[:16]
    rel = ws.paths.rel(srt)
    return [{"kind": "subtitle", "file": rel, **f} for f in ws.hashes.derived(srt, kind, check)]


def heard(ws: Workspace, video: str, lang: str) -> HeardRecord | None:
    """What the hear stage heard of the version's narration (narration.verify), when it heard
    the narration.wav that is there now (a track narrated again since is not what it heard)."""
    record = ws.read_record(ws.paths.heard(video, lang), HeardRecord)
    if record is None:
        return None
    try:
        current = ws.hashes.sha256(ws.paths.narration(video, lang))
    except OSError:
        return None
    return record if record.narration == current else None


def findings(ws: Workspace, video: str, lang: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    srt = ws.paths.subtitles_srt(video, lang)
    try:
        found += subtitle_findings(ws, srt, lang)
    except FileNotFoundError:
        pass
    timing = ws.read_record(ws.paths.timing(video, lang), TimingRecord)
    for line in timing.lines if timing else ():
        if line.overflow > 0:
            found.append({"kind": "narration", "index": line.index, "rule": "overflow",
                          "detail": f"line {line.index} overflows its slot by {line.overflow} ms"})
    hearing = heard(ws, video, lang)  # narration.verify
    for h in hearing.lines if hearing else ():
        for name in h.unheard:
            found.append({"kind": "narration", "index": h.index, "rule": "name_unheard",
                          "detail": f"line {h.index}: {name!r} is in the text but not heard "
                                    f"in the narration (heard: {h.heard!r})"})
    state = TaskState.load(ws.paths.state(Task("render", video, lang)))
    r = ws.config.render
    for profile, m in ((state.extra.get("deliverables") or {}) if state else {}).items():
        settings = r.profiles.get(profile)  # each profile's own targets (a preset's, or render's)
        target = settings.loudness_lufs if settings and settings.loudness_lufs is not None \
            else r.loudness_lufs
        ceiling = settings.true_peak_db if settings and settings.true_peak_db is not None \
            else r.true_peak_db
        lufs = m.get("integrated_lufs")
        if lufs is not None and abs(lufs - target) > LOUDNESS_TOLERANCE_LU:
            found.append({"kind": "loudness", "profile": profile, "rule": "integrated",
                          "detail": f"{lufs:.1f} LUFS, target {target:g}"})
        for n in m.get("caption_overflow") or []:  # a screen's large captions (min_text_px)
            found.append({"kind": "subtitle", "profile": profile, "index": n,
                          "rule": "caption_fit",
                          "detail": f"subtitle {n} needs more lines than allowed at the "
                                    f"{profile} profile's minimum caption height; shorten it"})
        short = m.get("max_short_term_lufs")
        cap = settings.max_short_term_lufs if settings else None
        if short is not None and cap is not None and short > cap + 0.2:
            found.append({"kind": "loudness", "profile": profile, "rule": "short_term",
                          "detail": f"loudest 3 s at {short:.1f} LUFS > {cap:g} (short-form)"})
        peak = m.get("true_peak_dbtp")
        if peak is not None and peak > ceiling + 0.2:
            found.append({"kind": "loudness", "profile": profile, "rule": "true_peak",
                          "detail": f"{peak:.1f} dBTP > {ceiling:g}"})
    # the picture read back by OCR where the source has burned-in subtitles (render)
    found += ((state.extra.get("readback") or {}).get("findings", []) if state else [])
    tstate = TaskState.load(ws.paths.state(Task("translate", video, lang)))
    for w in (tstate.extra.get("glossary_lost", []) if tstate else []):
        found.append({"kind": "glossary", "rule": "term_lost", "detail": w})
    return found
