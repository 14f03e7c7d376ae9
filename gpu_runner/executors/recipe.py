"""How to rebuild a runner on another machine: its name and its options.

A runner object holds live handles (a Docker client, locks) that cannot travel
to a Ray worker. What travels is a `RunnerRecipe`: the registered runner name
(or ``module:Class``) and the keyword options it was built with, so every node
builds the same runner against its own daemon and GPUs.
"""

from __future__ import annotations

import importlib
import inspect
import json
from dataclasses import dataclass, field
from typing import Any

from gpu_runner.runners import Runner, get_runner
from gpu_runner.runners.registry import name_of


@dataclass(frozen=True)
class RunnerRecipe:
    """A runner by name (``process``, ``docker`` or ``module:Class``) and options."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """A stable identity, for caching one built runner per recipe."""
        return self.name + json.dumps(self.options, sort_keys=True, default=repr)

    def build(self) -> Runner:
        if ":" not in self.name:
            return get_runner(self.name, **self.options)
        module, _, qualname = self.name.partition(":")
        cls: Any = importlib.import_module(module)
        for part in qualname.split("."):
            cls = getattr(cls, part)
        runner: Runner = cls(**self.options)
        return runner


def recipe_of(runner: Runner | RunnerRecipe) -> RunnerRecipe:
    """The recipe that rebuilds `runner` elsewhere.

    A runner may say so itself with a ``recipe()`` method. Otherwise its
    keyword-only constructor options are read back from attributes of the
    same name; options left at their default, and options kept under another
    name (live clients, this machine's GPU list), stay behind: the node that
    runs the job decides those for itself.
    """
    if isinstance(runner, RunnerRecipe):
        return runner
    hook = getattr(runner, "recipe", None)
    if callable(hook):
        made = hook()
        if isinstance(made, RunnerRecipe):
            return made
    cls = type(runner)
    name = name_of(cls) or f"{cls.__module__}:{cls.__qualname__}"
    options: dict[str, Any] = {}
    for param in inspect.signature(cls.__init__).parameters.values():
        if param.kind is not inspect.Parameter.KEYWORD_ONLY or not hasattr(runner, param.name):
            continue
        value = getattr(runner, param.name)
        if param.default is inspect.Parameter.empty or value != param.default:
            options[param.name] = value
    return RunnerRecipe(name=name, options=options)


__all__ = ["RunnerRecipe", "recipe_of"]
