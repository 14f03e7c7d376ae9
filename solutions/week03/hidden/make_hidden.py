"""Regenerate week 3's public data (``data/``) and hidden evaluation sets (``hidden/``).

Deterministic: ``python make_hidden.py`` rewrites every file byte for byte. The data are
fresh draws from two synthetic generators whose parameters come from ``SECRET_SEED`` (this
file lives in ``solutions/`` and is never released), so no hidden row is derived from
anything installed in the grading image or shown in the release; a lookup has nothing to find.

- Regression ("배송 시간"): 10 correlated features on very different scales; the target is a
  linear function of them plus Gaussian noise (so a linear model is the right one and a
  k-NN or a tree ensemble on 300 training rows falls short).
  ``data/regression.csv`` 400 rows; ``hidden/reg_X.npy``/``reg_y.npy`` 600 fresh rows.
- Classification ("불량 판정"): 20 correlated features on very different scales; the label is
  drawn from a logistic model whose weight is spread over many features (so no single
  feature or simple rule is enough). ``data/classification.csv`` 500 rows;
  ``hidden/clf_X.npy``/``clf_y.npy`` 800 fresh rows.

``make(seed)`` redraws every row with the same generators; ``bench/course_baselines.py week03``
measures the reference and the baselines on draw seeds 0, 1, 2 and on the shipped draw.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
SECRET_SEED = 3_052_871
N_REG_PUBLIC, N_REG_HIDDEN, REG_FEATURES = 400, 600, 10
N_CLF_PUBLIC, N_CLF_HIDDEN, CLF_FEATURES = 500, 800, 20
NOISE = 0.45  # noise std relative to the signal's scale
LOGIT_SCALE = 1.2
MIXING = 1.0  # feature correlations (0: independent)
DRAW_SEED = SECRET_SEED + 1  # the draws shipped; ``make(seed)`` redraws with the same generators


def _features(
    rng: np.random.Generator, n: int, mixing: np.ndarray, scale: np.ndarray, shift: np.ndarray
) -> np.ndarray:
    latent = rng.normal(size=(n, mixing.shape[0]))
    return (latent @ mixing) * scale + shift


def _generator(rng: np.random.Generator, d: int) -> dict[str, np.ndarray]:
    mixing = np.eye(d) + MIXING * rng.normal(size=(d, d)) / np.sqrt(d)
    scale = 10.0 ** rng.uniform(-1.5, 2.0, size=d)
    shift = rng.normal(0, 3, size=d) * scale
    weights = rng.normal(size=d) * (rng.random(d) < 0.8)
    return {"mixing": mixing, "scale": scale, "shift": shift, "weights": weights}


def _regression(rng: np.random.Generator, g: dict[str, np.ndarray], n: int):
    X = _features(rng, n, g["mixing"], g["scale"], g["shift"])
    signal = ((X - g["shift"]) / g["scale"]) @ g["weights"]
    y = 40.0 + 6.0 * signal + rng.normal(0, 6.0 * NOISE * np.linalg.norm(g["weights"]), size=n)
    return X, y


def _classification(rng: np.random.Generator, g: dict[str, np.ndarray], n: int):
    X = _features(rng, n, g["mixing"], g["scale"], g["shift"])
    logit = ((X - g["shift"]) / g["scale"]) @ g["weights"] * LOGIT_SCALE + 0.3
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    return X, y


def make(seed: int = DRAW_SEED) -> dict[str, np.ndarray]:
    """Every array for one draw seed: the generators (feature scales, correlations, weights)
    always come from ``SECRET_SEED``; ``seed`` draws the rows (``DRAW_SEED`` is shipped)."""
    structure = np.random.default_rng(SECRET_SEED)
    reg = _generator(structure, REG_FEATURES)
    clf = _generator(structure, CLF_FEATURES)
    rng = np.random.default_rng(seed)
    reg_public = _regression(rng, reg, N_REG_PUBLIC)
    reg_hidden = _regression(rng, reg, N_REG_HIDDEN)
    clf_public = _classification(rng, clf, N_CLF_PUBLIC)
    clf_hidden = _classification(rng, clf, N_CLF_HIDDEN)
    arrays = {
        "reg_public_X": reg_public[0],
        "reg_public_y": reg_public[1],
        "reg_X": reg_hidden[0],
        "reg_y": reg_hidden[1],
        "clf_public_X": clf_public[0],
        "clf_public_y": clf_public[1],
        "clf_X": clf_hidden[0],
        "clf_y": clf_hidden[1],
    }
    # The public files are written rounded: round the arrays the same way here.
    for name in ("reg_public_X", "reg_public_y", "reg_X", "reg_y", "clf_public_X", "clf_X"):
        arrays[name] = np.array(
            [[float(f"{v:.6g}") for v in row] for row in np.atleast_2d(arrays[name].T).T]
        ).reshape(arrays[name].shape)
    return arrays


def _write_csv(path: Path, X: np.ndarray, y: np.ndarray, target: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow([f"x{j + 1}" for j in range(X.shape[1])] + [target])
        for row, label in zip(X, y):
            writer.writerow([f"{v:.6g}" for v in row] + [f"{label:.6g}"])


def main() -> None:
    a = make()
    DATA.mkdir(exist_ok=True)
    _write_csv(DATA / "regression.csv", a["reg_public_X"], a["reg_public_y"], "y")
    _write_csv(DATA / "classification.csv", a["clf_public_X"], a["clf_public_y"], "label")
    np.save(HERE / "reg_X.npy", a["reg_X"].astype(np.float64), allow_pickle=False)
    np.save(HERE / "reg_y.npy", a["reg_y"].astype(np.float64), allow_pickle=False)
    np.save(HERE / "clf_X.npy", a["clf_X"].astype(np.float64), allow_pickle=False)
    np.save(HERE / "clf_y.npy", a["clf_y"].astype(np.int64), allow_pickle=False)
    for public, hidden in [(a["reg_public_X"], a["reg_X"]), (a["clf_public_X"], a["clf_X"])]:
        assert not (hidden[:, None, :] == public[None, :, :]).all(axis=2).any()


if __name__ == "__main__":
    main()
