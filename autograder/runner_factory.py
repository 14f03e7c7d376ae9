"""One place that turns a course and the command line into a runner.

Every command that grades (``grade``, ``run``, ``serve``, ``watch``, ``demo``)
builds its runner here, so the course's runner, image and executor
(``executor = "ray"``) are honoured the same way everywhere. Backends come
from the one registry (`gpu_runner.runners.registry`); a runner's own errors
are translated into the library's error tree by `runner_error`, so the CLI
exits with the documented code (3: runner unavailable) and no traceback.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from autograder.course import Course
from autograder.errors import AutograderError, ConfigError, RunnerUnavailableError
from gpu_runner.runners.base import Runner, RunnerUnavailable
from gpu_runner.runners.registry import UnknownRunner, runner_class


@dataclass(frozen=True, kw_only=True)
class RunnerOverrides:
    """What the command line may change of the course's runner settings (None: the course's)."""

    runner: str | None = None
    executor: str | None = None
    image: str | None = None
    gpus: str | None = None
    jobs_per_gpu: int = 1


def uses_ray(course: Course, overrides: RunnerOverrides) -> bool:
    executor = overrides.executor or course.config.executor
    return executor == "ray"


def build_runner(
    course: Course, overrides: RunnerOverrides | None = None, *, week: str | None = None
) -> Runner:
    """The runner the course and `overrides` ask for, behind Ray when so configured.

    A backend gets the options it declares among ``image`` (every job),
    ``default_image`` (jobs that name none: `week`'s image, else the course's),
    ``gpus`` and ``jobs_per_gpu``; nothing is started until ``prepare()``.
    """
    overrides = overrides or RunnerOverrides()
    name = overrides.runner or course.config.runner
    default_image = course.config.image
    if week is not None:
        default_image = course.week(week).resources.image or default_image
    offered: dict[str, Any] = {
        "image": overrides.image,
        "default_image": default_image,
        "gpus": overrides.gpus,
        "jobs_per_gpu": overrides.jobs_per_gpu,
    }
    try:
        cls = runner_class(name)
        accepted = inspect.signature(cls).parameters
        runner = cls(**{k: v for k, v in offered.items() if k in accepted and v is not None})
        if uses_ray(course, overrides):
            from gpu_runner.executors import wrap_executor

            runner = wrap_executor("ray", runner, **course.config.ray.options())
    except Exception as exc:
        translated = runner_error(exc)
        if translated is None:
            raise
        raise translated from exc
    return runner


def pool_size(
    course: Course, runner: Runner, *, jobs: int | None = None, week: str | None = None
) -> int | None:
    """Parallel jobs: `jobs` if given, else what a cluster runner (Ray) holds of `week`'s
    size (None: the local default, from this machine's cores and memory)."""
    capacity = getattr(runner, "capacity", None)
    if jobs is not None or capacity is None:
        return jobs
    runner.prepare()
    names = [week] if week else course.week_names()
    res = course.week(names[0]).resources if names else course.config.resources
    size: int = capacity(cpus=res.cpus, gpus=res.gpus)
    return size


def runner_error(exc: BaseException) -> AutograderError | None:
    """`exc` as an error of the library's tree, or None when it is not a runner's.

    `RunnerUnavailable` (no daemon, no image, no Ray) -> `RunnerUnavailableError`
    (exit 3); an unregistered name -> `ConfigError` (exit 2); a backend whose
    module cannot import (its package is not installed) -> unavailable.
    """
    if isinstance(exc, AutograderError):
        return exc
    if isinstance(exc, RunnerUnavailable):
        return RunnerUnavailableError(str(exc))
    if isinstance(exc, UnknownRunner):
        return ConfigError(str(exc))
    if isinstance(exc, ImportError):
        return RunnerUnavailableError(f"the runner cannot load: {exc} (is its package installed?)")
    return None


__all__ = ["RunnerOverrides", "build_runner", "pool_size", "runner_error", "uses_ray"]
