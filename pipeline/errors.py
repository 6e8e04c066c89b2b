"""One base exception; each subclass is a kind of failure a user can act on.

The message of every PipelineError is one line that names the file and the fix:
it is what the end-of-run summary prints for the failed item.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every error the pipeline reports as a cause, not a crash."""


class ConfigError(PipelineError):
    """pipeline.yaml or the command line is wrong: nothing runs (exit 2)."""


class MediaError(PipelineError):
    """A source file cannot be used (corrupt, no audio, unreadable)."""


class EngineError(PipelineError):
    """An engine, model or voice is missing or failed."""


class EditConflict(PipelineError):
    """A stage would overwrite a file an editor changed by hand."""
