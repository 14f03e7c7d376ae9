"""Week 8's frozen judge: reproducible, accurate, and it scores real digits, noise and copies as intended."""

import importlib.util
import tomllib
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from autograder.config import Threshold
from autograder.thresholds import score_threshold

WEEK = Path(__file__).resolve().parents[3] / "solutions" / "week08"


def _threshold() -> Threshold:
    config = tomllib.loads((WEEK / "assignment.toml").read_text(encoding="utf-8"))
    return Threshold(**config["thresholds"][0])


def _score(images: np.ndarray):
    from io import BytesIO

    buffer = BytesIO()
    np.save(buffer, images.astype(np.float32), allow_pickle=False)
    return score_threshold(
        _threshold(), artifact=buffer.getvalue(), probe_error=None, week_dir=WEEK
    )


def _split():
    digits = load_digits()
    return train_test_split(
        digits.data / 8.0 - 1.0,
        digits.target,
        test_size=0.2,
        random_state=42,
        stratify=digits.target,
    )


def test_make_hidden_reproduces_the_stored_judge(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "week08_make_hidden", WEEK / "hidden" / "make_hidden.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.HERE = tmp_path
    module.main()
    with np.load(tmp_path / "judge.npz") as fresh, np.load(WEEK / "hidden" / "judge.npz") as stored:
        assert sorted(fresh.files) == sorted(stored.files)
        for key in stored.files:
            assert np.array_equal(fresh[key], stored[key]), key


def test_real_digits_noise_and_stored_images_get_nothing():
    """The evaluator samples the generator itself, so what a cheat can do is store real
    images in its weights: held-out digits, noised, shifted or blended copies all fail,
    and so does noise (bench/generator_gates.py measures the reference passing)."""
    X_train, X_test, y_train, _ = _split()
    rng = np.random.default_rng(3)
    pick = rng.integers(0, len(X_train), 500)
    same = [rng.choice(np.flatnonzero(y_train == y_train[i])) for i in pick]
    padded = np.pad(X_train.reshape(-1, 8, 8), ((0, 0), (1, 1), (1, 1)), constant_values=-1)
    cases = {
        "held-out digits": (np.concatenate([X_test, X_test[:140]]), "copied_share"),
        "noise 0.2": (np.clip(X_train[pick] + rng.normal(0, 0.2, (500, 64)), -1, 1), "copied_share"),
        "noise 0.5": (np.clip(X_train[pick] + rng.normal(0, 0.5, (500, 64)), -1, 1), "roughness"),
        "shifted": (padded[pick, 2:10, 1:9].reshape(500, 64), "copied_share"),
        "blends": ((X_train[pick] + X_train[same]) / 2, "blended_share"),
        "uniform noise": (rng.uniform(-1, 1, size=(500, 64)), "feature_distance"),
    }
    for name, (images, gate) in cases.items():
        result = _score(images)
        assert result.points == 0, (name, result.details)
        assert result.value == 0.0 and "quality gates failed" in result.text("en"), name
        limit = {"copied_share": 0.2, "blended_share": 0.25, "roughness": 1.1,
                 "feature_distance": 15.0}[gate]  # fmt: skip
        assert result.details[gate] > limit, (name, gate, result.details[gate])


def test_copies_of_training_images_and_a_collapsed_generator_get_nothing():
    X_train, _, _, _ = _split()
    copies = _score(X_train[:500])
    assert copies.points == 0 and copies.details["nearest_train_l2"] < 1.0
    collapsed = _score(np.repeat(X_train[:1], 500, axis=0) + 0.0)
    assert collapsed.points == 0 and collapsed.details["coverage"] <= 1
