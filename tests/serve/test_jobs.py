"""Long work from the page: one job at a time, progress while it runs, errors shown."""

from __future__ import annotations

import threading

import pytest

from evidence.errors import InputError, LockError
from evidence.serve._jobs import Job, JobRunner, Outcome


def test_one_job_at_a_time_with_progress_then_its_outcome() -> None:
    runner = JobRunner()
    release = threading.Event()

    def work(job: Job) -> Outcome:
        job.progress("sealing", 3, 10)
        release.wait(10)
        return Outcome(["sealed"])

    job = runner.start("seal", work)
    while job.done != 3:
        threading.Event().wait(0.01)
    assert (job.state, job.stage, job.total) == ("running", "sealing", 10)
    with pytest.raises(LockError, match="already running seal"):
        runner.start("verify", work)
    release.set()
    runner.wait(job, timeout=10)
    assert job.state == "done"
    assert job.outcome is not None
    assert job.outcome.lines == ["sealed"]


@pytest.mark.parametrize(
    ("error", "busy"),
    [
        (LockError("another evidence process is writing to this case"), True),
        (InputError("claims/SRC-0001.yaml: quote not found"), False),
    ],
)
def test_a_failed_job_says_why(error: Exception, busy: bool) -> None:
    runner = JobRunner()

    def work(job: Job) -> Outcome:
        raise error

    job = runner.start("seal", work)
    runner.wait(job, timeout=10)
    assert job.state == "failed"
    assert job.busy is busy
    assert job.error is not None
    assert str(error) in job.error
