"""The Ray executor: each grading job is a Ray task on a node that has its resources.

The coordinator (this process) keeps the gradebook; a worker only builds the
same runner from its `RunnerRecipe`, runs the Job and returns the RunOutput as
JSON. Per job:

1. GPU capacity is checked first (fail fast): a job that needs a GPU the
   cluster does not have, and that no autoscaler can add, is an infrastructure
   error at once; an optional GPU falls back to the CPU with a note.
2. The task asks Ray for ``num_cpus``/``num_gpus`` (fractions pack several jobs
   on one GPU) and memory from the job's `Resources`. On its node it reports
   its start to a small `JobBoard` actor, passes ``ray.get_gpu_ids()`` to the
   runner as ``Job.gpu_ids`` and runs it; the runner enforces the job's
   timeout and removes its container in ``finally``.
3. A job no node takes within ``pending_timeout_s`` is cancelled and reported;
   a started job that outlives its own timeout plus ``kill_grace_s`` is
   cancelled (first gently, so the runner's ``finally`` runs, then by force).
4. A lost worker or node makes Ray run the task again (``max_retries``, system
   failures only); when retries run out the job is an ``infra_error``, never
   the student's fault.

The coordinator never unpickles what student code produced: the output comes
back as the runner's JSON text and is parsed by `RunOutput.from_json`.
"""

from __future__ import annotations

import math
import os
import socket
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

from gpu_runner.executors.network import require_loopback_only
from gpu_runner.executors.recipe import RunnerRecipe, recipe_of
from gpu_runner.job import Job, RunOutput, infra_error
from gpu_runner.runners import Runner, RunnerUnavailable

INSTALL_HINT = "install the Ray extra: pip install 'autograder[ray]'"


@dataclass(frozen=True)
class Placement:
    """Where one job ran: what the coordinator learns besides the output."""

    job_id: str
    node_id: str
    hostname: str
    pid: int
    gpu_ids: tuple[str, ...]
    attempt: int


@dataclass(frozen=True)
class RayOptions:
    """Settings of the Ray executor (course.toml ``[ray]``, all optional).

    ``address``: the cluster to join ("auto", "10.0.0.5:6379", "ray://...");
    None: ``RAY_ADDRESS`` if set, else a private single-node Ray on this machine.
    ``local_resources``: ``ray.init`` keywords for that private Ray (e.g.
    ``{"num_cpus": 8, "num_gpus": 2}``).
    """

    address: str | None = None
    namespace: str = "autograder"
    pending_timeout_s: float = 600.0
    max_retries: int = 2
    kill_grace_s: float = 60.0
    autoscaling: bool = False
    spread: bool = True
    reserve_memory: bool = True
    poll_s: float = 1.0
    local_resources: dict[str, Any] | None = None
    require_isolated_network: bool = False


class JobBoard:
    """Actor on the coordinator's node: which jobs have started, how often."""

    def __init__(self) -> None:
        self.starts: dict[str, int] = {}

    def started(self, job_id: str) -> int:
        self.starts[job_id] = self.starts.get(job_id, 0) + 1
        return self.starts[job_id]

    def attempts(self, job_id: str) -> int:
        return self.starts.get(job_id, 0)

    def forget(self, job_id: str) -> None:
        self.starts.pop(job_id, None)


HEAD_RESOURCE = "node:__internal_head__"


def _board_placement(ray: Any) -> dict[str, Any]:
    """The JobBoard lives on the head node (if that dies, the whole cluster has)."""
    if HEAD_RESOURCE in ray.cluster_resources():
        return {"num_cpus": 0, "resources": {HEAD_RESOURCE: 0.001}, "max_restarts": -1}
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    here = ray.get_runtime_context().get_node_id()
    return {
        "num_cpus": 0,
        "max_restarts": -1,
        "scheduling_strategy": NodeAffinitySchedulingStrategy(node_id=here, soft=True),
    }


# -- worker side -------------------------------------------------------------------

_WORKER_RUNNERS: dict[str, Runner] = {}
_WORKER_LOCK = threading.Lock()


def _worker_runner(recipe: RunnerRecipe) -> Runner:
    """One prepared runner per recipe per worker process (prepare is not free)."""
    with _WORKER_LOCK:
        runner = _WORKER_RUNNERS.get(recipe.key)
        if runner is None:
            runner = recipe.build()
            runner.prepare()
            _WORKER_RUNNERS[recipe.key] = runner
        return runner


