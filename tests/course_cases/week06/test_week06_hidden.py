"""Week 6's hidden set: reproducible, shifted as documented, never a copy of a public row."""

import importlib.util
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HIDDEN = Path(__file__).resolve().parents[3] / "solutions" / "week06" / "hidden"


def _make_hidden():
    spec = importlib.util.spec_from_file_location("week06_make_hidden", HIDDEN / "make_hidden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stored_files_are_what_make_hidden_generates():
    X, y = _make_hidden().make()
    assert np.array_equal(np.load(HIDDEN / "X.npy", allow_pickle=False), X.astype(np.float32))
    assert np.array_equal(np.load(HIDDEN / "y.npy", allow_pickle=False), y)
    assert all((HIDDEN / name).stat().st_size < 1_000_000 for name in ("X.npy", "y.npy"))


def test_shift_moves_pixels_with_zero_fill():
    shift = _make_hidden().shift
    image = np.arange(1.0, 65.0).reshape(8, 8)
    down_left = shift(image, 1, -1)
    assert np.all(down_left[0] == 0) and np.all(down_left[:, -1] == 0)
    assert np.array_equal(down_left[1:, :-1], image[:-1, 1:])
    assert np.array_equal(shift(image, 0, 0), image)


def test_most_hidden_images_are_shifted_and_none_is_public():
    digits = load_digits()
    _, X_test, _, _ = train_test_split(
        digits.data, digits.target, test_size=0.2, random_state=42, stratify=digits.target
    )
    X = np.load(HIDDEN / "X.npy", allow_pickle=False).astype(np.float64)
    originals = np.concatenate([X_test] * 3)
    # the unshifted original explains a copy best only when it was not moved (about 1 in 9)
    unshifted = np.mean(np.linalg.norm(X - originals, axis=1) < 1.6 * 8 * 1.5)
    assert unshifted < 0.25
    public = {row.tobytes() for row in digits.data.astype(np.float64)}
    assert not any(row.tobytes() in public for row in X)
