"""The metric registry: name -> how to read the predictions and score them.

Each `Metric` says which direction is better, which artifact shapes it accepts
(see `artifact.Dim`), what it needs from the instructor (hidden labels, assets)
and how to compute its value. scikit-learn's metric functions do the arithmetic.

Formats (all ``.npy``, loaded without pickle):

- classification (accuracy, balanced_accuracy, f1): labels (n,) integers; the
  model returns labels (n,) or probabilities (n, k) (argmax; column j is class j,
  or ``options.classes[j]``) or (n, 1) positive-class probabilities (>= 0.5).
- roc_auc: binary labels with scores (n,), (n, 1) or (n, 2) (column 1 is the
  positive class, the larger label); multiclass labels with (n, k) probabilities
  whose rows sum to 1 (one-vs-rest, macro).
- r2, rmse, mae: labels (n,) numbers; predictions (n,) or (n, 1).
- adjusted_rand: labels (n,) true groups; predictions (n,) cluster ids.
- silhouette: no labels; ``assets`` is X (n, d); predictions (n,) cluster ids.
- precision_at_k: labels (n, 2) = [user id, relevance] per candidate (user, item)
  row; predictions (n,) scores for the same rows. Per user, the k best-scored
  candidates are compared with the relevant ones (relevance >= option
  ``relevance_threshold``, default 0.5); precision = hits / min(k, candidates),
  averaged over users with at least one relevant item. Tied scores rank the
  relevant items last, so a constant predictor earns nothing. Option ``k``
  (default 10).
- generated_images: see `autograder.thresholds.images`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from sklearn import metrics as skm

from autograder.errors import ConfigError
from autograder.messages import Message
from autograder.thresholds import images
from autograder.thresholds.artifact import InvalidPrediction, Shape
from autograder.thresholds.base import Metric, MetricValue, Reference

METRICS: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    METRICS[metric.name] = metric
    return metric


def get_metric(name: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        known = ", ".join(sorted(METRICS))
        raise ConfigError(f"unknown metric {name!r}; known metrics: {known}") from None


# -- helpers ----------------------------------------------------------------------

LABELS: tuple[Shape, ...] = (("n",), ("n", None))
VALUES: tuple[Shape, ...] = (("n",), ("n", 1))


def _quiet(fn: Callable[[], float]) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(fn())


def _integral(pred: np.ndarray) -> np.ndarray:
    """(n,) predictions as int64 class ids, or the not-labels message."""
    if pred.dtype.kind == "f" and not (
        np.all(pred == np.round(pred)) and np.all(np.abs(pred) <= 2**53)
    ):
        raise InvalidPrediction(Message.of("threshold.not_class_labels"))
    return pred.astype(np.int64)


def _classes(labels: np.ndarray, options: Mapping[str, Any]) -> np.ndarray:
    if "classes" in options:
        return np.asarray(options["classes"])
    return np.arange(int(labels.max()) + 1)


def class_predictions(
    pred: np.ndarray, labels: np.ndarray, options: Mapping[str, Any]
) -> np.ndarray:
    """Predicted class per row from labels (n,), probabilities (n, k) or (n, 1)."""
    if pred.ndim == 1:
        return _integral(pred)
    if pred.shape[1] == 1:
        return (pred[:, 0] >= float(options.get("threshold", 0.5))).astype(np.int64)
    classes = _classes(labels, options)
    if pred.shape[1] != len(classes):
        raise InvalidPrediction(
            Message.of("threshold.proba_columns", expected=len(classes), actual=pred.shape[1])
        )
    return classes[np.argmax(pred, axis=1)]


def _values(pred: np.ndarray) -> np.ndarray:
    return pred.reshape(len(pred)).astype(np.float64)


# -- classification -----------------------------------------------------------------


def _accuracy(pred: np.ndarray, ref: Reference, options: Mapping[str, Any]) -> MetricValue:
    y = ref.labels
    assert y is not None
    y_pred = class_predictions(pred, y, options)
    return MetricValue(_quiet(lambda: skm.accuracy_score(y, y_pred)))


def _balanced(pred: np.ndarray, ref: Reference, options: Mapping[str, Any]) -> MetricValue:
    y = ref.labels
    assert y is not None
    y_pred = class_predictions(pred, y, options)
    return MetricValue(_quiet(lambda: skm.balanced_accuracy_score(y, y_pred)))


def _f1(pred: np.ndarray, ref: Reference, options: Mapping[str, Any]) -> MetricValue:
    y = ref.labels
    assert y is not None
    y_pred = class_predictions(pred, y, options)
    binary = set(np.unique(y).tolist()) <= {0, 1}
    average = options.get("average", "binary" if binary else "macro")
    if average == "binary":  # any predicted class other than the positive one is negative
        positive = options.get("pos_label", 1)
        y, y_pred = (y == positive).astype(int), (y_pred == positive).astype(int)
    return MetricValue(_quiet(lambda: skm.f1_score(y, y_pred, average=average, zero_division=0)))


def _roc_auc(pred: np.ndarray, ref: Reference, options: Mapping[str, Any]) -> MetricValue:
    y = ref.labels
    assert y is not None
    present = np.unique(y)
    if len(present) <= 2 and "classes" not in options:
        if pred.ndim == 2 and pred.shape[1] > 2:
            raise InvalidPrediction(
                Message.of("threshold.proba_columns", expected=2, actual=pred.shape[1])
            )
        scores = pred if pred.ndim == 1 else pred[:, -1]
        return MetricValue(_quiet(lambda: skm.roc_auc_score(y, scores.astype(np.float64))))
    classes = _classes(y, options)
    if pred.ndim == 1:
        shape = f"({len(pred)},)"
        allowed = f"({len(pred)}, {len(classes)})"
        raise InvalidPrediction(Message.of("threshold.shape", actual=shape, allowed=allowed))
    if pred.shape[1] != len(classes):
        raise InvalidPrediction(
            Message.of("threshold.proba_columns", expected=len(classes), actual=pred.shape[1])
        )
    probs = pred.astype(np.float64)
    if np.any(probs < 0) or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-3):
        raise InvalidPrediction(Message.of("threshold.proba_sum"))
    probs = probs / probs.sum(axis=1, keepdims=True)
    return MetricValue(
        _quiet(
            lambda: skm.roc_auc_score(
                y, probs, multi_class="ovr", average=options.get("average", "macro"), labels=classes
            )
        )
    )


# -- regression -------------------------------------------------------------------


def _r2(pred: np.ndarray, ref: Reference, options: Mapping[str, Any]) -> MetricValue:
    return MetricValue(_quiet(lambda: skm.r2_score(_values(ref.labels), _values(pred))))  # type: ignore[arg-type]


def _rmse(pred: np.ndarray, ref: Reference, options: Mapping[str, Any]) -> MetricValue:
    return MetricValue(
        _quiet(lambda: skm.root_mean_squared_error(_values(ref.labels), _values(pred)))  # type: ignore[arg-type]
    )


def _mae(pred: np.ndarray, ref: Reference, options: Mapping[str, Any]) -> MetricValue:
    return MetricValue(
        _quiet(lambda: skm.mean_absolute_error(_values(ref.labels), _values(pred)))  # type: ignore[arg-type]
    )


# -- clustering -------------------------------------------------------------------


def _adjusted_rand(pred: np.ndarray, ref: Reference, options: Mapping[str, Any]) -> MetricValue:
    clusters = _integral(pred)
    return MetricValue(_quiet(lambda: skm.adjusted_rand_score(ref.labels, clusters)))


def _silhouette(pred: np.ndarray, ref: Reference, options: Mapping[str, Any]) -> MetricValue:
    clusters = _integral(pred)
    count = len(np.unique(clusters))
    if count < 2 or count >= len(clusters):
        return MetricValue(None, message=Message.of("threshold.single_cluster", count=count))
    x = ref.assets
    value = _quiet(
        lambda: skm.silhouette_score(x, clusters, metric=options.get("distance", "euclidean"))
    )
    return MetricValue(value, details={"clusters": float(count)})


def _features(path: Any) -> np.ndarray:
    try:
        x = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read the silhouette features: {exc}") from exc
    if x.ndim != 2 or x.dtype.kind not in "biuf" or not np.all(np.isfinite(x)):
        raise ConfigError(f"{path}: silhouette needs a finite numeric (n, d) feature array")
    return x.astype(np.float64)


# -- recommendation ---------------------------------------------------------------


def precision_at_k(
    scores: np.ndarray, users: np.ndarray, relevant: np.ndarray, *, k: int
) -> tuple[float, int]:
    """Mean precision@k over users with a relevant item, and how many users counted.

    Ties in `scores` rank the relevant items last (pessimistic), so a model gains
    nothing from the order of the candidate rows.
    """
    order = np.lexsort((relevant, -scores, users))  # by user, best score first, relevant last
    users_sorted, relevant_sorted = users[order], relevant[order]
    starts = np.flatnonzero(np.r_[True, users_sorted[1:] != users_sorted[:-1]])
    ends = np.r_[starts[1:], len(users_sorted)]
    precisions = []
    for start, end in zip(starts, ends, strict=True):
        rel = relevant_sorted[start:end]
        if not rel.any():
            continue
        top = rel[: min(k, end - start)]
        precisions.append(top.sum() / len(top))
    return (float(np.mean(precisions)) if precisions else 0.0), len(precisions)


def _precision_at_k(pred: np.ndarray, ref: Reference, options: Mapping[str, Any]) -> MetricValue:
    labels = ref.labels
    assert labels is not None
    k = int(options.get("k", 10))
    relevant = labels[:, 1] >= float(options.get("relevance_threshold", 0.5))
    value, users = precision_at_k(_values(pred), labels[:, 0], relevant, k=k)
    return MetricValue(value, details={"users": float(users), "k": float(k)})


# -- the registry -----------------------------------------------------------------


def _register_all() -> None:
    for metric in (
        Metric("accuracy", "higher", _accuracy, LABELS),
        Metric("balanced_accuracy", "higher", _balanced, LABELS),
        Metric("f1", "higher", _f1, LABELS),
        Metric("roc_auc", "higher", _roc_auc, LABELS),
        Metric("r2", "higher", _r2, VALUES),
        Metric("rmse", "lower", _rmse, VALUES),
        Metric("mae", "lower", _mae, VALUES),
        Metric("adjusted_rand", "higher", _adjusted_rand, (("n",),)),
        Metric(
            "silhouette",
            "higher",
            _silhouette,
            (("n",),),
            needs_labels=False,
            load_assets=_features,
            rows=lambda ref, _opts: len(ref.assets),
        ),
        Metric("precision_at_k", "higher", _precision_at_k, VALUES, label_ndim=2),
        images.GENERATED_IMAGES,
    ):
        register(metric)


_register_all()
