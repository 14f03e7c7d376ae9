"""Where the clean evaluator runs: a fresh container, or a subprocess in trusted mode.

Both run the same `gpu_runner.evaluator` on the same request folder, so they
give the same results. An `Evaluator` never raises for a student's artifact;
faults of ours come back as ``EvalOutput.error`` (an infrastructure error).

Lifecycle: ``evaluate(request)`` per submission, from any thread; ``close()``
at the end. Requests with no task are answered without starting anything.
``expect(shape, jobs)`` (optional) says which kind of request a batch will send
and how many: `DockerEvaluator` then starts that many containers ahead of need
(at most ``warm`` at a time), with the framework imported and waiting for the
request: the import overlaps with the notebook's run instead of following it.
Each container still evaluates exactly one request and is removed after it.
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
from gpu_runner.evaluator_spec import EvaluatorShape
from gpu_runner.runners.base import safe_relpath
from gpu_runner.runners.warm_pool import WarmPool
from gpu_runner.zygote import Zygote, kill, read_line, send_json

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

    def expect(  # noqa: B027 - optional hook
        self, *, memory_mb: int, cpus: float, kinds: tuple[str, ...], jobs: int | None
    ) -> None:
        """`jobs` requests with models of `kinds` will come (None: unknown); default: no plan."""

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

    In a batch (``expect()`` was called), each request gets a fresh child forked
    from a preloaded server (`gpu_runner.zygote`) that ``expect()`` starts, so the
    framework is imported once per batch, not once per submission. A request that
    finds the server not listening yet (or gone) runs ``python -m
    gpu_runner.evaluator`` from scratch, as do all requests without ``expect()``
    (one submission: a server would not pay off) or with ``forking=False``.
    """

    name = "process-evaluator"

    def __init__(self, *, python: str = sys.executable, forking: bool = True) -> None:
        self.python = python
        self.zygote = Zygote("evaluator", python=python, env=_env(None)) if forking else None

    def expect(
        self, *, memory_mb: int, cpus: float, kinds: tuple[str, ...], jobs: int | None
    ) -> None:
        """Start the server now: it imports `kinds` while the notebooks run."""
        if self.zygote is not None and kinds:
            self.zygote.preload = tuple(sorted(set(kinds)))
            self.zygote.start()

    def _evaluate(self, request: EvalRequest) -> EvalOutput:
        with tempfile.TemporaryDirectory(prefix="autograder-eval-") as tmp:
            root = Path(tmp)
            _write_request(request, root / "request")
            path = self.zygote.socket() if self.zygote is not None else None
            output = self._run_forked(request, root, path) if path is not None else None
            return output if output is not None else self._run_once(request, root)

    def _run_forked(self, request: EvalRequest, root: Path, path: str) -> EvalOutput | None:
        """The request in a forked child; None when the server is gone (run it one-shot)."""
        message = {
            "request": str(root / "request"),
            "results": str(root / "results"),
            "home": str(root),
            "preload": sorted({task.kind for task in request.tasks}),
        }
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(request.timeout_s + KILL_GRACE_S)
            try:
                conn.connect(path)
                send_json(conn, message)
                pid = int(json.loads(read_line(conn) or b"{}").get("pid", 0))
            except (OSError, ValueError):  # the server died: a new one starts next time
                return None
            if pid <= 0:
                return None
            try:
                done = read_line(conn) == b'{"done": true}'
            except TimeoutError:
                kill(pid)
                return failed_output(
                    request, f"the evaluator ran longer than {request.timeout_s} s"
                )
            except (OSError, ValueError) as exc:
                return failed_output(request, f"evaluator child: {type(exc).__name__}: {exc}")
        result = root / "results" / "result.json"
        if not done or not result.is_file():
            return failed_output(request, "the evaluator's child ended without a result")
        return EvalOutput.from_json(result.read_bytes())

    def _run_once(self, request: EvalRequest, root: Path) -> EvalOutput:
        cmd = [self.python, "-m", "gpu_runner.evaluator"]
        cmd += ["--request", str(root / "request"), "--results", str(root / "results")]
        try:
            proc = subprocess.run(
                cmd,
                cwd=root,
                env=_env(root),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=request.timeout_s + KILL_GRACE_S,
            )
        except subprocess.TimeoutExpired:
            return failed_output(request, f"the evaluator ran longer than {request.timeout_s} s")
        result = root / "results" / "result.json"
        if not result.is_file():
            tail = proc.stderr.decode("utf-8", "replace")[-1500:]
            return failed_output(request, f"evaluator exited {proc.returncode}: {tail}")
        return EvalOutput.from_json(result.read_bytes())

    def close(self) -> None:
        if self.zygote is not None:
            self.zygote.close()


