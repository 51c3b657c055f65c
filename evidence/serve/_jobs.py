"""Long work started from the page (seal, verify, render), one at a time, in a thread.

A job keeps its progress (stage, done, total) for the page to show while it runs, and
its result lines or its error when it ends. The work itself is the library's.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from evidence.errors import EvidenceError, LockError
from evidence.report import Finding

__all__ = ["Job", "JobRunner", "Outcome"]

JobState = Literal["running", "done", "failed"]


@dataclass
class Outcome:
    """What a job reports when it ends: lines to show, findings, files to download."""

    lines: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    ok: bool = True


@dataclass
class Job:
    """One run of a long operation."""

    id: int
    kind: str
    state: JobState = "running"
    stage: str = "starting"
    done: int = 0
    total: int = 0
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    outcome: Outcome | None = None
    error: str | None = None
    busy: bool = False

    def progress(self, stage: str, done: int, total: int, /) -> None:
        """The job's :class:`evidence.progress.Progress` callback: keeps the last call."""
        self.stage, self.done, self.total = stage, done, total

    @property
    def seconds(self) -> float:
        return (self.ended or time.monotonic()) - self.started


class JobRunner:
    """Runs one job at a time; refuses a second while one runs."""

    def __init__(self) -> None:
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._running: Job | None = None

    def get(self, job_id: int) -> Job | None:
        return self._jobs.get(job_id)

    def start(self, kind: str, work: Callable[[Job], Outcome]) -> Job:
        """Start ``work`` in a thread.

        Raises:
            LockError: a job started from the page is still running.
        """
        with self._lock:
            if self._running is not None and self._running.state == "running":
                raise LockError(
                    f"the page is already running {self._running.kind}",
                    hint="Wait for it to finish.",
                )
            job = Job(next(self._ids), kind)
            self._jobs[job.id] = job
            self._running = job
        thread = threading.Thread(
            target=self._run, args=(job, work), daemon=True, name=f"evidence-serve-{kind}"
        )
        thread.start()
        return job

    def wait(self, job: Job, timeout: float | None = None) -> None:
        """Block until ``job`` ends (for tests and the benchmark)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while job.state == "running" and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.02)

    @staticmethod
    def _run(job: Job, work: Callable[[Job], Outcome]) -> None:
        try:
            job.outcome = work(job)
            job.state = "done"
        except LockError as exc:
            job.busy = True
            job.error = f"the case is busy: {exc}"
            job.state = "failed"
        except EvidenceError as exc:
            job.error = f"{exc}" + (f" — {exc.diagnostics()}" if exc.diagnostics() else "")
            report = getattr(exc, "report", None)
            if report is not None:
                job.outcome = Outcome(findings=report.problems(), ok=False)
            job.state = "failed"
        except Exception as exc:  # shown on the page, never a traceback in the browser
            job.error = f"internal error: {type(exc).__name__}: {exc}"
            job.state = "failed"
        finally:
            job.ended = time.monotonic()
