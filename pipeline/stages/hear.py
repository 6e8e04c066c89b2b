"""hear: `narration.verify`, what the host said heard back from the version's narration.wav by
the packaged multilingual Whisper (`pipeline.narration.hearing`), into `<lang>/heard.json`.

A stage of its own after narrate: it reads narration.wav as render does, so the two run side
by side, and a glossary edit (the names listened for) hears again without narrating or
rendering again. The track is heard a span of neighbouring lines at a time, each span's
transcription cached by its samples (`Layout.heard_span`), so an edited line re-hears its
span only. Nothing to hear (verify off, or a version that keeps the source's own speech):
no file, and a heard.json an earlier verifying run left is removed, so QA never reads a
stale hearing.
"""

from __future__ import annotations

import hashlib
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline import records
from pipeline.av.wav import read_wav, write_wav
from pipeline.cache import canonical_hash, read_json, write_json_atomic, write_text_atomic
from pipeline.engines.asr import roundtrip
from pipeline.errors import PipelineError
from pipeline.language.glossary import load_glossary
from pipeline.narration import hearing
from pipeline.narration.record import HeardLine, HeardRecord, Hearing, TimingRecord
from pipeline.stages.base import Job, Result, RunContext, Stage, settled
from pipeline.stages.narrate import narrated
from pipeline.workspace import Layout, Task, Workspace

# each span is heard with up to a second of the track before and after it (other spans'
# lines silenced there): Whisper needs the margins to open the first segment and close the
# last (the demo's jinan zh: CER 0.285 with a 0.5 s lead-in, 0.248 with 1 s; jinan pt: WER
# 0.206 with a 0.5 s tail, 0.186 with 1 s, the same as the whole track)
HEAR_LEAD_MS = 1000
HEAR_TAIL_MS = 1000


@dataclass(frozen=True)
class HearParams:
    lang: str
    # the hearing model's identity (its files by content, the decoding); None: nothing to
    # hear (narration.verify off, or the version is not narrated)
    model: dict[str, Any] | None


class Hear(Stage[HearParams]):
    name = "hear"
    version = 1  # narrate's verify (its version 8) as a stage of its own
    # a video's versions heard side by side (the model's workers): heard one after the other,
    # the last one was left alone on one core after the render, 4-5 s on the bench clip
    shared_per_video = True

    def params(self, ws: Workspace, task: Task) -> HearParams:
        assert task.lang
        if not (ws.config.narration.verify and narrated(ws, task)):
            return HearParams(task.lang, None)
        model = ws.memo(("hearing",), lambda: roundtrip.identity(ws.hashes.sha256))
        return HearParams(task.lang, model)

    def inputs(self, ws: Workspace, task: Task, params: HearParams) -> dict[str, Path]:
        assert task.lang
        if params.model is None:
            return {}  # a new narration does not rerun a stage with nothing to hear
        found = {"narration": ws.paths.narration(task.video, task.lang),
                 "timing": ws.paths.timing(task.video, task.lang)}
        glossary = ws.config.translate.glossary
        if glossary and ws.project.path(glossary).is_file():
            found["glossary"] = ws.project.path(glossary)  # the names the check listens for
        return found

    def outputs(self, paths: Layout, task: Task, params: HearParams) -> list[Path]:
        assert task.lang
        return [] if params.model is None else [paths.heard(task.video, task.lang)]

    def records(self, paths: Layout, task: Task, params: HearParams) -> dict[Path, Any]:
        return {path: HeardRecord for path in self.outputs(paths, task, params)}

    def warm(self, ctx: RunContext, task: Task, params: HearParams) -> None:
        """Load the hearing model ahead of the task (the executor calls this early)."""
        if params.model is not None:
            ctx.engines.hearing()

    def run_many(self, ctx: RunContext, jobs: list[Job[HearParams]]) -> list[Result | Exception]:
        with ThreadPoolExecutor(max(1, min(len(jobs), roundtrip.HEARING_WORKERS)),
                                thread_name_prefix="hear") as pool:
            futures = [pool.submit(self.run, ctx, job) for job in jobs]
        return settled(futures)

    def run(self, ctx: RunContext, job: Job[HearParams]) -> Result:
        p = job.params
        assert job.task.lang
        out = ctx.paths.heard(job.task.video, job.task.lang)
        out.unlink(missing_ok=True)  # none left behind: not verifying now, or a failure below
        result = Result()
        if p.model is None:
            return result
        timing = records.load(TimingRecord, job.inputs["timing"])
        if timing is None:
            raise PipelineError(f"{job.inputs['timing']} is not a timing record narrate wrote; "
                                f"run `pipeline run --only narrate --video {job.task.video}` again")
        pcm, rate = read_wav(job.inputs["narration"])
        names = [t.form(p.lang) for t in load_glossary(job.inputs.get("glossary"))]
        heard: list[HeardLine] = []
        segments: list[dict[str, Any]] = []
        heard_now = 0
        groups = hearing.spans(timing.lines)
        for group in groups:
            placed, fresh = _heard_span(ctx, p, pcm, rate, group[0].start, group[-1].end)
            heard_now += fresh
            heard.extend(hearing.by_line(group, placed, names, p.lang))
            segments.extend(placed)
        verify = hearing.score(heard, segments, p.lang) if heard else None
        record = HeardRecord(job.digests["narration"], tuple(heard), verify,
                             Hearing(len(groups), heard_now))
        write_text_atomic(out, record.to_json())
        if verify:
            result.extra["verify"] = verify.to_dict()
            result.note = (f"heard back: {verify.metric.upper()} {verify.error_rate:.2f}; "
                           f"{heard_now} of {len(groups)} span(s) heard")
        return result


def _heard_span(ctx: RunContext, p: HearParams, pcm: np.ndarray, rate: int, start_ms: int,
                end_ms: int) -> tuple[list[dict[str, Any]], int]:
    """What Whisper heard in the track from start_ms to end_ms with up to a second before and
    after (it needs them to open the first segment and close the last; the track's start cuts
    the lead-in short), every other line silenced there; times from the start of the lead-in.
    And 1 when it was heard now, 0 when cached."""
    first = max(0, start_ms - HEAR_LEAD_MS)
    a, s0, s1, b = (int(ms * rate / 1000) for ms in (first, start_ms, end_ms, end_ms + HEAR_TAIL_MS))
    span = pcm[a:b].astype("<i2")  # a copy: the margins are silenced in it
    span[: s0 - a] = 0  # the margins hear silence, never a neighbouring span's line
    span[s1 - a:] = 0
    # the key as narrate (version 8) made it, so its cached spans are heard from
    key = canonical_hash([hashlib.sha256(span.tobytes()).hexdigest(), p.model, p.lang])
    cached = ctx.paths.heard_span(key)
    found = read_json(cached)
    heard_now = found is None
    if found is None:
        with tempfile.TemporaryDirectory(prefix="hear-") as tmp:
            wav = Path(tmp) / "span.wav"
            write_wav(wav, span, rate)
            found = {"segments": roundtrip.transcribe_segments(ctx.engines.hearing(), wav, p.lang)}
        write_json_atomic(cached, found)
    return [dict(s, start=s["start"] + first, end=s["end"] + first)
            for s in found["segments"]], int(heard_now)
