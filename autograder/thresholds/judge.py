"""Week 8's frozen instructor judge: a small MLP digit classifier, stored without pickle.

The instructor trains it once on the real training images (`train_judge`) and keeps
the ``.npz`` under ``solutions/<week>/hidden/``. Scoring loads it as plain arrays
(`load_judge`) and runs the forward pass in numpy, so neither sklearn's pickles nor
student code are involved; the training images travel in the same file for the
memorisation check.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ACTIVATIONS = ("relu", "tanh", "logistic", "identity")
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Judge:
    """A trained MLP as arrays; `predict_proba` matches sklearn's to ~1e-12."""

    coefs: tuple[np.ndarray, ...]
    intercepts: tuple[np.ndarray, ...]
    activation: str
    classes: np.ndarray
    train_images: np.ndarray
    #: every real image the instructor has (training and held-out): the copy gates
    real_images: np.ndarray | None = None
    #: held-out real images: the reference of the feature (Fréchet) distance
    heldout_images: np.ndarray | None = None

    def features(self, images: np.ndarray) -> np.ndarray:
        """The last hidden layer's activations: the feature space of the Fréchet distance."""
        x = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
        for w, b in zip(self.coefs[:-1], self.intercepts[:-1], strict=True):
            x = _hidden(x @ w + b, self.activation)
        return x

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        x = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
        last = len(self.coefs) - 1
        for i, (w, b) in enumerate(zip(self.coefs, self.intercepts, strict=True)):
            x = x @ w + b
            if i < last:
                x = _hidden(x, self.activation)
        if x.shape[1] == 1:  # sklearn's binary MLP: one logistic output
            p = 1.0 / (1.0 + np.exp(-x))
            return np.hstack([1.0 - p, p])
        x = x - x.max(axis=1, keepdims=True)
        e = np.exp(x)
        return e / e.sum(axis=1, keepdims=True)


def train_judge(
    images: np.ndarray,
    labels: np.ndarray,
    out_path: Path,
    *,
    seed: int = 0,
    hidden: tuple[int, ...] = (128,),
    max_iter: int = 500,
    real_images: np.ndarray | None = None,
    heldout_images: np.ndarray | None = None,
) -> None:
    """Train ``MLPClassifier(hidden, random_state=seed)`` and save it as a pickle-free ``.npz``.

    `real_images` (every real image available) and `heldout_images` are stored for
    the copy and feature-distance gates (`image_gates`).
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    x = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    model = MLPClassifier(hidden, random_state=seed, max_iter=max_iter)
    # one BLAS thread: this small net trains ~10x faster than with contended threads
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, np.asarray(labels))
    if model.activation not in ACTIVATIONS:  # pragma: no cover - sklearn's own set
        raise ValueError(f"unsupported activation {model.activation!r}")
    arrays: dict[str, np.ndarray] = {
        "format_version": np.array(FORMAT_VERSION),
        "n_layers": np.array(len(model.coefs_)),
        "activation": np.array(model.activation),
        "out_activation": np.array(model.out_activation_),
        "classes": np.asarray(model.classes_),
        "train_images": x.astype(np.float32),
    }
    if real_images is not None:
        arrays["real_images"] = np.asarray(real_images, np.float32).reshape(len(real_images), -1)
    if heldout_images is not None:
        arrays["heldout_images"] = np.asarray(heldout_images, np.float32).reshape(
            len(heldout_images), -1
        )
    for i, (w, b) in enumerate(zip(model.coefs_, model.intercepts_, strict=True)):
        arrays[f"coef_{i}"] = np.asarray(w, dtype=np.float64)
        arrays[f"intercept_{i}"] = np.asarray(b, dtype=np.float64)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("wb") as fh:
        np.savez_compressed(fh, allow_pickle=False, **arrays)  # type: ignore[arg-type]


def digits_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The course's load_digits split (weeks 5, 6, 8), images scaled to [-1, 1]:
    ``x_train, x_test, y_train, y_test`` with 1437 / 360 rows."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x_tr, x_te, y_tr, y_te = train_test_split(
        digits.data / 16 * 2 - 1,
        digits.target,
        test_size=0.2,
        random_state=42,
        stratify=digits.target,
    )
    return x_tr, x_te, y_tr, y_te


def train_digits_judge(out_path: Path, *, seed: int = 0) -> None:
    """Week 8's judge as measured in course-measurements.md (held-out accuracy 0.983)."""
    x_tr, _x_te, y_tr, _y_te = digits_split()
    train_judge(x_tr, y_tr, out_path, seed=seed)


def load_judge(path: Path) -> Judge:
    """Read a judge saved by `train_judge`; never unpickles."""
    with np.load(Path(path), allow_pickle=False) as data:
        version = int(data["format_version"])
        if version != FORMAT_VERSION:
            raise ValueError(f"{path}: judge format {version}, expected {FORMAT_VERSION}")
        n_layers = int(data["n_layers"])
        activation = str(data["activation"])
        out_activation = str(data["out_activation"])
        if activation not in ACTIVATIONS or out_activation not in ("softmax", "logistic"):
            raise ValueError(f"{path}: unsupported activations {activation}/{out_activation}")
        return Judge(
            coefs=tuple(data[f"coef_{i}"] for i in range(n_layers)),
            intercepts=tuple(data[f"intercept_{i}"] for i in range(n_layers)),
            activation=activation,
            classes=data["classes"],
            train_images=data["train_images"].astype(np.float64),
            real_images=data["real_images"].astype(np.float64)
            if "real_images" in data.files
            else None,
            heldout_images=data["heldout_images"].astype(np.float64)
            if "heldout_images" in data.files
            else None,
        )


def _hidden(x: np.ndarray, activation: str) -> np.ndarray:
    if activation == "relu":
        return np.maximum(x, 0.0)
    if activation == "tanh":
        return np.tanh(x)
    if activation == "logistic":
        return 1.0 / (1.0 + np.exp(-x))
    return x
