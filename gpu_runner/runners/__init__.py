"""Runners decide *how* a job executes (a child process, a container).

Backends are registered once, as entry points (`gpu_runner.runners.registry`);
see docs/runners.md for writing one.
"""

from __future__ import annotations

from gpu_runner.runners.base import Runner, RunnerUnavailable
from gpu_runner.runners.process import ProcessRunner
from gpu_runner.runners.registry import (
    UnknownRunner,
    get_runner,
    runner_class,
    runner_names,
    runner_paths,
)

__all__ = [
    "ProcessRunner",
    "Runner",
    "RunnerUnavailable",
    "UnknownRunner",
    "get_runner",
    "runner_class",
    "runner_names",
    "runner_paths",
]
