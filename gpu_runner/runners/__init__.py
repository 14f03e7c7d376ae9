"""Runners decide *how* a job executes (a child process, a container)."""

from __future__ import annotations

from typing import Any

from gpu_runner.runners.base import Runner, RunnerUnavailable
from gpu_runner.runners.process import ProcessRunner

RUNNERS = {
    "process": "gpu_runner.runners.process:ProcessRunner",
    "docker": "gpu_runner.runners.docker:DockerRunner",
}


def get_runner(name: str, **options: Any) -> Runner:
    """The runner registered under `name`, built with keyword `options`."""
    import importlib

    if name not in RUNNERS:
        raise ValueError(f"unknown runner {name!r}; choose from {sorted(RUNNERS)}")
    module, _, cls = RUNNERS[name].partition(":")
    runner: Runner = getattr(importlib.import_module(module), cls)(**options)
    return runner


__all__ = ["ProcessRunner", "Runner", "RunnerUnavailable", "get_runner"]
