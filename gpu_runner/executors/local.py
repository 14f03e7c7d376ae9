"""The local executor: jobs run on this machine, in the coordinator's pool.

The coordinator's thread pool (``--jobs``) already decides how many jobs run at
once, and the runner hands out this machine's GPUs (`gpu_runner.gpus.GpuSlots`
in `DockerRunner`), so "local" adds nothing: the runner itself is the executor.
"""

from __future__ import annotations

from typing import Any

from gpu_runner.executors.recipe import RunnerRecipe
from gpu_runner.runners import Runner


def local_executor(runner: Runner | RunnerRecipe, **options: Any) -> Runner:
    if options:
        raise TypeError(f"the local executor takes no options, got {sorted(options)}")
    return runner.build() if isinstance(runner, RunnerRecipe) else runner


__all__ = ["local_executor"]
