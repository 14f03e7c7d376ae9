"""Rules on the loaded model: is it the model the week teaches?

The clean evaluator reports facts about the artifact it loaded (framework, layer
types, shapes, parameters, optimizer iterations, estimator classes); these rules,
from ``[thresholds.model.requirements]``, decide. The first violated rule gives
zero points and a message naming it. Facts are data from a code-free load, so a
student cannot answer a rule with code; they can only build the model the rule
asks for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from autograder.config import ModelSpec
from autograder.messages import Message

KERAS_KINDS = ("keras", "generator")


@dataclass(frozen=True)
class Violation:
    rule: str  # family | layers | input_shape | output_shape | max_params | trained
    message: Message


def _show(shape: Any) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _shape_ok(actual: Any, wanted: list[int | None]) -> bool:
    if not isinstance(actual, list) or len(actual) != len(wanted) + 1:
        return False
    return all(w is None or a == w for a, w in zip(actual[1:], wanted, strict=True))


def check_requirements(spec: ModelSpec, facts: Mapping[str, Any]) -> Violation | None:
    """The first rule of `spec.requirements` that the model breaks, or None."""
    req = spec.requirements
    keras = spec.kind in KERAS_KINDS
    if req.family:
        actual = str(facts.get("class" if keras else "final_estimator", "?"))
        if actual not in req.family:
            allowed = ", ".join(req.family)
            return Violation(
                "family", Message.of("threshold.rule_family", actual=actual, allowed=allowed)
            )
    if keras:
        types = [str(layer.get("type")) for layer in facts.get("layers", [])]
        for names, minimum in req.layers.items():
            wanted = set(names.split("|"))
            count = sum(1 for t in types if t in wanted)
            if count < minimum:
                shown = names.replace("|", "/")
                return Violation(
                    "layers",
                    Message.of("threshold.rule_layers", layer=shown, minimum=minimum, count=count),
                )
        for rule, wanted_shape in (
            ("input_shape", req.input_shape),
            ("output_shape", req.output_shape),
        ):
            if wanted_shape is not None and not _shape_ok(facts.get(rule), wanted_shape):
                actual_shape = facts.get(rule)
                shown = _show(actual_shape[1:]) if isinstance(actual_shape, list) else "?"
                return Violation(
                    rule,
                    Message.of(
                        f"threshold.rule_{rule}",
                        expected=_show(wanted_shape),
                        actual=shown,
                    ),
                )
        params = int(facts.get("params", 0) or 0)
        if req.max_params is not None and params > req.max_params:
            return Violation(
                "max_params",
                Message.of("threshold.rule_params", params=params, limit=req.max_params),
            )
        if req.trained and not (facts.get("optimizer_iterations") or 0) > 0:
            return Violation("trained", Message.of("threshold.rule_trained_keras"))
    elif spec.kind == "sklearn" and req.trained and not facts.get("fitted"):
        return Violation("trained", Message.of("threshold.rule_trained_sklearn"))
    return None


def describe(spec: ModelSpec, facts: Mapping[str, Any]) -> str:
    """What was scored, e.g. ``model (Keras Sequential, 50,890 parameters)``."""
    if spec.kind in KERAS_KINDS and facts:
        return f"{spec.variable} (Keras {facts.get('class', '?')}, {int(facts.get('params', 0)):,})"
    if spec.kind == "sklearn" and facts:
        return f"{spec.variable} ({' → '.join(facts.get('estimators', ['?']))})"
    return spec.variable