def _env(home: Path | None) -> dict[str, str]:
    env = {k: os.environ[k] for k in ENV_KEEP if k in os.environ}
    env.update(TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0")
    if home is not None:
        env["HOME"] = str(home)
    return env


def request_archive(request: EvalRequest, *, uid: int, ready: bool = False) -> bytes:
    """The /eval volume: request/ root-owned and read-only, results/ the evaluator's.

    `ready`: end with the marker a waiting evaluator looks for (the last member)."""
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
        if ready:
            from gpu_runner.evaluator import READY_MARKER

            add(READY_MARKER, b"")
    return buf.getvalue()


def evaluator_skeleton(*, uid: int) -> bytes:
    """The /eval volume of a container started before its request: the two folders."""
    now = int(time.time())
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, mode, owner in (("request", 0o555, 0), ("results", 0o700, uid)):
            info = tarfile.TarInfo(f"./{name}")
            info.type, info.mode, info.mtime, info.uid, info.gid = (
                tarfile.DIRTYPE, mode, now, owner, owner,
            )  # fmt: skip
            tar.addfile(info)
    return buf.getvalue()


class DockerEvaluator(Evaluator):
    """A fresh, locked-down container per request (see `gpu_runner.evaluator_spec`).

    ``warm``: how many containers of an expected shape are kept started ahead
    (0: each request starts its own when it comes)."""

    name = "docker-evaluator"
    isolated = True

    def __init__(
        self, *, image: str, client: Any = None, python: str | None = None, warm: int = 2
    ) -> None:
        from gpu_runner.runners.containers import proc_start_ticks
        from gpu_runner.spec import PYTHON

        self.image = image
        self.python = python or PYTHON
        self._client = client
        self.hostname = socket.gethostname()
        self.owner = f"{self.hostname}:{os.getpid()}"
        self.owner_start = proc_start_ticks(os.getpid())
        self._cleaned = False
        self._expected: list[EvaluatorShape] = []
        self.warm = warm
        self.pool: WarmPool[EvaluatorShape, Any] = WarmPool(
            start=self._start_ahead,
            discard=self._remove,
            limit=lambda shape: 2 * max(warm, 1),
            idle=max(warm, 0),
            name="evaluator-warm",
        )

    def cleanup_leftovers(self) -> list[str]:
        """Remove evaluator containers whose owner process is gone (a killed coordinator)."""
        from gpu_runner.runners.containers import owner_alive
        from gpu_runner.spec import OWNER_LABEL, OWNER_START_LABEL, RUNNER_LABEL

        removed = []
        for container in self.client.containers.list(
            all=True, filters={"label": f"{RUNNER_LABEL}=evaluator"}
        ):
            labels = container.labels or {}
            owner, start = labels.get(OWNER_LABEL, ""), labels.get(OWNER_START_LABEL, "")
            if not owner_alive(owner, start, self.hostname):
                container.remove(force=True, v=True)
                removed.append(container.id)
        return removed

    @property
    def client(self) -> Any:
        if self._client is None:
            from docker import from_env  # type: ignore[attr-defined]

            self._client = from_env()
        return self._client

    def _clean_once(self) -> None:
        if not self._cleaned:
            self._cleaned = True
            self.cleanup_leftovers()

    def expect(
        self, *, memory_mb: int, cpus: float, kinds: tuple[str, ...], jobs: int | None
    ) -> None:
        if self.warm <= 0 or not kinds:
            return
        shape = EvaluatorShape(self.image, memory_mb, cpus, tuple(sorted(set(kinds))))
        self._clean_once()
        self._expected.append(shape)
        self.pool.expect(jobs)
        self.pool.want(shape)

    def shape_of(self, request: EvalRequest) -> EvaluatorShape:
        """The expected shape that serves `request` (its kinds preloaded), else its own."""
        own = EvaluatorShape.of(request, image=self.image)
        for shape in self._expected:
            if (shape.image, shape.memory_mb, shape.cpus) == (
                own.image,
                own.memory_mb,
                own.cpus,
            ) and set(own.preload) <= set(shape.preload):
                return shape
        return own

    def _start(self, shape: EvaluatorShape) -> Any:
        """Create and start a container that preloads and waits for its request."""
        import uuid

        from gpu_runner.evaluator_spec import EVALUATOR_UID, evaluator_shape_spec
        from gpu_runner.runners.containers import create_kwargs

        spec = evaluator_shape_spec(
            shape,
            slot=f"eval-{uuid.uuid4().hex[:16]}",
            owner=self.owner,
            owner_start=self.owner_start,
            python=self.python,
            wait=True,
        )
        container = self.client.containers.create(**create_kwargs(spec))
        try:
            if not container.put_archive(spec.volume, evaluator_skeleton(uid=EVALUATOR_UID)):
                raise RuntimeError("put_archive refused the evaluator's folders")
            container.start()
        except BaseException:
            self._remove(container)
            raise
        return container

    def _start_ahead(self, shape: EvaluatorShape) -> Any:
        return self._start(shape)

    def _remove(self, container: Any) -> None:
        try:
            container.remove(force=True, v=True)
        except Exception:  # removal must not hide a result
            pass

    def _evaluate(self, request: EvalRequest) -> EvalOutput:
        from docker.errors import NotFound  # type: ignore[import-not-found]

        from gpu_runner.evaluator_spec import EVAL_DIR, EVALUATOR_UID
        from gpu_runner.runners.containers import read_tar_file

        self._clean_once()
        shape = self.shape_of(request)
        timings: dict[str, float] = {}
        started = time.monotonic()
        container = self.pool.take(shape) if self.warm > 0 else None
        timings["warm"] = 1.0 if container is not None else 0.0
        try:
            if container is None:
                container = self._start(shape)
            archive = request_archive(request, uid=EVALUATOR_UID, ready=True)
            if not container.put_archive(EVAL_DIR, archive):
                return failed_output(request, "put_archive refused the request")
            timings["container_start"] = round(time.monotonic() - started, 3)
            try:
                container.wait(timeout=request.timeout_s + KILL_GRACE_S)
            except Exception:  # requests' ReadTimeout: our limit
                container.kill()
                return failed_output(
                    request, f"the evaluator ran longer than {request.timeout_s} s"
                )
            try:
                bits, _ = container.get_archive(f"{EVAL_DIR}/results/result.json")
                raw = read_tar_file(bits, RESULT_LIMIT_BYTES)
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
            used = container
            self.pool.done(shape, None if used is None else (lambda: self._remove(used)))
        timings["container_total"] = round(time.monotonic() - started, 3)
        return EvalOutput(
            output.request_id, output.results, output.error, {**output.seconds, **timings}
        )

    def close(self) -> None:
        self.pool.close()
        if self._client is not None:
            try:
                self._client.close()
            except Exception:
                pass
            self._client = None


__all__ = [
    "DockerEvaluator",
    "Evaluator",
    "ProcessEvaluator",
    "evaluator_skeleton",
    "request_archive",
]
