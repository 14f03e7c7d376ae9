"""The one registry of runner backends: entry points of the ``gpu_runner.runners`` group.

A backend is registered the way JupyterHub registers spawners: an entry point
``name = "package.module:RunnerClass"`` in the group ``gpu_runner.runners`` of
its distribution's ``pyproject.toml``. This project registers its own two
(``process``, ``docker``) there too. `BUILTIN` repeats them for a source
checkout whose installed metadata predates them (tests check both agree);
nothing else names the backends: the command line's choices, the course
model's validation and `get_runner` all read `runner_paths()`.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from gpu_runner.runners.base import Runner

GROUP = "gpu_runner.runners"

#: the built-in backends, as registered in pyproject.toml's entry points
BUILTIN = {
    "process": "gpu_runner.runners.process:ProcessRunner",
    "docker": "gpu_runner.runners.docker:DockerRunner",
}


class UnknownRunner(ValueError):
    """No backend is registered under this name."""


@functools.cache
def runner_paths() -> dict[str, str]:
    """Every registered backend: name -> ``module:Class`` (built-ins first)."""
    from importlib.metadata import entry_points

    found = dict(BUILTIN)
    for point in entry_points(group=GROUP):
        found.setdefault(point.name, point.value)
    return found


def runner_names() -> list[str]:
    """The registered backend names, in registration order (for choices and messages)."""
    return list(runner_paths())


def runner_class(name: str) -> type[Runner]:
    """The class registered under `name`; imports its module only now."""
    try:
        path = runner_paths()[name]
    except KeyError:
        raise UnknownRunner(
            f"unknown runner {name!r}; choose from {', '.join(runner_names())}"
        ) from None
    module, _, qualname = path.partition(":")
    cls: Any = importlib.import_module(module)
    for part in qualname.split("."):
        cls = getattr(cls, part)
    if not (isinstance(cls, type) and issubclass(cls, Runner)):
        raise UnknownRunner(f"runner {name!r} ({path}) is not a gpu_runner Runner")
    return cls


def get_runner(name: str, **options: Any) -> Runner:
    """The runner registered under `name`, built with keyword `options`."""
    return runner_class(name)(**options)


def name_of(cls: type[Runner]) -> str | None:
    """The registered name of a runner class (None: not registered)."""
    path = f"{cls.__module__}:{cls.__qualname__}"
    return next((n for n, p in runner_paths().items() if p == path), None)


__all__ = [
    "BUILTIN",
    "GROUP",
    "UnknownRunner",
    "get_runner",
    "name_of",
    "runner_class",
    "runner_names",
    "runner_paths",
]
