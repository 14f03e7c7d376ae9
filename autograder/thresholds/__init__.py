"""Model-accuracy thresholds, scored on the host from the sandbox's prediction arrays.

The clean evaluator returns predictions (an ``.npy`` array per threshold); the
hidden labels and evaluator assets stay here. `score_threshold` turns one
artifact into a `autograder.results.MetricResult` (the contract's ``metrics`` entry); the
feedback renders it (`autograder.feedback`).
"""

from autograder.thresholds.artifact import InvalidPrediction, read_artifact, validate
from autograder.thresholds.metrics import METRICS, get_metric
from autograder.thresholds.scoring import (
    check_threshold,
    load_reference,
    points_for,
    score_threshold,
)

__all__ = [
    "METRICS",
    "InvalidPrediction",
    "check_threshold",
    "get_metric",
    "load_reference",
    "points_for",
    "read_artifact",
    "score_threshold",
    "validate",
]
