"""The end of one job in its container: wait (killing it at the wall clock), read what happened.

The executor's result.json wins when there is one; otherwise a wall-clock kill
is a TIMEOUT, an OOM kill is MEMORY, and anything else is an ``infra_error``
(ours, never the student's).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

import requests
from docker.errors import DockerException, NotFound  # type: ignore[import-not-found]

from gpu_runner.job import Job, RunOutput, RunStatus, infra_error
from gpu_runner.runners.containers import read_tar_file
from gpu_runner.spec import RESULTS_DIR

log = logging.getLogger(__name__)

RESULT_LIMIT_BYTES = 512 * 2**20


def wait_or_kill(container: Any, limit: float) -> bool:
    """Wait for the container to exit; kill it at `limit` seconds. True if killed."""
    deadline = time.monotonic() + limit
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            container.wait(timeout=max(1.0, remaining))
            return False
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
            if deadline - time.monotonic() > 1.0:
                raise  # not our timeout: the daemon went away
    try:
        container.kill()
    except NotFound:
        pass
    except DockerException as exc:  # already exited between wait and kill
        log.debug("kill after timeout: %s", exc)
    container.wait(timeout=60)
    return True


def read_outcome(
    job: Job, container: Any, state: dict, *, timed_out: bool, runner: str
) -> RunOutput:
    """What the exited container's job came to (`state`: the container's ``State``)."""
    oom = bool(state.get("OOMKilled"))
    memory = f"memory limit exceeded ({job.resources.memory_mb} MB): the sandbox was killed"
    try:
        bits, stat = container.get_archive(f"{RESULTS_DIR}/result.json")
        if int(stat.get("size", 0)) > RESULT_LIMIT_BYTES:
            return infra_error(job.job_id, "the executor's result is too large", runner)
        raw = read_tar_file(bits, RESULT_LIMIT_BYTES)
    except NotFound:
        raw = None
    if raw is not None:
        output = RunOutput.from_json(raw)
        if output.job_id != job.job_id:
            return infra_error(job.job_id, "the result belongs to another job", runner)
        if oom and output.status in (RunStatus.KERNEL_DIED, RunStatus.MEMORY):
            output = replace(output, status=RunStatus.MEMORY, message=memory)
        return output
    if timed_out:
        return RunOutput(
            job_id=job.job_id,
            status=RunStatus.TIMEOUT,
            message=f"the job ran longer than {job.total_timeout_s:.0f} s and was stopped",
        )
    if oom:
        return RunOutput(job_id=job.job_id, status=RunStatus.MEMORY, message=memory)
    try:
        tail = container.logs(tail=40).decode("utf-8", "replace")[-2000:]
    except DockerException:
        tail = ""
    return infra_error(
        job.job_id,
        f"the executor exited {state.get('ExitCode')} without a result: {tail}",
        runner,
    )


__all__ = ["RESULT_LIMIT_BYTES", "read_outcome", "wait_or_kill"]
