"""ProcessRunner: one executor process and one fresh kernel per job, on this host.

TRUSTED MODE ONLY. Student code runs as the grader's own user with the host's
network and files: use it for the instructor's reference solutions, the demo
and tests, never for real submissions (use `DockerRunner`).

Each job still gets a process of its own, forked from a fork server
(`gpu_runner.runners.forkserver`) that imported the executor once per runner:
the ~0.5 CPU-second import of nbclient/jupyter_client/nbformat is paid once,
not per job. The forked child starts a new session, takes the same clean
environment a subprocess gets, runs one job and exits; kernels are never
reused. With another interpreter (``python=``), ``fork_server=False`` or a
fork server that died, the runner starts ``python -m gpu_runner.executor``.

The kernels are forked the same way (``fork_kernels``), from a kernel server
(`gpu_runner.zygote`, role ``kernel``) that imported ipykernel and the
notebooks' libraries once per runner; still one fresh kernel per notebook. The
server starts with the first job, whose kernels start plainly until it listens.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from gpu_runner.job import Job, RunOutput, RunStatus, infra_error
from gpu_runner.runners.base import Runner, write_job_files
from gpu_runner.runners.forkserver import ForkServer, ForkServerError
from gpu_runner.zygote import KERNEL_ENV, Zygote

KILL_GRACE_S = 15.0
ENV_KEEP = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "PYTHONPATH", "KERAS_BACKEND")


def _executor_env(scratch: Path) -> dict[str, str]:
    env = {k: os.environ[k] for k in ENV_KEEP if k in os.environ}
    env.update(HOME=str(scratch), JUPYTER_PLATFORM_DIRS="1", PYTHONDONTWRITEBYTECODE="1")
    env["TMPDIR"] = str(scratch.parent / "tmp")  # removed with the job (the test process's HOME)
    env["JUPYTER_RUNTIME_DIR"] = str(scratch / "runtime")
    env["JUPYTER_CONFIG_DIR"] = str(scratch / "config")
    env["JUPYTER_DATA_DIR"] = str(scratch / "data")
    return env


class ProcessRunner(Runner):
    """Runs the executor as a child process; no sandbox (see module docstring)."""

    name = "process"
    sandboxed = False

    def __init__(
        self,
        *,
        python: str = sys.executable,
        kill_grace_s: float = KILL_GRACE_S,
        fork_server: bool = True,
        fork_kernels: bool = True,
    ):
        self.python = python
        self.kill_grace_s = kill_grace_s
        self.fork_server = fork_server and python == sys.executable and hasattr(os, "fork")
        self._server: ForkServer | None = None
        self._server_lock = threading.Lock()
        forking = fork_kernels and self.fork_server
        self.kernels = (
            Zygote("kernel", python=python, env=_kernel_server_env()) if forking else None
        )

    def close(self) -> None:
        with self._server_lock:
            server, self._server = self._server, None
        if server is not None:
            server.close()
        if self.kernels is not None:
            self.kernels.close()

    def _kernel_args(self) -> list[str]:
        """``--kernel-zygote SOCKET`` once the kernel server listens (started here)."""
        if self.kernels is None:
            return []
        self.kernels.start()
        path = self.kernels.socket()
        return ["--kernel-zygote", path] if path else []

    def _get_server(self) -> ForkServer | None:
        with self._server_lock:
            if self._server is None or not self._server.alive:
                try:
                    self._server = ForkServer(python=self.python)
                except OSError:
                    self.fork_server = False
                    return None
            return self._server

    def run(self, job: Job) -> RunOutput:
        server = self._get_server() if self.fork_server else None
        if server is not None:
            try:
                return self._run_forked(job, server)
            except ForkServerError:
                pass  # fall back to a plain subprocess for this job
        return self._run_subprocess(job)

    def _run_forked(self, job: Job, server: ForkServer) -> RunOutput:
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="autograder-job-") as tmp:
            root = Path(tmp)
            scratch, argv = _lay_out(job, root)
            stderr_path = root / "executor.stderr"
            child = server.start(
                argv=[*argv, *self._kernel_args()],
                cwd=str(root),
                env=_executor_env(scratch),
                stderr=str(stderr_path),
            )
            killed = False
            try:
                if not child.exited.wait(job.total_timeout_s + self.kill_grace_s):
                    killed = True
                    _kill_group(child.pid)
                    child.exited.wait(60)
            except BaseException:
                _kill_group(child.pid)
                raise
            finally:
                server.forget(child)
            _kill_group(child.pid)  # a kernel left behind by a crashed executor
            stderr = stderr_path.read_bytes() if stderr_path.is_file() else b""
            return self._outcome(job, root, started, killed, proc_exit=child.exit, stderr=stderr)

    def _run_subprocess(self, job: Job) -> RunOutput:
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="autograder-job-") as tmp:
            root = Path(tmp)
            scratch, argv = _lay_out(job, root)
            cmd = [self.python, "-m", "gpu_runner.executor", *argv]
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
            return self._outcome(
                job, root, started, killed, proc_exit=proc.returncode, stderr=stderr
            )

    def _outcome(
        self,
        job: Job,
        root: Path,
        started: float,
        killed: bool,
        *,
        proc_exit: int | None,
        stderr: bytes,
    ) -> RunOutput:
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
        return infra_error(job.job_id, f"executor exited {proc_exit}: {tail}", self.name)


def _kernel_server_env() -> dict[str, str]:
    """What the kernel server runs in: what every kernel gets, whatever its job."""
    return {**{k: os.environ[k] for k in ENV_KEEP if k in os.environ}, **KERNEL_ENV}


def _lay_out(job: Job, root: Path) -> tuple[Path, list[str]]:
    """The job folder (job.json + work/) and scratch under `root`; the executor's argv."""
    (root / "job").mkdir()
    (root / "job" / "job.json").write_text(json.dumps(job.spec_dict()))
    write_job_files(job, root / "job" / "work", root / "job" / "private")
    scratch = root / "scratch"
    scratch.mkdir()
    (root / "tmp").mkdir()
    argv = ["--job", str(root / "job"), "--results", str(root / "results")]
    return scratch, [*argv, "--scratch", str(scratch)]


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
