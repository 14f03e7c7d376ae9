"""Week 3's data: reproducible from the secret seed, hidden rows are fresh draws that no public
row equals, and the thresholds separate the reference model from the baselines (measured here
on the shipped files; bench/course_baselines.py week03 measures every baseline on 3 draws)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from autograder.config import load_assignment_config

WEEK = Path(__file__).resolve().parents[3] / "solutions" / "week03"
HIDDEN = WEEK / "hidden"
RELEASE = WEEK.parents[1] / "assignments" / "week03"


def _threshold(tid: str):  # type: ignore[no-untyped-def]
    config = load_assignment_config(WEEK)
    return next(t for t in config.thresholds if t.id == tid)


def _public(name: str) -> tuple[np.ndarray, np.ndarray]:
    data = np.loadtxt(WEEK / "data" / name, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1]


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
    for name in ("regression.csv", "classification.csv"):
        assert (copy / "data" / name).read_bytes() == (WEEK / "data" / name).read_bytes(), name


def test_the_release_has_the_public_data_and_nothing_of_the_generator() -> None:
    released = sorted(str(p.relative_to(RELEASE)) for p in RELEASE.rglob("*") if p.is_file())
    assert released == ["data/classification.csv", "data/regression.csv", "week03.ipynb"]
    text = (RELEASE / "week03.ipynb").read_text(encoding="utf-8")
    assert "SECRET_SEED" not in text and "make_hidden" not in text


def test_no_hidden_row_is_a_public_row() -> None:
    for public, hidden in [("regression.csv", "reg_X.npy"), ("classification.csv", "clf_X.npy")]:
        X_public = _public(public)[0]
        X_hidden = np.load(HIDDEN / hidden, allow_pickle=False)
        assert X_hidden.shape[1] == X_public.shape[1]
        distances = ((X_hidden[:, None, :] - X_public[None, :, :]) ** 2).sum(axis=2)
        assert distances.min() > 0


def test_regression_threshold_separates_reference_from_baselines() -> None:
    t = _threshold("regression_r2")
    X, y = _public("regression.csv")
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=1)
    X_hidden, y_hidden = np.load(HIDDEN / "reg_X.npy"), np.load(HIDDEN / "reg_y.npy")
    reference = r2_score(y_hidden, LinearRegression().fit(X_train, y_train).predict(X_hidden))
    boosting = HistGradientBoostingRegressor(random_state=0).fit(X_train, y_train)
    assert reference >= t.target + 0.02
    assert r2_score(y_hidden, boosting.predict(X_hidden)) < t.floor - 0.02


def test_classification_threshold_separates_reference_from_baselines() -> None:
    t = _threshold("classification_auc")
    X, y = _public("classification.csv")
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=1, stratify=y)
    X_hidden, y_hidden = np.load(HIDDEN / "clf_X.npy"), np.load(HIDDEN / "clf_y.npy")
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X_train, y_train)
    reference = roc_auc_score(y_hidden, model.predict_proba(X_hidden)[:, 1])
    boosting = HistGradientBoostingClassifier(random_state=0).fit(X_train, y_train)
    best_single = max(
        max(roc_auc_score(y_hidden, X_hidden[:, j]), roc_auc_score(y_hidden, -X_hidden[:, j]))
        for j in range(X.shape[1])
    )
    assert reference >= t.target + 0.005
    assert roc_auc_score(y_hidden, boosting.predict_proba(X_hidden)[:, 1]) < t.floor - 0.02
    assert best_single < t.floor - 0.1
