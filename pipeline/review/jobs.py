"""Reruns started from the desk: one at a time, on a background thread of the server, with
their progress kept for the page to poll."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.review.errors import DeskBusy, NotFound
from pipeline.review.models import ProgressEvent
from pipeline.review.project import ReviewProject

log = logging.getLogger("pipeline.review")
KEEP_JOBS = 50


@dataclass
class RerunJob:
    id: str
    video: str
    lang: str
    state: str = "running"  # running | done | failed | refused
    message: str = ""
    events: list[ProgressEvent] = field(default_factory=list)
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def to_json(self, since: int = 0) -> dict[str, Any]:
        events = self.events[since:]
        return {"id": self.id, "video": self.video, "lang": self.lang, "state": self.state,
                "message": self.message, "next": since + len(events),
                "events": [asdict(e) for e in events],
                "seconds": round((self.finished or time.time()) - self.started, 1)}


class Jobs:
    def __init__(self, project: ReviewProject) -> None:
        self.project = project
        self._lock = threading.Lock()
        self._jobs: dict[str, RerunJob] = {}
        self._threads: dict[str, threading.Thread] = {}

    def running(self) -> RerunJob | None:
        with self._lock:
            return next((j for j in self._jobs.values() if j.state == "running"), None)

    def start(self, video: str, lang: str) -> RerunJob:
        with self._lock:
            current = next((j for j in self._jobs.values() if j.state == "running"), None)
            if current is not None:
                raise DeskBusy(f"a rerun of {current.video}/{current.lang} is running; this one "
                           "can start when it has finished")
            if self.project.busy():
                raise DeskBusy("the outputs folder is busy: a `pipeline run` is writing it; rerun "
                           "when it has finished")
            job = RerunJob(secrets.token_hex(8), video, lang)
            self._jobs[job.id] = job
            for old in list(self._jobs)[:-KEEP_JOBS]:
                self._jobs.pop(old, None)
                self._threads.pop(old, None)
            thread = threading.Thread(target=self._run, args=(job,), daemon=True,
                                      name=f"rerun {video}/{lang}")
            self._threads[job.id] = thread
        thread.start()
        return job

    def _run(self, job: RerunJob) -> None:
        try:
            result = self.project.rerun(job.video, job.lang, job.events.append)
            if result.failed:
                job.state = "failed"
                job.message = "; ".join(result.failed)
            else:
                job.state = "done"
                job.message = (f"ran {', '.join(result.ran)}" if result.ran
                               else "nothing to do: everything was up to date")
        except DeskBusy as e:
            job.state, job.message = "refused", str(e)
        except Exception as e:  # the server stays up; the page shows the cause
            log.exception("rerun of %s/%s failed", job.video, job.lang)
            job.state, job.message = "failed", f"{type(e).__name__}: {e}"
        finally:
            job.finished = time.time()

    def get(self, job_id: str) -> RerunJob:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"no rerun {job_id!r}")
        return job

    def wait(self, timeout: float | None = None) -> None:
        """Let a running rerun finish (the server's shutdown waits for it)."""
        with self._lock:
            threads = list(self._threads.values())
        for t in threads:
            t.join(timeout)
