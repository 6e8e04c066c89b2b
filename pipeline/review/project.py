"""The review desk's adapter: the ONE door from the desk to the pipeline's internals.

The web app (app.py, jobs.py) talks to a `ReviewProject` and receives the values of
models.py. The project keeps the workspace (re-read when the config changes, its video list
always fresh) and the lock that makes it thread-safe, and hands each job to its module:

- board.py: the table of every video x language (a memo keyed by stat stamps);
- lines.py: one version's page (stages, media, findings, terms, its lines, a hand edit
  whose source changed with the new translation beside it);
- writes.py: a line saved, a sign-off, an editor's choice on a conflict, and a rerun of one
  version through the pipeline's runner (`pipeline.runner.run`, as `pipeline run` does).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.config import load_config
from pipeline.delivery import approvals as ap
from pipeline.errors import PipelineError
from pipeline.review import writes
from pipeline.review.board import BoardView, inputs_key
from pipeline.review.errors import NotFound, ProjectError
from pipeline.review.lines import Proposals, version_view
from pipeline.review.models import Board, ProgressEvent, RerunResult, SavedLine, VersionView
from pipeline.review.shared import stamp
from pipeline.workspace import Workspace, discover

Which = writes.Which


class ReviewProject:
    """One project's outputs as the review desk sees them. Thread-safe."""

    def __init__(self, config_path: Path) -> None:
        from pipeline.orchestration.registry import default_registry

        self.config_path = config_path.resolve()
        self.registry = default_registry()
        self._lock = threading.RLock()
        self._approvals_lock = threading.Lock()
        self._ws: Workspace | None = None
        self._ws_stamp: Any = None
        self._inputs_key: Any = None
        self._board = BoardView(self.config_path, self.registry)
        self._proposals = Proposals(self.registry)
        self.workspace()  # a bad config fails here, before the server starts

    def workspace(self) -> Workspace:
        """The workspace, re-read when the config changed; the video list is always fresh."""
        with self._lock:
            config_stamp = stamp(self.config_path)
            if self._ws is None or config_stamp != self._ws_stamp:
                try:
                    ws = Workspace(load_config(self.config_path))
                except PipelineError as e:
                    if self._ws is None and self._ws_stamp is None:
                        raise  # at start: `pipeline review` stops with the config error
                    raise ProjectError(f"{e}; fix it and reload the page") from None
                self._ws = ws
                self._ws_stamp = config_stamp
                self._inputs_key = inputs_key(self._ws)
            else:
                key = inputs_key(self._ws)
                if key != self._inputs_key:
                    videos, warnings = discover(self._ws.project)
                    self._ws.videos, self._ws.warnings = videos, warnings
                    self._ws.by_name = {v.name: v for v in videos}
                    self._inputs_key = key
            return self._ws

    @property
    def out(self) -> Path:
        return self.workspace().out

    @property
    def languages(self) -> list[str]:
        return list(self.workspace().config.languages)

    def _checked(self, video: str, lang: str | None = None) -> Workspace:
        ws = self.workspace()
        if video not in ws.by_name:
            raise NotFound(f"no video {video!r} in this project")
        if lang is not None and lang not in ws.config.languages:
            raise NotFound(f"{lang!r} is not one of the project's languages")
        return ws

    # -- reading -------------------------------------------------------------------------

    def board(self) -> Board:
        ws = self.workspace()
        with self._lock:
            return self._board.board(ws)

    def version(self, video: str, lang: str) -> VersionView:
        ws = self._checked(video, lang)
        with self._lock:
            return version_view(ws, self.registry, self._proposals, video, lang)

    def history(self, video: str, lang: str) -> list[dict[str, Any]]:
        return writes.history(self.workspace(), video, lang)

    def busy(self) -> bool:
        """Whether a `pipeline run` (or a rerun from a desk) holds the outputs folder."""
        return writes.busy(self.workspace())

    # -- writing -------------------------------------------------------------------------

    def save_line(self, video: str, lang: str, which: Which, number: int, *,
                  start: str | None, end: str | None, text: str | None,
                  expected_sha: str) -> SavedLine:
        return writes.save_line(self._checked(video, lang), video, lang, which, number,
                                start=start, end=end, text=text, expected_sha=expected_sha)

    def approve(self, video: str, lang: str, decision: ap.Decision, reviewer: str, note: str,
                binding: str) -> ap.Assessment:
        return writes.approve(self._checked(video, lang), video, lang, decision, reviewer, note,
                              binding, self._approvals_lock)

    def resolve_conflict(self, video: str, lang: str, choices: dict[str, str],
                         token: str) -> None:
        writes.resolve_conflict(self._checked(video, lang), self.registry, self._proposals,
                                self._lock, video, lang, choices, token)

    def rerun(self, video: str, lang: str,
              progress: Callable[[ProgressEvent], None]) -> RerunResult:
        """One version brought up to date by the pipeline's runner (writes.rerun)."""
        ws = self._checked(video, lang)
        try:
            return writes.rerun(self.config_path, self.registry, ws.out, video, lang, progress)
        finally:
            with self._lock:
                self._ws = None  # the run updated the hash cache on disk: read it again
