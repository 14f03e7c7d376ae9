"""ProcessRunner: one executor process and one fresh kernel per job, on this host.

TRUSTED MODE ONLY. Student code runs as the grader's own user with the host's
network and files: use it for the instructor's reference solutions, the demo
and tests, never for real submissions (use `DockerRunner`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gpu_runner.job import Job, RunOutput, RunStatus, infra_error
from gpu_runner.runners.base import Runner, write_job_files

KILL_GRACE_S = 15.0
ENV_KEEP = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "PYTHONPATH")


def _executor_env(scratch: Path) -> dict[str, str]:
    env = {k: os.environ[k] for k in ENV_KEEP if k in os.environ}
    env.update(HOME=str(scratch), JUPYTER_PLATFORM_DIRS="1", PYTHONDONTWRITEBYTECODE="1")
    env["JUPYTER_RUNTIME_DIR"] = str(scratch / "runtime")
    env["JUPYTER_CONFIG_DIR"] = str(scratch / "config")
    env["JUPYTER_DATA_DIR"] = str(scratch / "data")
    return env


class ProcessRunner(Runner):
    """Runs the executor as a child process; no sandbox (see module docstring)."""

    name = "process"
    sandboxed = False

    def __init__(self, *, python: str = sys.executable, kill_grace_s: float = KILL_GRACE_S):
        self.python = python
        self.kill_grace_s = kill_grace_s

    def run(self, job: Job) -> RunOutput:
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="autograder-job-") as tmp:
            root = Path(tmp)
            (root / "job").mkdir()
            (root / "job" / "job.json").write_text(json.dumps(job.spec_dict()))
            write_job_files(job, root / "job" / "work")
            scratch = root / "scratch"
            scratch.mkdir()
            cmd = [
                self.python, "-m", "gpu_runner.executor",
                "--job", str(root / "job"),
                "--results", str(root / "results"),
                "--scratch", str(scratch),
            ]  # fmt: skip
            proc = subprocess.Popen(
                cmd,
                cwd=root,
                env=_executor_env(scratch),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
            killed = False
            try:
                _, stderr = proc.communicate(timeout=job.total_timeout_s + self.kill_grace_s)
            except subprocess.TimeoutExpired:
                killed = True
                _kill_group(proc.pid)
                _, stderr = proc.communicate()
            except BaseException:
                _kill_group(proc.pid)
                proc.wait()
                raise
            _kill_group(proc.pid)  # a kernel left behind by a crashed executor
            elapsed = round(time.monotonic() - started, 3)
            result = root / "results" / "result.json"
            if result.is_file():
                return RunOutput.from_json(result.read_text()).with_runner(self.name, elapsed)
            if killed:
                return RunOutput(
                    job_id=job.job_id,
                    status=RunStatus.TIMEOUT,
                    message=f"the job ran longer than {job.total_timeout_s:.0f} s and was stopped",
                    runner=self.name,
                    runtime_s=elapsed,
                )
            tail = stderr.decode("utf-8", "replace")[-2000:]
            return infra_error(job.job_id, f"executor exited {proc.returncode}: {tail}", self.name)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
