"""Regenerate week 6's hidden test set (deterministic; run from anywhere).

The 360 images of the public test split, three copies each = 1080 rows; every
copy gets an independent shift of -1, 0 or +1 pixel on each axis (zero fill,
so 8 of 9 copies move, diagonals included) and Gaussian pixel noise
(sigma = 1.6 on the raw 0..16 scale, clipped). A +-1 px shift is 12.5 % of an
8x8 image: models trained without augmentation fail here (see docs/course/week06.md).
Outputs: ``X.npy`` (1080, 64) float32 raw-scale pixels, ``y.npy`` (1080,) int64.
"""

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = Path(__file__).resolve().parent
SEED = 6006
COPIES = 3
NOISE_SIGMA = 1.6  # raw pixel units (0..16)


def shift(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Move an 8x8 image by (dy, dx) pixels, filling with zeros."""
    out = np.zeros_like(image)
    h, w = image.shape
    out[max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = image[
        max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def make(seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    digits = load_digits()
    _, X_test, _, y_test = train_test_split(
        digits.data, digits.target, test_size=0.2, random_state=42, stratify=digits.target
    )
    rng = np.random.default_rng(seed)
    images = np.concatenate([X_test] * COPIES).reshape(-1, 8, 8)
    y = np.concatenate([y_test] * COPIES).astype(np.int64)
    moves = rng.integers(-1, 2, size=(len(images), 2))
    shifted = np.stack([shift(img, int(dy), int(dx)) for img, (dy, dx) in zip(images, moves)])
    X = shifted.reshape(-1, 64) + rng.normal(0.0, NOISE_SIGMA, size=(len(images), 64))
    X = np.clip(X, 0.0, 16.0)
    public = {row.tobytes() for row in digits.data.astype(np.float64)}
    assert not any(row.tobytes() in public for row in X), "a hidden row equals a public row"
    return X, y


def main() -> None:
    X, y = make()
    np.save(HERE / "X.npy", X.astype(np.float32), allow_pickle=False)
    np.save(HERE / "y.npy", y, allow_pickle=False)
    print(f"week06 hidden: X {X.shape}, y {y.shape}, classes {np.bincount(y).tolist()}")


if __name__ == "__main__":
    main()
