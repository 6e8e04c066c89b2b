"""One base exception for the review desk; each subclass is a refusal a page can show.

Every message is one line a person can act on; the server turns each class into its HTTP
status (refused edit 422, stale page 409, busy folder 409, unknown item 404).
"""

from __future__ import annotations


class ReviewError(Exception):
    """Base of every refusal the review desk reports to the page."""


class EditRefused(ReviewError):
    """A line edit that would break the subtitle file; nothing was written."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason if line is None else f"line {line}: {reason}")
        self.reason = reason
        self.line = line


class StaleFile(ReviewError):
    """The file changed on disk since the page was loaded; nothing was written."""


class DeskBusy(ReviewError):
    """Another writer (a `pipeline run`, or a rerun from this desk) holds the outputs folder."""


class NotFound(ReviewError):
    """No such video, language, line or file."""


class UnreadableSubtitles(ReviewError):
    """A subtitle file this editor cannot change line by line (not the plain SRT layout)."""


class ProjectError(ReviewError):
    """The project cannot be read any more (pipeline.yaml became invalid while serving)."""
