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


def evaluator_command(*, python: str = PYTHON) -> tuple[str, ...]:
    return (
        python, "-m", "gpu_runner.evaluator",
        "--request", EVAL_REQUEST_DIR,
        "--results", EVAL_RESULTS_DIR,
    )  # fmt: skip


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
    return ContainerSpec(
        image=image,
        command=evaluator_command(python=python),
        user=EVALUATOR_USER,
        working_dir="/tmp",
        env=dict(EVAL_ENV),
        labels={
            RUNNER_LABEL: runner,
            JOB_LABEL: request.request_id,
            OWNER_LABEL: owner,
            OWNER_START_LABEL: owner_start,
        },
        kernel_env={},
        mem_limit_mb=request.memory_mb,
        memswap_limit_mb=request.memory_mb,
        nano_cpus=int(round(request.cpus * 1e9)),
        pids_limit=EVAL_PIDS,
        tmpfs={"/tmp": f"size={EVAL_TMPFS_MB}m,mode=1777"},
        volume=EVAL_DIR,
        cap_add=(),
    )


__all__ = ["EVAL_DIR", "evaluator_command", "evaluator_spec"]
