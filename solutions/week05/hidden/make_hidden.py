"""Regenerate week 5's public data (``data/digits.npz``) and hidden test set (``hidden/``).

Deterministic: ``python make_hidden.py`` rewrites every file byte for byte from
``SECRET_SEED`` (this folder is never released). The digits are procedural handwriting
(``handwriting.py``): scanned 8x8 digits, pixels 0..16, with varied writing styles, slant,
size, pen width, paper shade, uneven light, ink darkness and sensor noise. Nothing is derived
from the bundled scikit-learn digits or anything else in the grading image.

- ``data/digits.npz``: ``X_train`` (6000, 64) / ``y_train`` and ``X_test`` (1000, 64) /
  ``y_test``, uint8 pixels 0..16 and int64 labels (balanced).
- ``hidden/X.npy`` (2000, 64) float32 raw pixels 0..16 and ``hidden/y.npy`` (2000,) int64:
  fresh draws from the same generator, none equal to a public row.

``make(seed)`` redraws everything; ``bench/course_baselines.py week05`` measures the reference
and the baselines on the shipped draw.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
SECRET_SEED = 5_190_337
N_TRAIN, N_TEST, N_HIDDEN = 6000, 1000, 2000


def handwriting():
    spec = importlib.util.spec_from_file_location("handwriting", HERE / "handwriting.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make(seed: int = SECRET_SEED) -> dict[str, np.ndarray]:
    hw = handwriting()
    rng = np.random.default_rng(seed)
    X_train, y_train = hw.draw(N_TRAIN, rng)
    X_test, y_test = hw.draw(N_TEST, rng)
    X, y = hw.draw(N_HIDDEN, rng)
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


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """A compressed .npz whose bytes depend only on the arrays (fixed zip timestamps)."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.save(member, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


def main() -> None:
    a = make()
    DATA.mkdir(exist_ok=True)
    public = {k: a[k] for k in ("X_train", "y_train", "X_test", "y_test")}
    (DATA / "digits.npz").write_bytes(npz_bytes(public))
    np.save(HERE / "X.npy", a["X"], allow_pickle=False)
    np.save(HERE / "y.npy", a["y"], allow_pickle=False)
    print(f"week05: train {a['X_train'].shape}, test {a['X_test'].shape}, hidden {a['X'].shape}")


if __name__ == "__main__":
    main()
