"""Week 8: scoring generated digits with the frozen judge (`judge.py`).

The evaluator returns the generator's n samples, (n, d), (n, s, s) or (n, s, s, 1) with d = s*s the
judge's input size (64 for load_digits), pixels in [-1, 1]. Sub-metrics:

- confidence: the judge's mean max-probability;
- coverage: classes receiving at least ``coverage_share`` (2 %) of the predictions;
- inception score: exp(E_x KL(p(y|x) || p(y)));
- nearest_train_l2: mean L2 from each sample to its nearest training image;
- pairwise_l2: mean L2 between samples (diversity).

Judge confidence alone rewards a blank image, coverage alone rewards noise and
neither sees copied training images (course-measurements.md, week 8), so the value
is the inception score only when every gate passes, else 0 with each failed gate
named. Gates and limits are overridable in the threshold's ``options``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from scipy.spatial.distance import cdist, pdist

from autograder.errors import ConfigError
from autograder.messages import Message
from autograder.thresholds.artifact import InvalidPrediction, Shape
from autograder.thresholds.base import Metric, MetricValue, Reference
from autograder.thresholds.image_gates import copy_metrics, frechet_distance, roughness
from autograder.thresholds.judge import Judge, load_judge

DEFAULTS: dict[str, float] = {
    "min_confidence": 0.80,
    "min_coverage": 8,
    "min_nearest_l2": 1.0,
    "min_pairwise_l2": 3.0,
    "coverage_share": 0.02,
    "copy_distance": 1.0,
    "min_samples": 100,
    "max_samples": 5000,
    # anti-copy gates (need the judge's real_images / heldout_images; image_gates.py)
    "real_copy_distance": 2.0,
    "blend_distance": 1.5,
    "blend_neighbours": 12,
    "max_copied_share": 0.20,
    "max_blended_share": 0.25,
    "max_roughness": 1.10,
    "max_feature_distance": 15.0,
}
GATES = (  # (sub-metric, option with its lower limit, message key)
    ("confidence", "min_confidence", "gate_confidence"),
    ("coverage", "min_coverage", "gate_coverage"),
    ("nearest_train_l2", "min_nearest_l2", "gate_nearest"),
    ("pairwise_l2", "min_pairwise_l2", "gate_diversity"),
)
UPPER_GATES = (  # (sub-metric, option with its upper limit, message key)
    ("copied_share", "max_copied_share", "gate_copied"),
    ("blended_share", "max_blended_share", "gate_blended"),
    ("roughness", "max_roughness", "gate_roughness"),
    ("feature_distance", "max_feature_distance", "gate_features"),
)


def image_metrics(
    images: np.ndarray, judge: Judge, *, coverage_share: float = 0.02, copy_distance: float = 1.0
) -> dict[str, float]:
    """Every sub-metric of a sample set (n, d), as plain floats."""
    x = images.reshape(len(images), -1).astype(np.float64)
    proba = judge.predict_proba(x)
    predicted = np.argmax(proba, axis=1)
    counts = np.bincount(predicted, minlength=proba.shape[1])
    marginal = proba.mean(axis=0)
    eps = 1e-12
    kl = np.sum(proba * (np.log(proba + eps) - np.log(marginal + eps)), axis=1)
    nearest = _nearest_distances(x, judge.train_images)
    return {
        "confidence": float(proba.max(axis=1).mean()),
        "coverage": float(np.sum(counts >= coverage_share * len(x))),
        "classes_predicted": float(np.count_nonzero(counts)),
        "inception_score": float(math.exp(kl.mean())),
        "nearest_train_l2": float(nearest.mean()),
        "copied_fraction": float(np.mean(nearest < copy_distance)),
        "pairwise_l2": float(pdist(x).mean()) if len(x) > 1 else 0.0,
        "samples": float(len(x)),
    }


def _nearest_distances(x: np.ndarray, train: np.ndarray, chunk: int = 1024) -> np.ndarray:
    return np.concatenate(
        [cdist(x[i : i + chunk], train).min(axis=1) for i in range(0, len(x), chunk)]
    )


def _all_of(messages: list[Message]) -> Message:
    """The failed gates, "a; b; c"."""
    shown = messages[0]
    for message in messages[1:]:
        shown = Message.of("threshold.gates_and", first=shown, second=message)
    return shown


def _option(options: Mapping[str, Any], name: str) -> float:
    return float(options.get(name, DEFAULTS[name]))


def evaluate_images(
    images: np.ndarray, judge: Judge, options: Mapping[str, Any]
) -> tuple[dict[str, float], list[str]]:
    """Every sub-metric and the names of the failed gates (lower and upper limits)."""
    x = images.reshape(len(images), -1).astype(np.float64)
    details = image_metrics(
        x,
        judge,
        coverage_share=_option(options, "coverage_share"),
        copy_distance=_option(options, "copy_distance"),
    )
    if judge.real_images is not None:
        side = math.isqrt(x.shape[1])
        details |= copy_metrics(
            x,
            judge.real_images,
            side=side,
            copy_distance=_option(options, "real_copy_distance"),
            blend_distance=_option(options, "blend_distance"),
            blend_neighbours=int(_option(options, "blend_neighbours")),
        )
    if judge.heldout_images is not None:
        details["roughness"] = roughness(x, judge.heldout_images, side=math.isqrt(x.shape[1]))
        details["feature_distance"] = frechet_distance(
            judge.features(x), judge.features(judge.heldout_images)
        )
    failed = [name for name, limit, _ in GATES if details[name] < _option(options, limit)]
    failed += [
        name
        for name, limit, _ in UPPER_GATES
        if name in details and details[name] > _option(options, limit)
    ]
    return details, failed


def _compute(pred: np.ndarray, ref: Reference, options: Mapping[str, Any]) -> MetricValue:
    judge: Judge = ref.assets
    n = len(pred)
    minimum, maximum = int(_option(options, "min_samples")), int(_option(options, "max_samples"))
    if n < minimum:
        raise InvalidPrediction(Message.of("threshold.too_few_samples", actual=n, minimum=minimum))
    if n > maximum:
        raise InvalidPrediction(Message.of("threshold.too_many_samples", actual=n, maximum=maximum))
    low, high = (float(v) for v in options.get("pixel_range", (-1.0, 1.0)))
    lo, hi = float(pred.min()), float(pred.max())
    if lo < low - 1e-6 or hi > high + 1e-6:
        raise InvalidPrediction(
            Message.of("threshold.pixel_range", low=low, high=high, min=lo, max=hi)
        )
    details, failed_names = evaluate_images(pred, judge, options)
    messages = [
        Message.of(f"threshold.{key}", value=details[name], limit=_option(options, limit))
        for name, limit, key in (*GATES, *UPPER_GATES)
        if name in failed_names
    ]
    if messages:
        return MetricValue(
            0.0, details, Message.of("threshold.gate_failed", gates=_all_of(messages))
        )
    return MetricValue(details["inception_score"], details)


def _shapes(ref: Reference) -> tuple[Shape, ...]:
    judge: Judge = ref.assets
    d = judge.coefs[0].shape[0]
    side = math.isqrt(d)
    shapes: list[Shape] = [("n", d)]
    if side * side == d:
        shapes += [("n", side, side), ("n", side, side, 1)]
    return tuple(shapes)


def _load(path: Path) -> Judge:
    try:
        return load_judge(path)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"{path}: not a judge saved by train_judge: {exc}") from exc


GENERATED_IMAGES = Metric(
    "generated_images",
    "higher",
    _compute,
    _shapes,
    needs_labels=False,
    load_assets=_load,
    rows=lambda _ref, options: int(options["n"]) if "n" in options else None,
)
