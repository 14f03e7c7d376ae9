"""Week 3's hidden sets: reproducible, not copies of public rows, and the thresholds separate
the reference model from the naive baselines (measured here on the hidden files themselves)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from autograder.config import load_assignment_config

WEEK = Path(__file__).resolve().parents[3] / "solutions" / "week03"
HIDDEN = WEEK / "hidden"


def _threshold(tid: str):  # type: ignore[no-untyped-def]
    config = load_assignment_config(WEEK)
    return next(t for t in config.thresholds if t.id == tid)


def test_make_hidden_regenerates_the_committed_files(tmp_path: Path) -> None:
    copy = tmp_path / "week03"
    shutil.copytree(WEEK / "hidden", copy / "hidden")
    for npy in (copy / "hidden").glob("*.npy"):
        npy.unlink()
    subprocess.run([sys.executable, str(copy / "hidden" / "make_hidden.py")], check=True)
    names = sorted(p.name for p in HIDDEN.glob("*.npy"))
    assert names == ["clf_X.npy", "clf_y.npy", "reg_X.npy", "reg_y.npy"]
    for name in names:
        assert (copy / "hidden" / name).read_bytes() == (HIDDEN / name).read_bytes(), name


@pytest.mark.parametrize(
    ("inputs", "public"),
    [("reg_X.npy", load_diabetes().data), ("clf_X.npy", load_breast_cancer().data)],
)
def test_no_hidden_row_is_a_public_row(inputs: str, public: np.ndarray) -> None:
    hidden = np.load(HIDDEN / inputs, allow_pickle=False)
    assert hidden.shape[1] == public.shape[1] and len(hidden) < 1000
    assert not (hidden[:, None, :] == public[None, :, :]).all(axis=2).any()


def test_regression_threshold_separates_reference_from_baselines() -> None:
    t = _threshold("regression_r2")
    X, y = load_diabetes(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=1)
    X_hidden, y_hidden = np.load(HIDDEN / "reg_X.npy"), np.load(HIDDEN / "reg_y.npy")
    reference = r2_score(y_hidden, LinearRegression().fit(X_train, y_train).predict(X_hidden))
    mean_only = r2_score(y_hidden, np.full(len(y_hidden), y_train.mean()))
    bmi_only = r2_score(
        y_hidden, LinearRegression().fit(X_train[:, [2]], y_train).predict(X_hidden[:, [2]])
    )
    assert reference >= t.target + 0.03
    assert mean_only < t.floor and bmi_only < t.floor


def test_classification_threshold_separates_reference_from_single_feature() -> None:
    t = _threshold("classification_auc")
    X, y = load_breast_cancer(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=1, stratify=y)
    X_hidden, y_hidden = np.load(HIDDEN / "clf_X.npy"), np.load(HIDDEN / "clf_y.npy")
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X_train, y_train)
    reference = roc_auc_score(y_hidden, model.predict_proba(X_hidden)[:, 1])
    best_single = max(
        max(roc_auc_score(y_hidden, X_hidden[:, j]), roc_auc_score(y_hidden, -X_hidden[:, j]))
        for j in range(X.shape[1])
    )
    assert reference >= t.target + 0.004
    assert best_single < t.floor
