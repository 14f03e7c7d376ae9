"""Host step between execute and score: the clean evaluator runs the exported models.

For each threshold, the sandbox exported the named variable (`RunOutput.probes`).
Keras and scikit-learn artifacts (and generators) go, with the hidden *inputs*
only, to an `Evaluator` with no student code (a fresh container, or a subprocess
in trusted mode); plain arrays are used here on the host, read without pickle.
The loaded model's facts are checked against the threshold's requirements.
Every outcome becomes a `ScoredModel`: predictions for scoring, or the message
that explains the zero. Hidden labels never leave the host.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import numpy as np

from autograder.config import Threshold
from autograder.errors import InfrastructureError
from autograder.messages import Message
from autograder.messages.executor import executor_message
from autograder.pipeline.context import WeekContext
from autograder.thresholds.artifact import InvalidPrediction, read_artifact
from autograder.thresholds.requirements import KERAS_KINDS, check_requirements, describe
from gpu_runner.evaluation import EvalRequest, EvalTask, Transform
from gpu_runner.job import EXPORT_SUFFIX, ProbeRun, RunOutput
from gpu_runner.runners.evaluators import Evaluator

#: the executor's export refusals (gpu_runner.executor.EXPORT_CODES) -> message keys
EXPORT_REFUSALS = {
    "the variable is not defined": "export_missing",
    "not a Keras model": "export_not_keras",
    "not a scikit-learn estimator": "export_not_sklearn",
    "not an array of numbers": "export_not_array",
}


@dataclass(frozen=True)
class ScoredModel:
    """One threshold after evaluation: predictions (.npy bytes) or why there are none."""

    predictions: bytes | None
    failure: Message | None  # student-facing, rendered where a person reads it
    what: str  # which variable (and model) was scored
    rule: str | None = None  # the requirement that failed, if any


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def latent_seed(ctx: WeekContext, threshold: Threshold) -> int:
    """The generator's latent seed: from the unreleased sources' hash, never shown."""
    digest = hashlib.sha256(f"{ctx.version}:{threshold.id}:latent".encode()).hexdigest()
    return int(digest[:8], 16)


def _export_failure(threshold: Threshold, probe: ProbeRun | None) -> Message:
    variable = threshold.model.variable
    if probe is None or probe.error is None:
        return Message.of("threshold.no_artifact")
    text = probe.error
    for prefix, key in EXPORT_REFUSALS.items():
        if text.startswith(prefix):
            kind = text.removeprefix(prefix).lstrip(": ") or "?"
            return Message.of(f"threshold.{key}", variable=variable, type=kind)
    if text.startswith("the exported model is too large"):
        return Message.of(
            "threshold.export_too_large", variable=variable, limit=threshold.model.max_mb
        )
    return Message.of("threshold.export_failed", variable=variable, error=executor_message(text))


def _inputs(ctx: WeekContext, threshold: Threshold) -> list[np.ndarray]:
    return [
        np.load(io.BytesIO(ctx.probe_inputs[rel]), allow_pickle=False)
        for rel in threshold.inputs.values()
    ]


def _array_predictions(ctx: WeekContext, threshold: Threshold, artifact: bytes) -> ScoredModel:
    spec = threshold.model
    try:
        array = read_artifact(artifact)
    except InvalidPrediction as exc:
        return ScoredModel(None, exc.fact, spec.variable)
    if spec.array_use == "values":
        return ScoredModel(artifact, None, spec.variable)
    inputs = _inputs(ctx, threshold)
    if spec.array_use == "nearest_centre":
        (x,) = inputs
        if array.ndim != 2 or array.shape[1] != x.shape[1]:
            shape = str(tuple(array.shape))
            return ScoredModel(
                None,
                Message.of("threshold.array_centres", dim=x.shape[1], shape=shape),
                spec.variable,
            )
        d2 = ((x[:, None, :] - array[None, :, :].astype(np.float64)) ** 2).sum(axis=2)
        return ScoredModel(_npy(np.argmin(d2, axis=1).astype(np.int64)), None, spec.variable)
    index = tuple(i.astype(np.int64) for i in inputs)
    needed = tuple(int(i.max()) + 1 for i in index)
    if array.ndim != len(index) or any(
        have < need for have, need in zip(array.shape, needed, strict=True)
    ):
        message = Message.of(
            "threshold.array_table", shape=str(tuple(array.shape)), needed=str(needed)
        )
        return ScoredModel(None, message, spec.variable)
    return ScoredModel(_npy(array[index]), None, spec.variable)


def build_request(ctx: WeekContext, output: RunOutput, job_id: str) -> EvalRequest:
    """The evaluator's work: exported Keras/sklearn models with the hidden inputs."""
    probes = {p.id: p for p in output.probes}
    tasks, files = [], {}
    for threshold in ctx.week.config.thresholds:
        spec, probe = threshold.model, probes.get(threshold.id)
        if spec.kind == "array" or probe is None or probe.artifact is None:
            continue
        artifact = f"{threshold.id}{EXPORT_SUFFIX[spec.kind]}"
        files[artifact] = probe.artifact
        inputs = None
        if spec.kind != "generator":
            (rel,) = threshold.inputs.values()
            inputs = f"{threshold.id}.inputs.npy"
            files[inputs] = ctx.probe_inputs[rel]
        tasks.append(
            EvalTask(
                id=threshold.id,
                kind=spec.kind,
                artifact=artifact,
                inputs=inputs,
                method=spec.method,
                transform=Transform(
                    input_scale=spec.input_scale,
                    input_offset=spec.input_offset,
                    input_shape=tuple(spec.input_shape) if spec.input_shape else None,
                    input_dtype=spec.input_dtype,
                    output_scale=spec.output_scale,
                    output_offset=spec.output_offset,
                ),
                samples=spec.samples if spec.kind == "generator" else 0,
                seed=latent_seed(ctx, threshold) if spec.kind == "generator" else 0,
                trusted_types=tuple(spec.trusted_types),
            )
        )
    res = ctx.week.resources
    return EvalRequest(
        request_id=f"eval-{job_id}",
        tasks=tuple(tasks),
        files=files,
        timeout_s=max(120.0, res.cell_timeout_s),
        memory_mb=res.memory_mb,
        cpus=res.cpus,
    )


