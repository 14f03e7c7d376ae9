"""Regenerate week03's hidden evaluation sets (deterministic; run from anywhere).

The hidden sets are the held-out rows of the notebook's fixed splits
(``train_test_split(..., test_size=0.25, random_state=1)``) with Gaussian jitter of 5 % of
each feature's standard deviation, so no hidden row is byte-identical to a public row.
Labels stay on the host; only ``*_X.npy`` enters the sandbox.
"""

from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.model_selection import train_test_split

HERE = Path(__file__).resolve().parent
SPLIT_SEED = 1
JITTER_SEED = 2026
JITTER = 0.05


def _jitter(X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return X + rng.normal(0.0, JITTER * X.std(axis=0), size=X.shape)


def main() -> None:
    rng = np.random.default_rng(JITTER_SEED)
    X, y = load_diabetes(return_X_y=True)
    _, X_test, _, y_test = train_test_split(X, y, test_size=0.25, random_state=SPLIT_SEED)
    reg_X = _jitter(X_test, rng)
    X, y = load_breast_cancer(return_X_y=True)
    _, Xc_test, _, yc_test = train_test_split(
        X, y, test_size=0.25, random_state=SPLIT_SEED, stratify=y
    )
    clf_X = _jitter(Xc_test, rng)
    for public, hidden in [(load_diabetes().data, reg_X), (load_breast_cancer().data, clf_X)]:
        same = (hidden[:, None, :] == public[None, :, :]).all(axis=2).any()
        assert not same, "a hidden row is byte-identical to a public row"
    np.save(HERE / "reg_X.npy", reg_X.astype(np.float64))
    np.save(HERE / "reg_y.npy", y_test.astype(np.float64))
    np.save(HERE / "clf_X.npy", clf_X.astype(np.float64))
    np.save(HERE / "clf_y.npy", yc_test.astype(np.int64))


if __name__ == "__main__":
    main()
