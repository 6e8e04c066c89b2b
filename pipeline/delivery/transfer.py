"""`pipeline deliver --to REMOTE`: a package copied with rclone, checked by SHA-256."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError


@dataclass(frozen=True)
class Sent:
    source: Path
    remote: str
    files: int


def send(package: Path, remote: str) -> Sent:
    raise PipelineError("--to is not built yet")
