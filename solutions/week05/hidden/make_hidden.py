"""Regenerate week 5's hidden test set (deterministic; run from anywhere).

The hidden set is the 360 images of the public test split, three noisy copies
each (Gaussian pixel noise, sigma = 1.6 on the raw 0..16 scale, i.e. 0.1 after
scaling, clipped to 0..16) = 1080 rows. No row is byte-identical to a public
row (checked below). Outputs: ``X.npy`` (1080, 64) float32 raw-scale pixels and
``y.npy`` (1080,) int64 labels.
"""

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = Path(__file__).resolve().parent
SEED = 5005
COPIES = 3
NOISE_SIGMA = 1.6  # raw pixel units (0..16)


def make(seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    digits = load_digits()
    _, X_test, _, y_test = train_test_split(
        digits.data, digits.target, test_size=0.2, random_state=42, stratify=digits.target
    )
    rng = np.random.default_rng(seed)
    X = np.concatenate([X_test] * COPIES)
    y = np.concatenate([y_test] * COPIES).astype(np.int64)
    X = np.clip(X + rng.normal(0.0, NOISE_SIGMA, size=X.shape), 0.0, 16.0)
    public = {row.tobytes() for row in digits.data.astype(np.float64)}
    assert not any(row.tobytes() in public for row in X), "a hidden row equals a public row"
    return X, y


def main() -> None:
    X, y = make()
    np.save(HERE / "X.npy", X.astype(np.float32), allow_pickle=False)
    np.save(HERE / "y.npy", y, allow_pickle=False)
    print(f"week05 hidden: X {X.shape}, y {y.shape}, classes {np.bincount(y).tolist()}")


if __name__ == "__main__":
    main()
