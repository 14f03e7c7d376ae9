"""DockerRunner: one fresh, locked-down container per job, through the docker SDK.

Containers are started ahead of need (`gpu_runner.runners.warm_pool`): while
jobs run, a background thread creates and starts the next ones with the
executor in wait-for-job mode (`gpu_runner.warm`: imports done, kernel and
test process booted); a job then only copies its files in. Each container
still runs exactly one job and is removed after it, never reused; how many
exist at once is capped by memory, cores and GPUs (`warm_limit`).

The job's files go in with ``put_archive`` and the result comes out with
``get_archive`` (no bind mounts), so the daemon may be remote (``DOCKER_HOST``).
What the container is allowed to do is decided by `gpu_runner.spec`; this
module holds the runner's lifecycle (prepare, the warm pool, one job from lease
to removal). Apart: the daemon side (`docker_daemon`: connect, image checks,
listing and removing containers; `prepare` removes the leftovers of an owner
that died, a coordinator killed with SIGKILL), what crosses into a container
(`containers`), and the end of a job (`docker_outcome`: the wall clock, the
outcome). Every container is labelled with its job and its owner process and
removed (with its volume) whatever happens.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass, replace
from typing import Any

import requests
from docker import DockerClient  # type: ignore[attr-defined]

# docker: the SDK. (The repo's docker/ folder looks like a namespace package to ruff and
# mypy run from the repo root, hence the ignores; at runtime the installed SDK wins.)
from docker.errors import (  # type: ignore[import-not-found]
    DockerException,
)

from gpu_runner.gpus import GpuLease, GpuRequestError, GpuSlots, detect_gpus, parse_devices
from gpu_runner.job import Job, Resources, RunOutput, infra_error
from gpu_runner.runners.base import Runner, RunnerUnavailable
from gpu_runner.runners.containers import (
    create_kwargs,
    job_archive,
    owner_alive,
    owner_host,
    proc_start_ticks,
    read_tar_file,
    skeleton_archive,
)
from gpu_runner.runners.docker_daemon import (
    DEFAULT_IMAGE,
    connect,
    image_problem,
    list_containers,
    remove_container,
    remove_leftovers,
)
from gpu_runner.runners.docker_outcome import read_outcome, wait_or_kill
from gpu_runner.runners.warm_pool import WarmPool, machine_limits, warm_limit
from gpu_runner.spec import (
    JOB_DIR,
    JOB_LABEL,
    PYTHON,
    ContainerSpec,
    SandboxShape,
    container_spec,
    sandbox_spec,
)

log = logging.getLogger(__name__)

KILL_GRACE_S = 30.0


@dataclass(frozen=True)
class WarmKey:
    """Which jobs a started container fits: the same image and resources."""

    image: str
    resources: Resources


@dataclass
class Sandbox:
    """A started container waiting for (or running) its one job."""

    container: Any
    spec: ContainerSpec
    lease: GpuLease
    started_at: float


class DockerRunner(Runner):
    """Runs each job in a fresh sandbox container (see module docstring).

    Options (keyword-only, also reachable as ``get_runner("docker", **options)``):
    ``image`` overrides every job's image; ``default_image`` is for jobs that
    name none and is the one `prepare` checks (default autograder-grading:latest;
    pass the course's ``image``); ``gpus`` lists device ids ("0,1", "none";
    default: `AUTOGRADER_GPUS`, else nvidia-smi); ``jobs_per_gpu`` packs small
    jobs on one GPU; ``kill_grace_s`` is added to the job's total timeout
    before the container is killed; ``base_url`` names the daemon (default:
    the environment's DOCKER_HOST); ``allow_stale_image`` accepts an image
    built from other gpu_runner sources; ``warm`` is how many containers of
    each kind are kept started ahead of need (0: none, each job starts its own
    container when it comes; default 2), within `warm_limit`.
    """

    name = "docker"
    sandboxed = True

    def __init__(
        self,
        *,
        image: str | None = None,
        default_image: str = DEFAULT_IMAGE,
        gpus: str | list[str] | tuple[str, ...] | None = None,
        jobs_per_gpu: int = 1,
        kill_grace_s: float = KILL_GRACE_S,
        base_url: str | None = None,
        allow_stale_image: bool = False,
        gpu_wait_s: float | None = None,
        python: str = PYTHON,
        client: DockerClient | None = None,
        warm: int = 2,
    ) -> None:
        self.image = image
        self._default_image = default_image
        self.kill_grace_s = kill_grace_s
        self.base_url = base_url
        self.allow_stale_image = allow_stale_image
        self.gpu_wait_s = gpu_wait_s
        self.python = python
        self._gpus_option = parse_devices(gpus)
        self._jobs_per_gpu = jobs_per_gpu
        self._client = client
        self._slots: GpuSlots | None = None
        self._checked_images: dict[str, str | None] = {}
        self._lock = threading.Lock()
        self._prepared = False
        self.hostname = owner_host()
        self.owner = f"{self.hostname}:{os.getpid()}"
        self.owner_start = proc_start_ticks(os.getpid())
        self.warm = warm
        self.instance = uuid.uuid4().hex[:12]
        self.pool: WarmPool[WarmKey, Sandbox] = WarmPool(
            start=self._start_ahead,
            discard=self._discard,
            limit=self._warm_limit,
            idle=max(warm, 0),
            name="docker-warm",
        )

    # -- lifecycle --------------------------------------------------------------

    @property
    def default_image(self) -> str:
        return self.image or self._default_image

    @property
    def client(self) -> DockerClient:
        if self._client is None:
            self._client = self._connect()
        return self._client

    @property
    def gpu_slots(self) -> GpuSlots:
        if self._slots is None:
            devices = self._gpus_option if self._gpus_option is not None else detect_gpus()
            self._slots = GpuSlots(devices=devices, jobs_per_gpu=self._jobs_per_gpu)
        return self._slots

    def _connect(self) -> DockerClient:
        return connect(self.base_url)

    def prepare(self) -> None:
        """Daemon and default image present and fresh; leftovers of dead owners removed."""
        with self._lock:
            self._checked_images.clear()
            problem = self._image_problem(self.default_image)
            if problem:
                raise RunnerUnavailable(problem)
            try:
                self.cleanup_leftovers()
            except (DockerException, requests.RequestException) as exc:  # housekeeping only
                log.warning("cleaning up leftover containers failed: %s", exc)
            self.gpu_slots  # noqa: B018 - detect the GPUs once, before any job
            self._prepared = True

    def expect(self, jobs: int | None) -> None:
        self.pool.expect(jobs)

    def close(self) -> None:
        self.pool.close()
        with self._lock:
            if self._client is not None:
                try:
                    self._client.close()
                except Exception:  # closing must not fail a batch
                    pass
                self._client = None
            self._prepared = False

    def cleanup_leftovers(self) -> list[str]:
        """Remove containers (and volumes) whose owner process is gone; their ids."""
        return remove_leftovers(self.client, runner=self.name, hostname=self.hostname)

    def containers(self, job_id: str | None = None, *, owner: str | None = None) -> list[Any]:
        """This runner's containers on the daemon (all owners), of one slot or one owner."""
        return list_containers(self.client, runner=self.name, job_id=job_id, owner=owner)

    def _image_problem(self, image: str) -> str | None:
        """Why `image` cannot be used (missing, stale), or None; cached per image."""
        if image not in self._checked_images:
            self._checked_images[image] = image_problem(
                self.client, image, allow_stale=self.allow_stale_image
            )
        return self._checked_images[image]

    # -- one job ----------------------------------------------------------------

    def run(self, job: Job) -> RunOutput:
        started = time.monotonic()
        try:
            if not self._prepared:
                self.prepare()
            image = self.image or job.image or self._default_image
            with self._lock:
                problem = self._image_problem(image)
            if problem:
                return infra_error(job.job_id, problem, self.name)
            key, note = self._key(job, image)
        except (RunnerUnavailable, GpuRequestError) as exc:
            return infra_error(job.job_id, str(exc), self.name)
        except (DockerException, requests.RequestException) as exc:
            return infra_error(job.job_id, f"Docker error: {exc}"[:1000], self.name)
        sandbox = self.pool.take(key) if key is not None and self.warm > 0 else None
        try:
            if sandbox is not None and not self._still_waiting(sandbox):
                self._retire(sandbox)
                sandbox = None
            if sandbox is None:
                sandbox = self._start_for(job, image)
            output = self._run_in(sandbox, job, image=image)
        except (RunnerUnavailable, GpuRequestError, TimeoutError) as exc:
            output = infra_error(job.job_id, str(exc), self.name)
        except (DockerException, requests.RequestException, OSError, ValueError) as exc:
            output = infra_error(job.job_id, f"Docker error: {exc}"[:1000], self.name)
        finally:
            if key is not None:
                done = sandbox
                self.pool.done(key, None if done is None else (lambda: self._retire(done)))
            elif sandbox is not None:
                self._retire(sandbox)
        if note and not output.message:
            output = replace(output, message=note)
        return output.with_runner(self.name, round(time.monotonic() - started, 3))

    def _key(self, job: Job, image: str) -> tuple[WarmKey | None, str]:
        """The kind of container `job` fits (None: it needs its own, e.g. Ray's GPUs)."""
        wanted = job.resources.gpus
        if wanted <= 0:
            return WarmKey(image, job.resources), ""
        if job.gpu_ids:  # an outer scheduler (Ray) assigned these devices: a container of its own
            return None, ""
        slots = self.gpu_slots
        if not slots.devices and job.resources.gpu_optional:
            cpu = replace(job.resources, gpus=0.0)
            return WarmKey(image, cpu), "no GPU on this machine: ran on the CPU"
        try:
            slots.check(wanted)
        except GpuRequestError as exc:
            raise GpuRequestError(
                f"{exc}; this week requires a GPU (gpu_optional = false): grade it on a "
                "GPU machine or allow the CPU in assignment.toml"
            ) from exc
        return WarmKey(image, job.resources), ""

    def _warm_limit(self, key: WarmKey) -> int:
        cores, memory_mb = machine_limits()
        slots = self.gpu_slots
        count, per_job = slots.slots_for(key.resources.gpus) if key.resources.gpus > 0 else (0, 0)
        gpu_slots = (len(slots.devices) * slots.jobs_per_gpu) // max(per_job * max(count, 1), 1)
        return warm_limit(
            key.resources, cores=cores, memory_mb=memory_mb, gpu_slots=gpu_slots, idle=self.warm
        )

    def _start_ahead(self, key: WarmKey) -> Sandbox | None:
        """A container for the next job of `key`; None when no GPU slot is free now."""
        lease = GpuLease()
        if key.resources.gpus > 0:
            try:
                lease = self.gpu_slots.acquire(key.resources.gpus, timeout_s=0)
            except TimeoutError:
                return None
        try:
            return self._start(key.image, key.resources, lease)
        except BaseException:
            self.gpu_slots.release(lease)
            raise

    def _start_for(self, job: Job, image: str) -> Sandbox:
        """A container started now, for `job` (no started one was ready)."""
        lease, _ = self._lease(job)
        try:
            return self._start(image, job.resources, lease)
        except BaseException:
            self.gpu_slots.release(lease)
            raise

    def _start(self, image: str, resources: Resources, lease: GpuLease) -> Sandbox:
        spec = self.spec_for_shape(
            SandboxShape(
                image=image,
                resources=resources,
                gpu_ids=lease.device_ids,
                gpu_shared=lease.shared,
                gpu_memory_fraction=lease.memory_fraction,
            ),
            slot=f"sandbox-{uuid.uuid4().hex[:16]}",
        )
        container = self.client.containers.create(**create_kwargs(spec))
        try:
            if not container.put_archive(JOB_DIR, skeleton_archive()):
                raise DockerException("put_archive refused the job folders")
            container.start()
        except BaseException:
            self._remove(container)
            raise
        return Sandbox(container=container, spec=spec, lease=lease, started_at=time.monotonic())

    def _still_waiting(self, sandbox: Sandbox) -> bool:
        """A started container is still running (not killed, not exited while it waited)."""
        try:
            sandbox.container.reload()
        except (DockerException, requests.RequestException):
            return False
        return bool(sandbox.container.attrs.get("State", {}).get("Running"))

    def _retire(self, sandbox: Sandbox) -> None:
        """Remove a container after its job (or unused), then give its GPUs back."""
        try:
            self._remove(sandbox.container)
        finally:
            self.gpu_slots.release(sandbox.lease)

    def _discard(self, sandbox: Sandbox) -> None:
        self._retire(sandbox)

    def _lease(self, job: Job) -> tuple[GpuLease, str]:
        """The job's GPUs; CPU (with a note) when optional and the machine has none."""
        wanted = job.resources.gpus
        if wanted <= 0:
            return GpuLease(), ""
        if job.gpu_ids:  # an outer scheduler (Ray) already assigned these devices
            share = min(1.0, wanted)
            return GpuLease(device_ids=job.gpu_ids, shared=share < 1, memory_fraction=share), ""
        slots = self.gpu_slots
        if not slots.devices and job.resources.gpu_optional:
            return GpuLease(), "no GPU on this machine: ran on the CPU"
        return slots.acquire(wanted, timeout_s=self.gpu_wait_s), ""

    def spec_for(self, job: Job, *, image: str, lease: GpuLease) -> ContainerSpec:
        return container_spec(
            job,
            image=image,
            owner=self.owner,
            owner_start=self.owner_start,
            gpu_ids=lease.device_ids,
            gpu_shared=lease.shared,
            gpu_memory_fraction=lease.memory_fraction,
            runner=self.name,
            python=self.python,
        )

    def spec_for_shape(self, shape: SandboxShape, *, slot: str) -> ContainerSpec:
        """A container that starts its executor and kernel, then waits for its job."""
        return sandbox_spec(
            shape,
            slot=slot,
            owner=self.owner,
            owner_start=self.owner_start,
            runner=self.name,
            python=self.python,
            wait=True,
            instance=self.instance,
        )

    def _run_in(self, sandbox: Sandbox, job: Job, *, image: str) -> RunOutput:
        """Copy the job into its started container, wait for the result."""
        spec, lease, container = sandbox.spec, sandbox.lease, sandbox.container
        inside = replace(
            job, env={**job.env, **spec.kernel_env}, gpu_ids=lease.device_ids, image=image
        )
        log.debug("job %s in container %s", job.job_id, spec.labels.get(JOB_LABEL))
        if not container.put_archive(JOB_DIR, job_archive(inside, ready=True)):
            raise DockerException("put_archive refused the job files")
        limit = job.total_timeout_s + self.kill_grace_s
        timed_out = self._wait(container, limit)
        container.reload()
        state = container.attrs.get("State", {})
        return self._outcome(job, container, state, timed_out=timed_out)

    def _wait(self, container: Any, limit: float) -> bool:
        return wait_or_kill(container, limit)

    def _outcome(self, job: Job, container: Any, state: dict, *, timed_out: bool) -> RunOutput:
        return read_outcome(job, container, state, timed_out=timed_out, runner=self.name)

    def _remove(self, container: Any) -> None:
        remove_container(container)


__all__ = [
    "DEFAULT_IMAGE",
    "DockerRunner",
    "Sandbox",
    "WarmKey",
    "create_kwargs",
    "job_archive",
    "skeleton_archive",
    "warm_limit",
]


# the names other modules and tests used before the split
_owner_alive, _proc_start_ticks, _read_tar_file = owner_alive, proc_start_ticks, read_tar_file
