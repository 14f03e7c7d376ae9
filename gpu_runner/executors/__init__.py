"""Executors decide *where* a job runs; runners decide *how*.

``wrap_executor(name, runner, **options)`` returns a `Runner` that grading uses
exactly like the plain runner (``prepare`` / ``run`` / ``close``):

- ``local``: the runner itself, on this machine (the default);
- ``ray``: each job becomes a Ray task on whichever node of a Ray cluster has
  the CPUs and GPUs it asks for; that node builds the same runner and runs it
  (``pip install 'autograder[ray]'``; see docs/scaling.md).
"""

from __future__ import annotations

import importlib
from typing import Any

from gpu_runner.executors.recipe import RunnerRecipe, recipe_of
from gpu_runner.runners import Runner

EXECUTORS = {
    "local": "gpu_runner.executors.local:local_executor",
    "ray": "gpu_runner.executors.ray_executor:RayExecutor",
}


def wrap_executor(name: str, runner: Runner | RunnerRecipe, **options: Any) -> Runner:
    """`runner` behind the executor registered as `name`, built with `options`."""
    if name not in EXECUTORS:
        raise ValueError(f"unknown executor {name!r}; choose from {sorted(EXECUTORS)}")
    module, _, attr = EXECUTORS[name].partition(":")
    factory = getattr(importlib.import_module(module), attr)
    wrapped: Runner = factory(runner, **options)
    return wrapped


__all__ = ["EXECUTORS", "RunnerRecipe", "recipe_of", "wrap_executor"]
