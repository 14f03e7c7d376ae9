"""The types every metric shares: what the instructor provides and what a metric returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from autograder.messages import Message
from autograder.thresholds.artifact import Shape

Direction = Literal["higher", "lower"]


@dataclass(frozen=True)
class Reference:
    """The instructor's side of a threshold: hidden labels and loaded assets."""

    labels: np.ndarray | None = None
    assets: Any = None


@dataclass(frozen=True)
class MetricValue:
    """What a metric computed from the predictions, before scoring: the value and its
    parts. Scoring (floor, target, points) turns it into `autograder.results.MetricResult`."""

    value: float | None
    details: dict[str, float] = field(default_factory=dict)
    message: Message | None = None  # student-facing note (e.g. failed gates); None when plain


Compute = Callable[[np.ndarray, Reference, Mapping[str, Any]], MetricValue]


@dataclass(frozen=True)
class Metric:
    name: str
    direction: Direction
    compute: Compute
    shapes: tuple[Shape, ...] | Callable[[Reference], tuple[Shape, ...]]
    needs_labels: bool = True
    label_ndim: int = 1
    load_assets: Callable[[Any], Any] | None = None  # Path -> the object compute reads
    rows: Callable[[Reference, Mapping[str, Any]], int | None] | None = None

    def shapes_for(self, reference: Reference) -> tuple[Shape, ...]:
        return self.shapes(reference) if callable(self.shapes) else self.shapes

    def rows_for(self, reference: Reference, options: Mapping[str, Any]) -> int | None:
        if self.rows is not None:
            return self.rows(reference, options)
        return None if reference.labels is None else len(reference.labels)
