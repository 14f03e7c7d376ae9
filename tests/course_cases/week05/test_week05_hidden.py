"""Week 5's hidden set: reproducible, small, and never a copy of a public row."""

import importlib.util
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

HIDDEN = Path(__file__).resolve().parents[3] / "solutions" / "week05" / "hidden"


def _make_hidden():
    spec = importlib.util.spec_from_file_location("week05_make_hidden", HIDDEN / "make_hidden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stored_files_are_what_make_hidden_generates():
    X, y = _make_hidden().make()
    stored_X = np.load(HIDDEN / "X.npy", allow_pickle=False)
    stored_y = np.load(HIDDEN / "y.npy", allow_pickle=False)
    assert stored_X.shape == (1080, 64) and stored_X.dtype == np.float32
    assert np.array_equal(stored_X, X.astype(np.float32))
    assert np.array_equal(stored_y, y)
    assert all((HIDDEN / name).stat().st_size < 1_000_000 for name in ("X.npy", "y.npy"))


def test_no_hidden_row_is_a_public_row_and_pixels_stay_in_range():
    X = np.load(HIDDEN / "X.npy", allow_pickle=False).astype(np.float64)
    public = {row.tobytes() for row in load_digits().data.astype(np.float64)}
    assert not any(row.tobytes() in public for row in X)
    assert X.min() >= 0.0 and X.max() <= 16.0
    assert np.bincount(np.load(HIDDEN / "y.npy")).min() >= 100  # every digit is well represented
