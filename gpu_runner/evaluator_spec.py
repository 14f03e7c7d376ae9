"""The clean evaluator's container, as plain data (see `gpu_runner.spec` for the sandbox's).

`evaluator_spec` is pure and tested by equality. The evaluator container runs
`gpu_runner.evaluator` from the grading image with no student code in it:

- ``/eval`` is an anonymous volume filled with ``put_archive`` before start:
  ``request/`` (request.json, the artifacts and the hidden inputs) root-owned and
  read-only to the evaluator; ``results/`` owned by the evaluator's user.
- The evaluator runs as uid 2000 with no capabilities at all, no network, a
  read-only root, a small tmpfs ``/tmp`` for HOME, and the memory, CPU and pid
  caps of the week's grading container.
- One container per submission, never reused: a hostile artifact that broke
  the loader could otherwise change the next submission's predictions.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpu_runner.evaluation import EvalRequest
from gpu_runner.spec import (
    JOB_LABEL,
    OWNER_LABEL,
    OWNER_START_LABEL,
    PYTHON,
    RUNNER_LABEL,
    ContainerSpec,
)

EVAL_DIR = "/eval"
EVAL_REQUEST_DIR = f"{EVAL_DIR}/request"
EVAL_RESULTS_DIR = f"{EVAL_DIR}/results"
EVALUATOR_UID = 2000
EVALUATOR_USER = f"{EVALUATOR_UID}:{EVALUATOR_UID}"
EVAL_TMPFS_MB = 256
EVAL_PIDS = 256
EVAL_ENV = {
    "HOME": "/tmp",
    "PYTHONDONTWRITEBYTECODE": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "MPLCONFIGDIR": "/tmp/.matplotlib",
    "KERAS_HOME": "/tmp/.keras",
}


def evaluator_command(
    *, python: str = PYTHON, wait: bool = False, preload: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """`wait`: import the `preload` kinds' frameworks, then wait for the request's files."""
    command: tuple[str, ...] = (
        python, "-m", "gpu_runner.evaluator",
        "--request", EVAL_REQUEST_DIR,
        "--results", EVAL_RESULTS_DIR,
    )  # fmt: skip
    if wait:
        command += ("--wait-for-request", "--preload", ",".join(sorted(preload)))
    return command


@dataclass(frozen=True)
class EvaluatorShape:
    """What an evaluator container is fixed with before its request is known."""

    image: str
    memory_mb: int
    cpus: float
    preload: tuple[str, ...] = ()

    @classmethod
    def of(cls, request: EvalRequest, *, image: str) -> EvaluatorShape:
        kinds = tuple(sorted({t.kind for t in request.tasks}))
        return cls(image=image, memory_mb=request.memory_mb, cpus=request.cpus, preload=kinds)


def evaluator_spec(
    request: EvalRequest,
    *,
    image: str,
    owner: str,
    owner_start: str = "",
    runner: str = "evaluator",
    python: str = PYTHON,
) -> ContainerSpec:
    """The container that evaluates `request`: pure, equal inputs give equal specs."""
    shape = EvaluatorShape(image=image, memory_mb=request.memory_mb, cpus=request.cpus)
    return evaluator_shape_spec(
        shape, slot=request.request_id, owner=owner, owner_start=owner_start, runner=runner,
        python=python,
    )  # fmt: skip


def evaluator_shape_spec(
    shape: EvaluatorShape,
    *,
    slot: str,
    owner: str,
    owner_start: str = "",
    runner: str = "evaluator",
    python: str = PYTHON,
    wait: bool = False,
) -> ContainerSpec:
    """An evaluator container of `shape`; `wait`: started ahead, the request comes later.

    A waiting container differs from a cold one only in its command."""
    return ContainerSpec(
        image=shape.image,
        command=evaluator_command(python=python, wait=wait, preload=shape.preload),
        user=EVALUATOR_USER,
        working_dir="/tmp",
        env=dict(EVAL_ENV),
        labels={
            RUNNER_LABEL: runner,
            JOB_LABEL: slot,
            OWNER_LABEL: owner,
            OWNER_START_LABEL: owner_start,
        },
        kernel_env={},
        mem_limit_mb=shape.memory_mb,
        memswap_limit_mb=shape.memory_mb,
        nano_cpus=int(round(shape.cpus * 1e9)),
        pids_limit=EVAL_PIDS,
        tmpfs={"/tmp": f"size={EVAL_TMPFS_MB}m,mode=1777"},
        volume=EVAL_DIR,
        cap_add=(),
    )


__all__ = [
    "EVAL_DIR",
    "EvaluatorShape",
    "evaluator_command",
    "evaluator_shape_spec",
    "evaluator_spec",
]
