"""Regenerate week 6's public data (``data/digits16.npz``) and hidden test set (``hidden/``).

Deterministic: ``python make_hidden.py`` rewrites every file byte for byte from
``SECRET_SEED`` (this folder is never released). Week 5's procedural handwriting
(``solutions/week05/hidden/handwriting.py``) on a 16x16 canvas, pixels 0..16 (4x4 ink counts):
the digit is about 9 pixels tall. Training digits are centred (up to about half a pixel off);
test and hidden digits sit anywhere up to 2.5 pixels off centre on each axis, so a model must
recognise a digit wherever it is (augmentation with shifts, weight sharing).

- ``data/digits16.npz``: ``X_train`` (4000, 256) centred / ``y_train`` and ``X_test``
  (1000, 256) moved / ``y_test``; uint8 pixels 0..16 and int64 labels (balanced).
- ``hidden/X.npy`` (2000, 256) float32 raw pixels 0..16 and ``hidden/y.npy`` (2000,) int64:
  fresh moved draws, none equal to a public row.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
SECRET_SEED = 6_402_519
SIZE, DIGIT_SIZE, MAX_OFFSET = 16, 9.0, 2.5
N_TRAIN, N_TEST, N_HIDDEN = 4000, 1000, 2000


def _week05_module(name: str):
    path = HERE.parents[1] / "week05" / "hidden" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"week05_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make(seed: int = SECRET_SEED) -> dict[str, np.ndarray]:
    hw = _week05_module("handwriting")
    rng = np.random.default_rng(seed)
    canvas = {"size": SIZE, "digit_size": DIGIT_SIZE}
    X_train, y_train = hw.draw(N_TRAIN, rng, **canvas)
    X_test, y_test = hw.draw(N_TEST, rng, **canvas, max_offset=MAX_OFFSET)
    X, y = hw.draw(N_HIDDEN, rng, **canvas, max_offset=MAX_OFFSET)
    public = {row.tobytes() for row in np.concatenate([X_train, X_test])}
    assert not any(row.tobytes() in public for row in X), "a hidden row equals a public row"
    return {
        "X_train": X_train,
        "y_train": y_train,
        "X_test": X_test,
        "y_test": y_test,
        "X": X.astype(np.float32),
        "y": y,
    }


def main() -> None:
    a = make()
    DATA.mkdir(exist_ok=True)
    public = {k: a[k] for k in ("X_train", "y_train", "X_test", "y_test")}
    (DATA / "digits16.npz").write_bytes(_week05_module("make_hidden").npz_bytes(public))
    np.save(HERE / "X.npy", a["X"], allow_pickle=False)
    np.save(HERE / "y.npy", a["y"], allow_pickle=False)
    print(f"week06: train {a['X_train'].shape}, test {a['X_test'].shape}, hidden {a['X'].shape}")


if __name__ == "__main__":
    main()
