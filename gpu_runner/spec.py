"""The sandbox container for one job, as plain data.

`container_spec` is pure: the same Job and options give an equal
`ContainerSpec`, with no daemon involved, so the sandbox's every setting is
tested by equality. `DockerRunner` only translates a spec into
``client.containers.create(...)``.

Inside the container (see docker/README.md):

- ``/job`` is an anonymous volume filled with ``put_archive`` before start, all
  root-owned: ``job.json``, ``work/`` (the kernel's files, read-only to it),
  ``private/`` (0700: the graded notebooks with their tests), ``results/`` and
  ``exec/`` (0700: the executor's), ``kernels/`` (connection files made
  readable for the kernel's user).
- ``/tmp`` is the only place the kernel can write: a size-capped tmpfs that is
  its HOME and TMPDIR, holding its working folder ``/tmp/work`` (a copy of
  ``work/``).
- The executor runs as uid 0 holding only CAP_SETUID/CAP_SETGID (to start the
  kernel and the test process as other users) and CAP_KILL (to interrupt and
  stop them). Through `setpriv` it starts the kernel as uid 2000 and the
  trusted test process as uid 3000, both with no capabilities and
  no-new-privileges: the kernel can neither read the private notebooks, write
  the results, nor signal, trace or read the executor or the test process.
- The kernel starts from ``/`` with ``python -P`` (nothing submitted can
  shadow the launcher); the executor then moves it into ``/tmp/work``.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gpu_runner.job import Job, Resources

LABEL_PREFIX = "org.autograder"
#: every container the runner starts carries this label (value: the runner name)
RUNNER_LABEL = f"{LABEL_PREFIX}.runner"
JOB_LABEL = f"{LABEL_PREFIX}.job"
#: "<hostname>/pidns-<inode>:<pid>" of the coordinator process that started the container
OWNER_LABEL = f"{LABEL_PREFIX}.owner"
#: which runner object (of that process) started it: a process may hold several
INSTANCE_LABEL = f"{LABEL_PREFIX}.instance"
#: start time of that process (clock ticks since boot), against pid reuse
OWNER_START_LABEL = f"{LABEL_PREFIX}.owner-start"
#: image label: hash of the gpu_runner sources baked into the image
RUNNER_HASH_LABEL = f"{LABEL_PREFIX}.runner-hash"
#: image label: hash of everything that went into the image (Dockerfile, pins, sources)
INPUTS_HASH_LABEL = f"{LABEL_PREFIX}.inputs-hash"

PYTHON = "/opt/venv/bin/python"
JOB_DIR = "/job"
RESULTS_DIR = f"{JOB_DIR}/results"
EXEC_HOME = f"{JOB_DIR}/exec"
KERNELS_DIR = f"{JOB_DIR}/kernels"
SCRATCH_DIR = "/tmp"
KERNEL_WORKDIR = f"{SCRATCH_DIR}/work"
EXECUTOR_USER = "0:0"
KERNEL_UID = 2000
KERNEL_GID = 2000
TESTS_UID = 3000
TESTS_GID = 3000
#: what the executor needs: start the kernel as another user (SETUID/SETGID), and
#: interrupt or stop it (KILL: the kernel's uid differs). Nothing else.
EXECUTOR_CAPS = ("KILL", "SETGID", "SETUID")
#: the container's log (executor stderr, and whatever the kernel writes to fd 1/2)
LOG_MAX_SIZE = "1m"


@dataclass(frozen=True)
class GpuRequest:
    """One Docker device request: these GPU ids with the ``gpu`` capability."""

    device_ids: tuple[str, ...]
    capabilities: tuple[tuple[str, ...], ...] = (("gpu",),)
    driver: str = ""


@dataclass(frozen=True)
class ContainerSpec:
    image: str
    command: tuple[str, ...]
    user: str
    working_dir: str
    env: Mapping[str, str]
    labels: Mapping[str, str]
    #: environment the executor passes on to the kernel (through job.json)
    kernel_env: Mapping[str, str]
    mem_limit_mb: int
    memswap_limit_mb: int
    nano_cpus: int
    pids_limit: int
    tmpfs: Mapping[str, str]
    volume: str = JOB_DIR
    read_only: bool = True
    network_mode: str = "none"
    cap_drop: tuple[str, ...] = ("ALL",)
    cap_add: tuple[str, ...] = EXECUTOR_CAPS
    security_opt: tuple[str, ...] = ("no-new-privileges",)
    init: bool = True
    log_max_size: str = LOG_MAX_SIZE
    device_requests: tuple[GpuRequest, ...] = field(default=())


def kernel_argv(*, python: str = PYTHON) -> list[str]:
    """The kernel command: drop to the kernel's user, no capabilities, own HOME.

    Run by the executor (uid 0, CAP_SETUID/SETGID/KILL only). jupyter_client writes
    the connection file 0600, so it is first copied readable into KERNELS_DIR
    (root-owned, the kernel cannot plant links there). As the kernel's user:
    volunteer first for the OOM killer (the executor must survive to report),
    copy the job's files into the tmpfs (what the kernel writes stays within the
    tmpfs cap), and start ``python -P`` from ``/`` so that no submitted file can
    shadow the launcher; the executor moves the kernel into KERNEL_WORKDIR. No
    braces in the scripts: jupyter_client substitutes ``{name}``.
    """
    outer = (
        f'k={KERNELS_DIR}/"$(basename "$0")" && install -m 644 "$0" "$k" && '
        f"exec setpriv --reuid={KERNEL_UID} --regid={KERNEL_GID} --clear-groups "
        '--inh-caps=-all --bounding-set=-all --no-new-privs /bin/sh -c "$1" "$k"'
    )
    inner = (
        "echo 1000 > /proc/self/oom_score_adj; "
        f"mkdir -p {KERNEL_WORKDIR} && cp -Rn {JOB_DIR}/work/. {KERNEL_WORKDIR}/ && "
        f"cd / && exec {shlex.quote(python)} -P -m ipykernel_launcher "
        '--IPKernelApp.ignore_cwd=True -f "$0"'
    )
    return ["/bin/sh", "-c", outer, "{connection_file}", inner]


def tests_argv(*, python: str = PYTHON) -> list[str]:
    """The trusted test process: its own user (not the kernel's), no capabilities."""
    return [
        "setpriv", f"--reuid={TESTS_UID}", f"--regid={TESTS_GID}", "--clear-groups",
        "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
        python, "-P", "-m", "gpu_runner.testproc",
    ]  # fmt: skip


def executor_command(
    *, python: str = PYTHON, wait: bool = False, kernel_env: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """The executor's command; `wait`: start the kernel first, then await the job's files."""
    command: tuple[str, ...] = (
        python, "-m", "gpu_runner.executor",
        "--job", JOB_DIR,
        "--results", RESULTS_DIR,
        "--scratch", SCRATCH_DIR,
        "--kernel-argv", json.dumps(kernel_argv(python=python)),
        "--kernel-workdir", KERNEL_WORKDIR,
        "--tests-argv", json.dumps(tests_argv(python=python)),
    )  # fmt: skip
    if wait:
        env = json.dumps(dict(sorted((kernel_env or {}).items())))
        command += ("--wait-for-job", "--kernel-env", env)
    return command


def gpu_env(*, device_ids: Sequence[str], shared: bool, memory_fraction: float) -> dict[str, str]:
    """Framework settings for the kernel on the GPUs it was given.

    Shared GPU: TensorFlow grows its memory instead of taking the whole card,
    and JAX is capped at its share (TensorFlow has no per-process cap by
    environment; growth is what keeps packed jobs apart).
    """
    if not device_ids:
        return {}
    env = {"TF_FORCE_GPU_ALLOW_GROWTH": "true", "XLA_PYTHON_CLIENT_PREALLOCATE": "false"}
    if shared:
        env["XLA_PYTHON_CLIENT_MEM_FRACTION"] = f"{0.9 * memory_fraction:.2f}"
    return env


@dataclass(frozen=True)
class SandboxShape:
    """What a sandbox container is fixed with at creation, before its job is known.

    Jobs of one week share a shape (image, resources, the GPUs leased), so a
    container started ahead of need fits the next job of that week.
    """

    image: str
    resources: Resources
    gpu_ids: tuple[str, ...] = ()
    gpu_shared: bool = False
    gpu_memory_fraction: float = 1.0

    @property
    def kernel_env(self) -> dict[str, str]:
        return gpu_env(
            device_ids=self.gpu_ids,
            shared=self.gpu_shared,
            memory_fraction=self.gpu_memory_fraction,
        )


def container_spec(
    job: Job,
    *,
    image: str,
    owner: str,
    owner_start: str = "",
    gpu_ids: Sequence[str] = (),
    gpu_shared: bool = False,
    gpu_memory_fraction: float = 1.0,
    runner: str = "docker",
    python: str = PYTHON,
) -> ContainerSpec:
    """The container that runs `job` from a cold start: pure, equal inputs give equal specs."""
    shape = SandboxShape(
        image=image,
        resources=job.resources,
        gpu_ids=tuple(gpu_ids),
        gpu_shared=gpu_shared,
        gpu_memory_fraction=gpu_memory_fraction,
    )
    return sandbox_spec(
        shape, slot=job.job_id, owner=owner, owner_start=owner_start, runner=runner, python=python
    )


def sandbox_spec(
    shape: SandboxShape,
    *,
    slot: str,
    owner: str,
    owner_start: str = "",
    runner: str = "docker",
    python: str = PYTHON,
    wait: bool = False,
    instance: str = "",
) -> ContainerSpec:
    """The sandbox for one job of `shape`: pure, equal inputs give equal specs.

    `slot` names the container (its job label): the job id, or for a container
    started before its job (`wait`, see `gpu_runner.warm`) a fresh slot id. A
    waiting container differs from a cold one only in the executor's command.
    """
    res = shape.resources
    memory_mb = res.memory_mb  # executor and kernel together, no swap
    kernel_env = shape.kernel_env
    env = {
        "HOME": EXEC_HOME,
        "JUPYTER_PLATFORM_DIRS": "1",
        "JUPYTER_RUNTIME_DIR": f"{EXEC_HOME}/runtime",
        "JUPYTER_CONFIG_DIR": f"{EXEC_HOME}/config",
        "JUPYTER_DATA_DIR": f"{EXEC_HOME}/data",
        "PYTHONDONTWRITEBYTECODE": "1",
        **kernel_env,
    }
    labels = {
        RUNNER_LABEL: runner,
        JOB_LABEL: slot,
        OWNER_LABEL: owner,
        OWNER_START_LABEL: owner_start,
    }
    if instance:
        labels[INSTANCE_LABEL] = instance
    return ContainerSpec(
        image=shape.image,
        command=executor_command(python=python, wait=wait, kernel_env=kernel_env),
        user=EXECUTOR_USER,
        working_dir=JOB_DIR,
        env=env,
        labels=labels,
        kernel_env=kernel_env,
        mem_limit_mb=memory_mb,
        memswap_limit_mb=memory_mb,
        nano_cpus=int(round(res.cpus * 1e9)),
        pids_limit=res.pids,
        tmpfs={SCRATCH_DIR: f"size={res.scratch_mb}m,mode=1777"},
        device_requests=(GpuRequest(device_ids=shape.gpu_ids),) if shape.gpu_ids else (),
    )


def runner_sources_hash(root: Path | None = None) -> str:
    """sha256 of the gpu_runner sources (what the image runs as the executor)."""
    if root is None:
        root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if "__pycache__" in rel.split("/") or "tests" in rel.split("/"):
            continue
        digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


__all__ = [
    "ContainerSpec",
    "GpuRequest",
    "SandboxShape",
    "container_spec",
    "executor_command",
    "gpu_env",
    "kernel_argv",
    "runner_sources_hash",
    "sandbox_spec",
    "tests_argv",
]
