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




class SubtitleFileError(MediaError):
    """A subtitle file is not valid SRT as written: every problem, each with its line number.

    `problems` holds (line, what is wrong) pairs (line 0: the file as a whole); the message is
    one line naming the file, the first few problems and how many more there are.
    """

    SHOWN = 5

    def __init__(self, path: object, problems: list[tuple[int, str]]) -> None:
        self.path = path
        self.problems = tuple(problems)
        parts = [f"line {line}: {what}" if line else what for line, what in problems[: self.SHOWN]]
        if len(problems) > self.SHOWN:
            parts.append(f"and {len(problems) - self.SHOWN} more")
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"{path}: {count}: {'; '.join(parts)}; fix it in a subtitle editor "
                         "and run again (the file is left as you saved it)")
