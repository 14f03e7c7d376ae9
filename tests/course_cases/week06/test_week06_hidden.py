"""Week 6's data: reproducible from the secret seed, centred training digits and moved
test digits, and hidden rows that no lookup of the public rows recovers."""

import importlib.util
import tomllib
from pathlib import Path

import numpy as np
from sklearn.neighbors import KNeighborsClassifier

WEEK = Path(__file__).resolve().parents[3] / "solutions" / "week06"
HIDDEN = WEEK / "hidden"


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stored_files_are_what_make_hidden_generates():
    gen = _load(HIDDEN / "make_hidden.py", "week06_make_hidden")
    npz = _load(WEEK.parent / "week05" / "hidden" / "make_hidden.py", "week05_make_hidden")
    a = gen.make()
    public = {k: a[k] for k in ("X_train", "y_train", "X_test", "y_test")}
    assert (WEEK / "data" / "digits16.npz").read_bytes() == npz.npz_bytes(public)
    stored_X = np.load(HIDDEN / "X.npy", allow_pickle=False)
    assert stored_X.shape == (2000, 256) and stored_X.dtype == np.float32
    assert np.array_equal(stored_X, a["X"])
    assert np.array_equal(np.load(HIDDEN / "y.npy", allow_pickle=False), a["y"])


def _centres(X: np.ndarray) -> np.ndarray:
    """Ink centre (row, column) of each 16x16 image."""
    ink = X.reshape(-1, 16, 16).astype(np.float64)
    grid = np.arange(16) + 0.5
    total = ink.sum(axis=(1, 2))
    return np.stack([(ink.sum(2) @ grid) / total, (ink.sum(1) @ grid) / total], 1)


def test_test_digits_move_and_training_digits_do_not():
    """The generator as make_hidden calls it, with the scan's shade and noise turned off."""
    gen = _load(HIDDEN / "make_hidden.py", "week06_make_hidden")
    hw = _load(WEEK.parent / "week05" / "hidden" / "handwriting.py", "week06_handwriting")
    hw.NOISE, hw.PAPER, hw.GRADIENT, hw.INK = 0.0, (0.0, 0.0), 0.0, (1.0, 1.0)
    canvas = {"size": gen.SIZE, "digit_size": gen.DIGIT_SIZE}
    train, _ = hw.draw(500, np.random.default_rng(0), **canvas)
    moved, _ = hw.draw(500, np.random.default_rng(0), **canvas, max_offset=gen.MAX_OFFSET)
    assert _centres(train).std(axis=0).max() < 0.8
    assert _centres(moved).std(axis=0).min() > 1.1


def test_no_hidden_row_is_public_and_a_lookup_of_public_rows_falls_short():
    data = np.load(WEEK / "data" / "digits16.npz")
    public_X = np.concatenate([data["X_train"], data["X_test"]]).astype(np.float64)
    public_y = np.concatenate([data["y_train"], data["y_test"]])
    X = np.load(HIDDEN / "X.npy", allow_pickle=False).astype(np.float64)
    y = np.load(HIDDEN / "y.npy", allow_pickle=False)
    public = {row.tobytes() for row in public_X}
    assert not any(row.tobytes() in public for row in X)
    assert X.min() >= 0.0 and X.max() <= 16.0
    assert np.bincount(y).min() >= 150
    floor = tomllib.loads((WEEK / "assignment.toml").read_text())["thresholds"][0]["floor"]
    lookup = KNeighborsClassifier(1).fit(public_X, public_y).predict(X)
    assert np.mean(lookup == y) < floor - 0.2