def evaluate_models(
    ctx: WeekContext, output: RunOutput, *, evaluator: Evaluator, job_id: str
) -> dict[str, ScoredModel]:
    """Threshold id -> what scoring gets; `InfrastructureError` when the evaluator fails."""
    probes = {p.id: p for p in output.probes}
    request = build_request(ctx, output, job_id)
    evaluated = evaluator.evaluate(request)
    if evaluated.error:
        raise InfrastructureError(f"clean evaluator: {evaluated.error}")
    scored: dict[str, ScoredModel] = {}
    for threshold in ctx.week.config.thresholds:
        spec, probe = threshold.model, probes.get(threshold.id)
        if probe is None or probe.artifact is None:
            scored[threshold.id] = ScoredModel(
                None, _export_failure(threshold, probe), spec.variable
            )
            continue
        if spec.kind == "array":
            scored[threshold.id] = _array_predictions(ctx, threshold, probe.artifact)
            continue
        result = evaluated.result(threshold.id)
        what = describe(spec, result.facts)
        if result.error == "infra":
            raise InfrastructureError(f"clean evaluator: {result.detail}")
        violation = check_requirements(spec, result.facts) if result.facts else None
        if violation is not None:  # a broken rule explains more than a failed prediction
            message = Message.of(
                "threshold.rule_failed", rule=violation.rule, message=violation.message
            )
            scored[threshold.id] = ScoredModel(None, message, what, violation.rule)
            continue
        if result.error:
            detail = result.detail[:200]
            code = result.error
            if code == "load_refused":  # the advice names the framework the threshold expects
                code += "_keras" if spec.kind in KERAS_KINDS else "_sklearn"
            message = Message.of(f"threshold.{code}", variable=spec.variable, detail=detail)
            scored[threshold.id] = ScoredModel(None, message, what)
            continue
        scored[threshold.id] = ScoredModel(result.predictions, None, what)
    return scored
