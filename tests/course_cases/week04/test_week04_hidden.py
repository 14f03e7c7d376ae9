"""Week 4's data: reproducible, hidden ratings disjoint from public ones, and the thresholds
separate a by-hand reference (k-means with the right k, ALS) from naive baselines."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from autograder.config import load_assignment_config

WEEK = Path(__file__).resolve().parents[3] / "solutions" / "week04"
HIDDEN = WEEK / "hidden"
N_USERS, N_ITEMS = 200, 100


def _threshold(tid: str):  # type: ignore[no-untyped-def]
    return next(t for t in load_assignment_config(WEEK).thresholds if t.id == tid)


def _ratings() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with open(WEEK / "data" / "ratings.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return (
        np.array([int(r["user"]) for r in rows]),
        np.array([int(r["item"]) for r in rows]),
        np.array([float(r["rating"]) for r in rows]),
    )


def _rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((a - b) ** 2)))


def test_make_hidden_regenerates_data_and_hidden_files(tmp_path: Path) -> None:
    copy = tmp_path / "week04"
    shutil.copytree(HIDDEN, copy / "hidden")
    for npy in (copy / "hidden").glob("*.npy"):
        npy.unlink()
    subprocess.run([sys.executable, str(copy / "hidden" / "make_hidden.py")], check=True)
    for rel in ["data/blobs.csv", "data/ratings.csv"] + [
        f"hidden/{p.name}" for p in HIDDEN.glob("*.npy")
    ]:
        assert (copy / rel).read_bytes() == (WEEK / rel).read_bytes(), rel


def test_hidden_ratings_are_other_cells_than_public_ones() -> None:
    users, items, ratings = _ratings()
    h_users, h_items = np.load(HIDDEN / "rec_users.npy"), np.load(HIDDEN / "rec_items.npy")
    assert len(ratings) == 3000 and len(h_users) == 1000
    assert not set(zip(users, items, strict=True)) & set(zip(h_users, h_items, strict=True))
    assert ratings.min() >= 1.0 and ratings.max() <= 5.0


def test_recommender_threshold_separates_als_from_mean_baseline() -> None:
    t = _threshold("recommender_rmse")
    users, items, r = _ratings()
    hu, hi = np.load(HIDDEN / "rec_users.npy"), np.load(HIDDEN / "rec_items.npy")
    truth = np.load(HIDDEN / "rec_ratings.npy")
    mu = r.mean()
    bu, bi = np.zeros(N_USERS), np.zeros(N_ITEMS)
    for _ in range(10):
        bu = np.bincount(users, r - mu - bi[items], N_USERS) / (
            np.bincount(users, minlength=N_USERS) + 5
        )
        bi = np.bincount(items, r - mu - bu[users], N_ITEMS) / (
            np.bincount(items, minlength=N_ITEMS) + 5
        )
    resid = r - mu - bu[users] - bi[items]
    rng = np.random.default_rng(0)
    P, Q = rng.normal(0, 0.1, (N_USERS, 4)), rng.normal(0, 0.1, (N_ITEMS, 4))
    for _ in range(15):
        for u in range(N_USERS):
            m = users == u
            P[u] = np.linalg.solve(
                Q[items[m]].T @ Q[items[m]] + 3 * np.eye(4), Q[items[m]].T @ resid[m]
            )
        for i in range(N_ITEMS):
            m = items == i
            Q[i] = np.linalg.solve(
                P[users[m]].T @ P[users[m]] + 3 * np.eye(4), P[users[m]].T @ resid[m]
            )
    als = np.clip(mu + bu[hu] + bi[hi] + (P[hu] * Q[hi]).sum(axis=1), 1, 5)
    assert t.direction == "lower"
    assert _rmse(als, truth) <= t.target - 0.03
    assert _rmse(np.full(len(truth), mu), truth) > t.floor


def test_blobs_threshold_rewards_the_right_k() -> None:
    t = _threshold("blobs_ari")
    with open(WEEK / "data" / "blobs.csv", encoding="utf-8") as f:
        X = np.array([[float(r["x1"]), float(r["x2"])] for r in csv.DictReader(f)])
    X_hidden, y_hidden = np.load(HIDDEN / "blobs_X.npy"), np.load(HIDDEN / "blobs_y.npy")
    assert not (X_hidden[:, None, :] == X[None, :, :]).all(axis=2).any()
    ari = {
        k: adjusted_rand_score(
            y_hidden, KMeans(k, n_init=10, random_state=0).fit(X).predict(X_hidden)
        )
        for k in (2, 3, 4)
    }
    assert ari[4] >= t.target
    assert ari[3] < t.floor and ari[2] < t.floor
