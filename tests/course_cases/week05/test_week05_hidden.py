"""Week 5's data: reproducible from the secret seed, and the hidden rows are fresh draws
that no lookup of the public rows recovers."""

import importlib.util
import tomllib
from pathlib import Path

import numpy as np
from sklearn.neighbors import KNeighborsClassifier

WEEK = Path(__file__).resolve().parents[3] / "solutions" / "week05"
HIDDEN = WEEK / "hidden"


def _make_hidden():
    spec = importlib.util.spec_from_file_location("week05_make_hidden", HIDDEN / "make_hidden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stored_files_are_what_make_hidden_generates():
    gen = _make_hidden()
    a = gen.make()
    public = {k: a[k] for k in ("X_train", "y_train", "X_test", "y_test")}
    assert (WEEK / "data" / "digits.npz").read_bytes() == gen.npz_bytes(public)
    stored_X = np.load(HIDDEN / "X.npy", allow_pickle=False)
    assert stored_X.shape == (2000, 64) and stored_X.dtype == np.float32
    assert np.array_equal(stored_X, a["X"])
    assert np.array_equal(np.load(HIDDEN / "y.npy", allow_pickle=False), a["y"])
    assert all((HIDDEN / name).stat().st_size < 1_000_000 for name in ("X.npy", "y.npy"))


def test_no_hidden_row_is_public_and_a_lookup_of_public_rows_falls_short():
    data = np.load(WEEK / "data" / "digits.npz")
    public_X = np.concatenate([data["X_train"], data["X_test"]]).astype(np.float64)
    public_y = np.concatenate([data["y_train"], data["y_test"]])
    X = np.load(HIDDEN / "X.npy", allow_pickle=False).astype(np.float64)
    y = np.load(HIDDEN / "y.npy", allow_pickle=False)
    public = {row.tobytes() for row in public_X}
    assert not any(row.tobytes() in public for row in X)
    assert X.min() >= 0.0 and X.max() <= 16.0
    assert np.bincount(y).min() >= 150  # every digit is well represented
    floor = tomllib.loads((WEEK / "assignment.toml").read_text())["thresholds"][0]["floor"]
    lookup = KNeighborsClassifier(1).fit(public_X, public_y).predict(X)
    assert np.mean(lookup == y) < floor - 0.05