def execute_job(recipe: RunnerRecipe, job: Job, board: Any) -> tuple[str, Placement]:
    """The Ray task body: run `job` here with the GPUs Ray gave this task."""
    import ray

    try:
        attempt = ray.get(board.started.remote(job.job_id), timeout=60)
    except Exception:  # the board is bookkeeping: never fail a job over it
        attempt = 0
    gpu_ids = tuple(str(g) for g in ray.get_gpu_ids())
    placement = Placement(
        job_id=job.job_id,
        node_id=ray.get_runtime_context().get_node_id(),
        hostname=socket.gethostname(),
        pid=os.getpid(),
        gpu_ids=gpu_ids,
        attempt=int(attempt),
    )
    try:
        runner = _worker_runner(recipe)
    except RunnerUnavailable as exc:
        return infra_error(
            job.job_id, f"on {placement.hostname}: {exc}", recipe.name
        ).to_json(), placement
    output = runner.run(replace(job, gpu_ids=gpu_ids))
    return output.to_json(), placement


# -- coordinator side --------------------------------------------------------------


class NoCapacity(RuntimeError):
    """The cluster cannot run the job and cannot grow to."""


class RayExecutor(Runner):
    """A `Runner` that runs each job as a Ray task (see the module docstring)."""

    def __init__(self, runner: Runner | RunnerRecipe, **options: Any) -> None:
        self.recipe = recipe_of(runner)
        self.options = RayOptions(**options)
        self.name = str(getattr(runner, "name", self.recipe.name))
        self.sandboxed = bool(getattr(runner, "sandboxed", False))
        self.placements: dict[str, Placement] = {}
        self._lock = threading.Lock()
        self._started_ray = False
        self._board: Any = None
        self._task: Any = None
        self._gpu_nodes: tuple[float, ...] | None = None
        self._gpu_nodes_at = 0.0

    # -- lifecycle -----------------------------------------------------------------

    def prepare(self) -> None:
        try:
            import ray
        except ImportError as exc:
            raise RunnerUnavailable(f"Ray is not installed: {INSTALL_HINT}") from exc
        with self._lock:
            if self._task is not None:
                return
            opts = self.options
            address = opts.address or os.environ.get("RAY_ADDRESS") or None
            if opts.require_isolated_network:
                require_loopback_only()
            if not ray.is_initialized():
                kwargs: dict[str, Any] = {
                    "namespace": opts.namespace,
                    "log_to_driver": False,
                    "configure_logging": False,
                }
                if address is None:  # a private Ray: advertise loopback only, no dashboard
                    kwargs.update(
                        include_dashboard=False,
                        _node_ip_address="127.0.0.1",
                        **(opts.local_resources or {}),
                    )
                try:
                    ray.init(address=address, **kwargs)
                except (ConnectionError, RuntimeError, ValueError) as exc:
                    where = address or "a new local instance"
                    raise RunnerUnavailable(f"cannot start or join Ray at {where}: {exc}") from exc
                self._started_ray = True
            self._board = ray.remote(JobBoard).options(**_board_placement(ray)).remote()
            self._task = ray.remote(execute_job)

    def close(self) -> None:
        with self._lock:
            if self._task is None:
                return
            import ray

            try:
                ray.kill(self._board)
            except Exception:  # closing must not fail a batch
                pass
            self._board = self._task = None
            if self._started_ray:
                ray.shutdown()
                self._started_ray = False

    # -- capacity --------------------------------------------------------------------

    def gpu_nodes(self, *, max_age_s: float = 10.0) -> tuple[float, ...]:
        """GPUs of each live node (cached for `max_age_s`)."""
        import ray

        now = time.monotonic()
        with self._lock:
            if self._gpu_nodes is None or now - self._gpu_nodes_at > max_age_s:
                self._gpu_nodes = tuple(
                    float(n.get("Resources", {}).get("GPU", 0.0))
                    for n in ray.nodes()
                    if n.get("Alive")
                )
                self._gpu_nodes_at = now
            return self._gpu_nodes

    def capacity(self, *, cpus: float = 1.0, gpus: float = 0.0) -> int:
        """How many jobs of this size the live cluster runs at once (>= 1)."""
        import ray

        total = 0
        for node in ray.nodes():
            if not node.get("Alive"):
                continue
            res = node.get("Resources", {})
            fits = math.floor(res.get("CPU", 0.0) / cpus + 1e-9) if cpus > 0 else 10**6
            if gpus > 0:
                fits = min(fits, math.floor(res.get("GPU", 0.0) / gpus + 1e-9))
            total += fits
        return max(1, total)

    def gpu_request(self, job: Job) -> tuple[float, str]:
        """GPUs to ask Ray for, and a note; `NoCapacity` when it can never run."""
        wanted = job.resources.gpus
        if wanted <= 0:
            return 0.0, ""
        largest = max(self.gpu_nodes(), default=0.0)
        if largest + 1e-9 >= wanted or self.options.autoscaling:
            return wanted, ""
        if job.resources.gpu_optional:
            return 0.0, "no GPU in the Ray cluster: ran on the CPU"
        raise NoCapacity(
            f"the job needs {wanted:g} GPU(s) but no node of the Ray cluster has that many "
            f"(largest: {largest:g}) and no autoscaler is configured ([ray] autoscaling); "
            "add a GPU node or allow the CPU (gpu_optional = true)"
        )

    # -- one job ---------------------------------------------------------------------

    def run(self, job: Job) -> RunOutput:
        started = time.monotonic()
        if self._task is None:
            self.prepare()
        try:
            gpus, note = self.gpu_request(job)
        except NoCapacity as exc:
            return infra_error(job.job_id, str(exc), self.name)
        res = job.resources
        options: dict[str, Any] = {
            "num_cpus": res.cpus,
            "num_gpus": gpus,
            "max_retries": self.options.max_retries,
            "retry_exceptions": False,
        }
        if self.options.reserve_memory:
            options["memory"] = res.memory_mb * 2**20
        if self.options.spread:
            options["scheduling_strategy"] = "SPREAD"
        ref = self._task.options(**options).remote(self.recipe, job, self._board)
        try:
            output = self._await(job, ref, gpus=gpus)
        finally:
            self._board.forget.remote(job.job_id)
        if note and not output.message:
            output = replace(output, message=note)
        if not output.runtime_s:
            output = output.with_runner(
                output.runner or self.name, round(time.monotonic() - started, 3)
            )
        return output

    def _await(self, job: Job, ref: Any, *, gpus: float) -> RunOutput:
        import ray
        from ray.exceptions import GetTimeoutError, RayError, RayTaskError, TaskCancelledError

        opts = self.options
        submitted = time.monotonic()
        attempt, attempt_seen = 0, submitted
        while True:
            ready, _ = ray.wait([ref], timeout=opts.poll_s)
            if ready:
                break
            now = time.monotonic()
            try:
                current = ray.get(self._board.attempts.remote(job.job_id), timeout=30)
            except RayError:  # bookkeeping lost (restarting): keep the last count
                current = attempt
            if current != attempt:
                attempt, attempt_seen = current, now
            if attempt == 0 and now - submitted > opts.pending_timeout_s:
                self._cancel(ref)
                return infra_error(
                    job.job_id,
                    f"no Ray node took the job within {opts.pending_timeout_s:g} s "
                    f"(it needs {job.resources.cpus:g} CPU, {gpus:g} GPU, "
                    f"{job.resources.memory_mb} MB; cluster: {self._describe()})",
                    self.name,
                )
            if attempt and now - attempt_seen > job.total_timeout_s + opts.kill_grace_s:
                self._cancel(ref)
                return infra_error(
                    job.job_id,
                    f"the job's Ray task did not finish within {job.total_timeout_s:g} s "
                    f"+ {opts.kill_grace_s:g} s grace and was cancelled",
                    self.name,
                )
        try:
            text, placement = ray.get(ref)
        except TaskCancelledError as exc:
            return infra_error(job.job_id, f"the job's Ray task was cancelled: {exc}", self.name)
        except RayTaskError as exc:  # the runner raised: our bug, never the student's
            return infra_error(
                job.job_id, f"the runner failed on a Ray worker: {exc}"[:2000], self.name
            )
        except (RayError, GetTimeoutError) as exc:  # worker/node lost after every retry
            return infra_error(
                job.job_id,
                f"the Ray worker or node running the job was lost "
                f"({1 + opts.max_retries} attempts): {type(exc).__name__}: {exc}"[:2000],
                self.name,
            )
        with self._lock:
            self.placements[job.job_id] = placement
        output = RunOutput.from_json(text)
        if output.job_id != job.job_id:
            return infra_error(job.job_id, "the Ray task returned another job's result", self.name)
        return output

    def _cancel(self, ref: Any) -> None:
        """Cancel gently (the runner's ``finally`` stops its container), then by force."""
        import ray

        try:
            ray.cancel(ref, force=False)
            ready, _ = ray.wait([ref], timeout=min(30.0, self.options.kill_grace_s))
            if not ready:
                ray.cancel(ref, force=True)
        except Exception:  # already finished or gone
            pass

    def _describe(self) -> str:
        import ray

        total = ray.cluster_resources()
        free = ray.available_resources()
        parts = [f"{k} {free.get(k, 0):g}/{total[k]:g} free" for k in ("CPU", "GPU") if k in total]
        alive = sum(1 for n in ray.nodes() if n.get("Alive"))
        return f"{alive} node(s), " + ", ".join(parts or ["no resources"])


__all__ = ["JobBoard", "NoCapacity", "Placement", "RayExecutor", "RayOptions", "execute_job"]
