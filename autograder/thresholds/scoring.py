"""Scoring one threshold on the host: a probe's artifact in, a `MetricResult` out.

Student faults (no predictions, an exception in the probe, an invalid array)
give zero points and a precise message; they never raise. Instructor faults (an
unknown metric, missing or malformed hidden labels or assets) raise
`ConfigError`, so they are never charged to a student.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from autograder.config import Threshold
from autograder.errors import ConfigError
from autograder.messages import Message
from autograder.messages.executor import executor_message
from autograder.results import MetricResult
from autograder.thresholds.artifact import InvalidPrediction, validate
from autograder.thresholds.base import Metric, MetricValue, Reference
from autograder.thresholds.metrics import get_metric


def points_for(
    value: float | None,
    *,
    floor: float,
    target: float,
    points: float,
    direction: str,
    curve: str = "linear",
) -> float:
    """Points for `value`: 0 at `floor`, all at `target`, linear in between (or a step)."""
    if value is None or not math.isfinite(value):
        return 0.0
    if _reached(value, target, direction):
        return float(points)
    span = (target - floor) if direction == "higher" else (floor - target)
    if curve == "step" or span <= 0:
        return 0.0
    gained = (value - floor) if direction == "higher" else (floor - value)
    return round(points * min(max(gained / span, 0.0), 1.0), 4)


def load_reference(threshold: Threshold, *, week_dir: Path) -> tuple[Metric, Reference]:
    """The metric and the instructor's labels/assets; `ConfigError` when they are unusable."""
    metric = get_metric(threshold.metric)
    where = f"{week_dir}: thresholds.{threshold.id}"
    labels = None
    if threshold.labels:
        labels = _load_labels(week_dir / threshold.labels, where, metric.label_ndim)
    elif metric.needs_labels:
        raise ConfigError(f"{where}: metric {metric.name!r} needs `labels` (hidden .npy)")
    assets = None
    if metric.load_assets is not None:
        if not threshold.assets:
            raise ConfigError(f"{where}: metric {metric.name!r} needs `assets`")
        assets = metric.load_assets(week_dir / threshold.assets)
    return metric, Reference(labels=labels, assets=assets)


def check_threshold(threshold: Threshold, *, week_dir: Path) -> None:
    """Raise `ConfigError` for a threshold that could not score anyone fairly."""
    metric, _reference = load_reference(threshold, week_dir=week_dir)
    direction = threshold.direction or metric.direction
    if (direction == "higher" and threshold.floor > threshold.target) or (
        direction == "lower" and threshold.floor < threshold.target
    ):
        raise ConfigError(
            f"{week_dir}: thresholds.{threshold.id}: floor {threshold.floor} is beyond "
            f"target {threshold.target} for direction {direction!r}"
        )


def score_threshold(
    threshold: Threshold,
    *,
    artifact: bytes | None,
    probe_error: str | None = None,
    week_dir: Path,
    failure: Message | None = None,
    scored: str = "",
) -> MetricResult:
    """Score the predictions (``.npy``) for `threshold` against the week's hidden files.

    `failure` is the evaluate stage's message when there are no predictions (export,
    load, rule); `scored` says which model was scored, and starts the message.
    """
    metric, reference = load_reference(threshold, week_dir=week_dir)
    direction = threshold.direction or metric.direction
    if failure is not None:
        result = MetricValue(None, message=failure)
    elif probe_error is not None:
        result = MetricValue(
            None,
            message=Message.of("threshold.probe_error", error=executor_message(probe_error)),
        )
    elif artifact is None:
        result = MetricValue(None, message=Message.of("threshold.no_artifact"))
    else:
        result = _evaluate(metric, reference, threshold, artifact)
    value = result.value
    if value is not None and not math.isfinite(value):
        value = None
    points = points_for(
        value,
        floor=threshold.floor,
        target=threshold.target,
        points=threshold.points,
        direction=direction,
        curve=threshold.curve,
    )
    message = result.message or _summary(value, threshold, direction)
    if scored:
        message = Message.of("threshold.scored_note", what=scored, note=message)
    return MetricResult(
        id=threshold.id,
        metric=metric.name,
        value=value,
        floor=threshold.floor,
        target=threshold.target,
        points=points,
        max_points=float(threshold.points),
        direction=direction,
        message=message,
        details=dict(result.details),
    )


def _evaluate(
    metric: Metric, reference: Reference, threshold: Threshold, artifact: bytes
) -> MetricValue:
    try:
        array = validate(
            artifact,
            shapes=metric.shapes_for(reference),
            rows=metric.rows_for(reference, threshold.options),
        )
        return metric.compute(array, reference, threshold.options)
    except InvalidPrediction as exc:
        return MetricValue(None, message=exc.fact)
    except (ValueError, FloatingPointError, OverflowError) as exc:
        # sklearn refusing a shape of predictions we did not foresee: still the student's array
        return MetricValue(
            None, message=Message.of("threshold.metric_failed", error=str(exc)[:300])
        )


def _load_labels(path: Path, where: str, ndim: int) -> np.ndarray:
    try:
        labels = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{where}: cannot read labels {path}: {exc}") from exc
    if not isinstance(labels, np.ndarray) or labels.dtype.kind not in "biuf":
        raise ConfigError(f"{where}: labels {path} must be a numeric .npy array")
    if labels.ndim != ndim or len(labels) == 0:
        raise ConfigError(
            f"{where}: labels {path} must be {ndim}-D and non-empty, got {labels.shape}"
        )
    if ndim == 2 and labels.shape[1] != 2:
        raise ConfigError(f"{where}: labels {path} must have 2 columns, got {labels.shape}")
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise ConfigError(f"{where}: labels {path} contain NaN or inf")
    return labels


def _reached(value: float, target: float, direction: str) -> bool:
    return value >= target if direction == "higher" else value <= target


def _summary(value: float | None, threshold: Threshold, direction: str) -> Message:
    if value is not None and _reached(value, threshold.target, direction):
        return Message.of("threshold.ok")
    above_floor = value is not None and (
        value > threshold.floor if direction == "higher" else value < threshold.floor
    )
    if above_floor:
        return Message.of(
            "threshold.partial",
            floor=f"{threshold.floor:g}",
            target=f"{threshold.target:g}",
        )
    return Message.of("threshold.below_floor", floor=f"{threshold.floor:g}")
