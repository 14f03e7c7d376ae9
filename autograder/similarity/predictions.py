"""Model outputs as evidence: the same predictions, the same unusual wrong answers.

Where the workspace keeps a submission's threshold predictions
(``<workspace>/predictions/<week>/<login>/<threshold id>.npy``; the grading
pipeline does not write them yet), two kinds of item join the output signal:

- ``predictions``: the whole array, identical (floats rounded to 5 decimals, so a
  re-run on another machine still matches) — a generated image set
  or a prediction vector copied or produced by the same copied model;
- ``prediction``: one answer that differs from what most of the class predicted at
  that position (the class's majority for label arrays). Good models agree with
  each other on easy inputs, so agreement there means nothing; two models that
  make the same *unusual* answers many times are the same model.

Files are student-made: loaded with ``allow_pickle=False``, regular files only,
size-capped; anything else is skipped, never an error.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import numpy as np

from autograder.course import Course
from autograder.similarity.outputs import Item

MAX_BYTES = 64 * 1024 * 1024
MAX_UNUSUAL = 300  # per array: a model that is wrong everywhere is not evidence of anything
MAX_LABEL = 100_000


def predictions_dir(course: Course, week: str, login: str) -> Path:
    return course.workspace / "predictions" / week / login


def load_predictions(folder: Path) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    if not folder.is_dir():
        return arrays
    for path in sorted(folder.glob("*.npy")):
        try:
            if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_BYTES:
                continue
            array = np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            continue
        if array.dtype.kind in "biuf" and array.size:
            arrays[path.stem] = array
    return arrays


def _digest(array: np.ndarray) -> str:
    data = np.round(array.astype(np.float64), 5) if array.dtype.kind == "f" else array
    digest = hashlib.sha256(str(array.shape).encode() + np.ascontiguousarray(data).tobytes())
    return digest.hexdigest()[:16]


def _labels(array: np.ndarray) -> np.ndarray | None:
    """A 1-D array of class labels, or None (probabilities become their argmax)."""
    if array.ndim == 2 and array.dtype.kind == "f" and array.shape[1] > 1:
        array = array.argmax(axis=1)
    if array.ndim != 1 or array.dtype.kind not in "biu":
        return None
    if array.min() < 0 or array.max() > MAX_LABEL:
        return None
    return array.astype(np.int64)


def prediction_items(per_student: list[dict[str, np.ndarray]]) -> list[set[Item]]:
    """Items of every student, in the order given (the majority needs the whole class)."""
    items: list[set[Item]] = [set() for _ in per_student]
    by_name: dict[str, list[tuple[int, np.ndarray]]] = defaultdict(list)
    for i, arrays in enumerate(per_student):
        for name, array in arrays.items():
            items[i].add(Item("predictions", f"{name} sha256:{_digest(array)}"))
            labels = _labels(array)
            if labels is not None:
                by_name[name].append((i, labels))
    for name, holders in by_name.items():
        length = max(len(a) for _, a in holders)
        same = [(i, a) for i, a in holders if len(a) == length]
        if len(same) < 3:  # no majority to differ from
            continue
        stacked = np.stack([a for _, a in same])
        counts = np.apply_along_axis(np.bincount, 0, stacked, minlength=int(stacked.max()) + 1)
        majority = counts.argmax(axis=0)
        for i, labels in same:
            unusual = np.flatnonzero(labels != majority)[:MAX_UNUSUAL]
            items[i].update(
                Item("prediction", f"{name}[{k}] = {labels[k]}") for k in unusual.tolist()
            )
    return items
