"""The stage table: every stage's name, scope and the stages it reads from, in pipeline order.

It is plain data (no stage code is imported here), so the config can validate stage names
and the CLI can offer them without loading any engine. Dependencies, `--only` choices,
`executor.gpu_stages` and the rule "skip what depends on a failure" all derive from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class StageInfo:
    name: str
    per_lang: bool  # one task per (video, language); else one per video
    needs: tuple[str, ...]  # stages whose outputs it reads
    # "full": a normal run; "sample": `run --sample`; "both": either
    runs_in: Literal["both", "full", "sample"] = "both"
    stands_for: str | None = None  # `--only NAME` also selects this stage (sample for render)


TABLE: tuple[StageInfo, ...] = (
    StageInfo("extract", per_lang=False, needs=()),
    # the speech recognized (transcribe's ASR, `--only transcribe` selects it), beside the scan
    StageInfo("listen", per_lang=False, needs=("extract",), stands_for="transcribe"),
    StageInfo("scan", per_lang=False, needs=("extract",)),
    StageInfo("transcribe", per_lang=False, needs=("extract", "listen", "scan")),
    StageInfo("translate", per_lang=True, needs=("transcribe",)),
    StageInfo("narrate", per_lang=True, needs=("translate",)),
    # the captions on screen (titles, lower thirds) translated: render reads them
    StageInfo("captions", per_lang=True, needs=("scan", "transcribe")),
    StageInfo("render", per_lang=True, needs=("narrate", "captions"), runs_in="full"),
    StageInfo("sample", per_lang=True, needs=("narrate", "captions"), runs_in="sample",
              stands_for="render"),
    # narration.verify: the narration heard back, beside the render (both read narration.wav);
    # after render in the table, so the plan starts the render first
    StageInfo("hear", per_lang=True, needs=("narrate",)),
    # one task per video that reads every language's render: planned when all are in the run
    StageInfo("master", per_lang=False, needs=("render",), runs_in="full"),
)


def selectable(table: tuple[StageInfo, ...] = TABLE) -> list[str]:
    """The names `--only` and `executor.gpu_stages` accept."""
    return [s.name for s in table if s.stands_for is None]
