"""Week 7's hidden sets come from the notebook's own generators, with fresh draws only."""

import importlib.util
from pathlib import Path

import numpy as np

HIDDEN = Path(__file__).resolve().parents[3] / "solutions" / "week07" / "hidden"


def _make_hidden():
    spec = importlib.util.spec_from_file_location("week07_make_hidden", HIDDEN / "make_hidden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stored_files_are_what_make_hidden_generates():
    arrays = _make_hidden().make()
    for name, array in arrays.items():
        stored = np.load(HIDDEN / f"{name}.npy", allow_pickle=False)
        assert stored.dtype == array.dtype and np.array_equal(stored, array), name
        assert (HIDDEN / f"{name}.npy").stat().st_size < 1_000_000
    assert arrays["fc_X"].shape == (1200, 48) and arrays["text_X"].shape == (2000, 14)


def test_hidden_sentences_are_fresh_and_labels_follow_the_xor_rule():
    module = _make_hidden()
    g = module._generators()
    X = np.load(HIDDEN / "text_X.npy", allow_pickle=False)
    y = np.load(HIDDEN / "text_y.npy", allow_pickle=False)
    words = np.array(["", *g["VOCAB"]])
    sentences = [" ".join(words[row[row > 0]]) for row in X]
    public = set(g["make_reviews"](4000, seed=0)[0].tolist())
    assert not public.intersection(sentences)
    positive = set(g["POSITIVE"])
    for sentence, label in zip(sentences, y, strict=True):
        tokens = sentence.split()
        negated = "not" in tokens or "never" in tokens
        assert label == int(any(t in positive for t in tokens) != negated), sentence


def test_hidden_series_is_a_thresholded_tank_that_a_linear_model_cannot_follow():
    from sklearn.linear_model import Ridge

    g = _make_hidden()._generators()
    X = np.load(HIDDEN / "fc_X.npy", allow_pickle=False).astype(np.float64)
    y = np.load(HIDDEN / "fc_y.npy", allow_pickle=False)
    assert np.allclose(X[1:, -1], y[:-1], atol=1e-5)  # consecutive windows of one series
    series = g["make_series"](4000, seed=0)[:3200]
    windows = np.lib.stride_tricks.sliding_window_view(series[:-1], 48)
    ridge = Ridge(alpha=1.0).fit(windows, series[48:])
    ridge_rmse = float(np.sqrt(np.mean((ridge.predict(X) - y) ** 2)))
    naive_rmse = float(np.sqrt(np.mean((X[:, -1] - y) ** 2)))
    assert ridge_rmse > 1.25  # the threshold's floor: a linear AR earns no points
    assert naive_rmse > 2.0
