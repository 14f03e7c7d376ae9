"""Regenerate week04's public data (``data/``) and hidden evaluation sets (``hidden/``).

Deterministic: ``python make_hidden.py`` rewrites every file byte for byte.

- ``data/blobs.csv``: 400 points from 4 Gaussian blobs (fixed centres, std 1.3).
  ``hidden/blobs_X.npy``/``blobs_y.npy``: a fresh 400-point draw from the same blobs and its
  true component labels (scored with the adjusted Rand index, so label names do not matter).
- ``data/ratings.csv``: 3000 observed (user, item, rating) triples of 200 users x 100 items
  (15 % density). The true matrix is 3.2 + user bias + item bias + a rank-4 taste term;
  observations add N(0, 0.5) noise, are clipped to [1, 5] and rounded to 0.1.
  ``hidden/rec_users.npy``/``rec_items.npy``/``rec_ratings.npy``: 1000 OTHER cells of the
  same matrix with fresh noise (never in the public file), scored with RMSE.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
CENTERS = np.array([[-5.0, -3.0], [3.5, -4.5], [-2.5, 4.5], [4.5, 3.0]])
BLOB_STD = 1.3
N_USERS, N_ITEMS, RANK = 200, 100, 4
N_PUBLIC, N_HIDDEN = 3000, 1000
NOISE = 0.5


def blobs(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.integers(0, len(CENTERS), size=n)
    points = CENTERS[labels] + rng.normal(0.0, BLOB_STD, size=(n, 2))
    return points, labels


def true_ratings(rng: np.random.Generator) -> np.ndarray:
    user_bias = rng.normal(0, 0.4, size=N_USERS)
    item_bias = rng.normal(0, 0.4, size=N_ITEMS)
    u = rng.normal(0, 1, size=(N_USERS, RANK))
    v = rng.normal(0, 1, size=(N_ITEMS, RANK))
    return 3.2 + user_bias[:, None] + item_bias[None, :] + 0.7 * (u @ v.T) / 2


def observe(rng: np.random.Generator, truth: np.ndarray, cells: np.ndarray) -> np.ndarray:
    users, items = np.divmod(cells, N_ITEMS)
    noisy = truth[users, items] + rng.normal(0, NOISE, size=len(cells))
    return np.round(np.clip(noisy, 1.0, 5.0), 1)


def make(seed: int = 0) -> dict[str, np.ndarray]:
    """All arrays for one data seed (seed 0 is the one shipped)."""
    rng = np.random.default_rng(seed)
    train_X, train_y = blobs(rng, 400)
    hidden_X, hidden_y = blobs(rng, 400)
    truth = true_ratings(rng)
    cells = rng.permutation(N_USERS * N_ITEMS)[: N_PUBLIC + N_HIDDEN]
    public, hidden = cells[:N_PUBLIC], cells[N_PUBLIC:]
    return {
        "blobs": np.round(train_X, 4),
        "blobs_true": train_y,
        "blobs_X": np.round(hidden_X, 4),
        "blobs_y": hidden_y.astype(np.int64),
        "public_users": public // N_ITEMS,
        "public_items": public % N_ITEMS,
        "public_ratings": observe(rng, truth, public),
        "rec_users": (hidden // N_ITEMS).astype(np.int64),
        "rec_items": (hidden % N_ITEMS).astype(np.int64),
        "rec_ratings": observe(rng, truth, hidden),
        "truth": truth,
    }


def main() -> None:
    arrays = make(0)
    DATA.mkdir(exist_ok=True)
    with open(DATA / "blobs.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["x1", "x2"])
        writer.writerows([f"{a:.4f}", f"{b:.4f}"] for a, b in arrays["blobs"])
    with open(DATA / "ratings.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["user", "item", "rating"])
        order = np.lexsort((arrays["public_items"], arrays["public_users"]))
        for i in order:
            writer.writerow(
                [arrays["public_users"][i], arrays["public_items"][i], f"{arrays['public_ratings'][i]:.1f}"]
            )
    for name in ("blobs_X", "blobs_y", "rec_users", "rec_items", "rec_ratings"):
        np.save(HERE / f"{name}.npy", arrays[name])
    pub = set(zip(arrays["public_users"].tolist(), arrays["public_items"].tolist()))
    hid = set(zip(arrays["rec_users"].tolist(), arrays["rec_items"].tolist()))
    assert not pub & hid, "a hidden rating cell is also public"
    assert not (arrays["blobs_X"][:, None, :] == arrays["blobs"][None, :, :]).all(axis=2).any()


if __name__ == "__main__":
    main()
