"""Where the clean evaluator runs: a fresh container, or a subprocess in trusted mode.

Both run the same `gpu_runner.evaluator` on the same request folder, so they
give the same results. An `Evaluator` never raises for a student's artifact;
faults of ours come back as ``EvalOutput.error`` (an infrastructure error).

Lifecycle: ``evaluate(request)`` per submission, from any thread; ``close()``
at the end. Requests with no task are answered without starting anything.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from gpu_runner.evaluation import EvalOutput, EvalRequest, failed_output
from gpu_runner.runners.base import safe_relpath

KILL_GRACE_S = 30.0
RESULT_LIMIT_BYTES = 256 * 2**20
ENV_KEEP = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "PYTHONPATH")


class Evaluator(ABC):
    name = "evaluator"
    #: True when the evaluator runs apart from the host (a container)
    isolated = False

    def evaluate(self, request: EvalRequest) -> EvalOutput:
        if not request.tasks:
            return EvalOutput(request.request_id)
        started = time.monotonic()
        try:
            output = self._evaluate(request)
        except Exception as exc:  # an evaluator fault is ours, never the student's
            return failed_output(request, f"{self.name}: {type(exc).__name__}: {exc}")
        seconds = {**output.seconds, "wall": round(time.monotonic() - started, 3)}
        return EvalOutput(output.request_id, output.results, output.error, seconds)

    @abstractmethod
    def _evaluate(self, request: EvalRequest) -> EvalOutput: ...

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources; default: nothing."""


def _write_request(request: EvalRequest, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "request.json").write_text(json.dumps(request.spec_dict()))
    for name, data in request.files.items():
        target = folder / safe_relpath(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


class ProcessEvaluator(Evaluator):
    """TRUSTED MODE: the evaluator in a child process on this host (instructor checks, tests).

    The artifact still loads code-free (safe_mode, skops allow-list), but a loader
    exploit would run as the grader's user: real submissions use `DockerEvaluator`.
    """

    name = "process-evaluator"

    def __init__(self, *, python: str = sys.executable) -> None:
        self.python = python

    def _evaluate(self, request: EvalRequest) -> EvalOutput:
        with tempfile.TemporaryDirectory(prefix="autograder-eval-") as tmp:
            root = Path(tmp)
            _write_request(request, root / "request")
            env = {k: os.environ[k] for k in ENV_KEEP if k in os.environ}
            env.update(HOME=str(root), TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0")
            cmd = [self.python, "-m", "gpu_runner.evaluator"]
            cmd += ["--request", str(root / "request"), "--results", str(root / "results")]
            try:
                proc = subprocess.run(
                    cmd,
                    cwd=root,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    timeout=request.timeout_s + KILL_GRACE_S,
                )
            except subprocess.TimeoutExpired:
                return failed_output(
                    request, f"the evaluator ran longer than {request.timeout_s} s"
                )
            result = root / "results" / "result.json"
            if not result.is_file():
                tail = proc.stderr.decode("utf-8", "replace")[-1500:]
                return failed_output(request, f"evaluator exited {proc.returncode}: {tail}")
            return EvalOutput.from_json(result.read_bytes())


def request_archive(request: EvalRequest, *, uid: int) -> bytes:
    """The /eval volume: request/ root-owned and read-only, results/ the evaluator's."""
    now = int(time.time())
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:

        def folder(name: str, mode: int, owner: int) -> None:
            info = tarfile.TarInfo(f"./{name}")
            info.type, info.mode, info.mtime, info.uid, info.gid = (
                tarfile.DIRTYPE, mode, now, owner, owner,
            )  # fmt: skip
            tar.addfile(info)

        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(f"./request/{name}")
            info.size, info.mode, info.mtime = len(data), 0o444, now
            tar.addfile(info, io.BytesIO(data))

        folder("request", 0o555, 0)
        folder("results", 0o700, uid)
        add("request.json", json.dumps(request.spec_dict()).encode())
        for name, data in sorted(request.files.items()):
            add(str(safe_relpath(name)), data)
    return buf.getvalue()


class DockerEvaluator(Evaluator):
    """A fresh, locked-down container per request (see `gpu_runner.evaluator_spec`)."""

    name = "docker-evaluator"
    isolated = True

    def __init__(self, *, image: str, client: Any = None, python: str | None = None) -> None:
        from gpu_runner.spec import PYTHON

        self.image = image
        self.python = python or PYTHON
        self._client = client
        self.hostname = socket.gethostname()
        self.owner = f"{self.hostname}:{os.getpid()}"
        self._cleaned = False

    def cleanup_leftovers(self) -> list[str]:
        """Remove evaluator containers whose owner process is gone (a killed coordinator)."""
        from gpu_runner.runners.docker import _owner_alive
        from gpu_runner.spec import OWNER_LABEL, OWNER_START_LABEL, RUNNER_LABEL

        removed = []
        for container in self.client.containers.list(
            all=True, filters={"label": f"{RUNNER_LABEL}=evaluator"}
        ):
            labels = container.labels or {}
            owner, start = labels.get(OWNER_LABEL, ""), labels.get(OWNER_START_LABEL, "")
            if not _owner_alive(owner, start, self.hostname):
                container.remove(force=True, v=True)
                removed.append(container.id)
        return removed

    @property
    def client(self) -> Any:
        if self._client is None:
            from docker import from_env  # type: ignore[attr-defined]

            self._client = from_env()
        return self._client

    def _evaluate(self, request: EvalRequest) -> EvalOutput:
        from docker.errors import NotFound  # type: ignore[import-not-found]

        from gpu_runner.evaluator_spec import EVALUATOR_UID, evaluator_spec
        from gpu_runner.runners.docker import _proc_start_ticks, _read_tar_file, create_kwargs

        spec = evaluator_spec(
            request,
            image=self.image,
            owner=self.owner,
            owner_start=_proc_start_ticks(os.getpid()),
            python=self.python,
        )
        if not self._cleaned:
            self._cleaned = True
            self.cleanup_leftovers()
        timings: dict[str, float] = {}
        started = time.monotonic()
        container = self.client.containers.create(**create_kwargs(spec))
        try:
            if not container.put_archive(spec.volume, request_archive(request, uid=EVALUATOR_UID)):
                return failed_output(request, "put_archive refused the request")
            container.start()
            timings["container_start"] = round(time.monotonic() - started, 3)
            try:
                container.wait(timeout=request.timeout_s + KILL_GRACE_S)
            except Exception:  # requests' ReadTimeout: our limit
                container.kill()
                return failed_output(
                    request, f"the evaluator ran longer than {request.timeout_s} s"
                )
            try:
                bits, _ = container.get_archive(f"{spec.volume}/results/result.json")
                raw = _read_tar_file(bits, RESULT_LIMIT_BYTES)
            except NotFound:
                container.reload()
                state = container.attrs.get("State", {})
                tail = container.logs(tail=30).decode("utf-8", "replace")[-1500:]
                return failed_output(
                    request,
                    f"evaluator exited {state.get('ExitCode')} (oom={state.get('OOMKilled')}): "
                    + tail,
                )
            output = EvalOutput.from_json(raw)
        finally:
            try:
                container.remove(force=True, v=True)
            except Exception:  # removal must not hide the result
                pass
        timings["container_total"] = round(time.monotonic() - started, 3)
        return EvalOutput(
            output.request_id, output.results, output.error, {**output.seconds, **timings}
        )

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except Exception:
                pass
            self._client = None


__all__ = ["DockerEvaluator", "Evaluator", "ProcessEvaluator", "request_archive"]
