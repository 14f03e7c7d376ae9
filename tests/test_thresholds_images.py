"""Week 8: the frozen judge and the generated-image score on the measured reference sets."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from autograder.config import Threshold
from autograder.errors import ConfigError
from autograder.results import MetricResult
from autograder.thresholds import score_threshold
from autograder.thresholds.judge import digits_split, load_judge, train_digits_judge, train_judge


@pytest.fixture(scope="module")
def digits() -> dict[str, np.ndarray]:
    x_tr, x_te, y_tr, y_te = digits_split()
    return {"x_tr": x_tr, "x_te": x_te, "y_tr": y_tr, "y_te": y_te}


@pytest.fixture(scope="module")
def week8(tmp_path_factory: pytest.TempPathFactory) -> Path:
    week_dir = tmp_path_factory.mktemp("week08")
    train_digits_judge(week_dir / "hidden" / "judge.npz", seed=0)
    return week_dir


def gan_threshold(**options: object) -> Threshold:
    return Threshold(
        id="gan",
        metric="generated_images",
        model={"variable": "generator", "kind": "generator"},
        assets="hidden/judge.npz",
        floor=5.0,
        target=7.0,
        points=4.0,
        options=dict(options),
    )


def grade(week_dir: Path, images: np.ndarray, **options: object) -> MetricResult:
    buf = io.BytesIO()
    np.save(buf, images, allow_pickle=False)
    return score_threshold(
        gan_threshold(**options),
        artifact=buf.getvalue(),
        probe_error=None,
        week_dir=week_dir,
    )


def test_judge_file_has_no_pickles(week8: Path, digits: dict[str, np.ndarray]) -> None:
    with zipfile.ZipFile(week8 / "hidden" / "judge.npz") as archive:
        for name in archive.namelist():
            header = archive.read(name)[:128]
            assert b"'descr': '|O'" not in header, name
    judge = load_judge(week8 / "hidden" / "judge.npz")
    assert judge.train_images.shape == (1437, 64)
    assert judge.train_images.min() == -1.0 and judge.train_images.max() == 1.0
    assert judge.activation == "relu" and [w.shape for w in judge.coefs] == [(64, 128), (128, 10)]
    held_out = np.mean(judge.predict_proba(digits["x_te"]).argmax(axis=1) == digits["y_te"])
    assert held_out == pytest.approx(0.983, abs=0.01)  # course-measurements.md, week 8


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_numpy_forward_pass_matches_sklearn(tmp_path: Path, digits: dict[str, np.ndarray]) -> None:
    x, y = digits["x_tr"][:400], digits["y_tr"][:400]
    train_judge(x, y, tmp_path / "small.npz", seed=3, max_iter=40)
    with threadpool_limits(limits=1):
        model = MLPClassifier((128,), random_state=3, max_iter=40).fit(x, y)
    judge = load_judge(tmp_path / "small.npz")
    ours, theirs = judge.predict_proba(digits["x_te"]), model.predict_proba(digits["x_te"])
    assert np.abs(ours - theirs).max() < 1e-6
    assert (np.argmax(ours, axis=1) == model.predict(digits["x_te"])).all()


def test_real_held_out_digits_pass(week8: Path, digits: dict[str, np.ndarray]) -> None:
    out = grade(week8, digits["x_te"])
    assert out.points == 4.0 and out.value == pytest.approx(9.38, abs=0.3)
    assert out.details["confidence"] > 0.95 and out.details["coverage"] == 10
    assert out.details["nearest_train_l2"] == pytest.approx(2.12, abs=0.1)
    assert out.details["pairwise_l2"] == pytest.approx(6.05, abs=0.1)
    assert out.details["copied_fraction"] == 0.0
    # the other shapes a generator may return
    assert grade(week8, digits["x_te"].reshape(-1, 8, 8)).value == out.value
    assert grade(week8, digits["x_te"].reshape(-1, 8, 8, 1)).value == out.value


def test_uniform_noise_fails_on_confidence(week8: Path) -> None:
    noise = np.random.default_rng(0).uniform(-1, 1, (500, 64))
    out = grade(week8, noise)
    assert out.value == 0.0 and out.points == 0.0
    assert out.details["inception_score"] < 3.5
    assert out.text("ko").startswith(
        "품질 조건을 통과하지 못했습니다: 판정기(채점용 숫자 분류기)의 평균 확신도 0."
    )
    assert "모드 붕괴" not in out.text("ko") and "복사" not in out.text("ko")


def test_blank_image_fails_on_coverage_and_diversity(week8: Path) -> None:
    out = grade(week8, -np.ones((500, 64)))
    assert out.value == 0.0 and out.points == 0.0
    assert out.details["confidence"] > 0.95  # the judge alone would be fooled
    assert "mode collapse" in out.text("en") and "too alike" in out.text("en")
    assert "confidence" not in out.text("en")


def test_collapse_on_one_training_image(week8: Path, digits: dict[str, np.ndarray]) -> None:
    out = grade(week8, np.repeat(digits["x_tr"][:1], 500, axis=0))
    assert out.value == 0.0 and out.points == 0.0
    for gate in ("mode collapse", "too alike", "copies of training images"):
        assert gate in out.text("en")
    assert out.details["copied_fraction"] == 1.0


def test_memorised_training_images_fail(week8: Path, digits: dict[str, np.ndarray]) -> None:
    out = grade(week8, digits["x_tr"][:500])
    assert out.details["inception_score"] > 9.0  # every judge-based number looks perfect
    assert out.value == 0.0 and out.points == 0.0
    assert out.text("en") == (
        "quality gates failed: mean nearest-neighbour distance to the training images "
        "0.000 < 1 (copies of training images)"
    )


def test_gates_can_be_relaxed(week8: Path, digits: dict[str, np.ndarray]) -> None:
    out = grade(week8, digits["x_tr"][:500], min_nearest_l2=0.0)
    assert out.value == pytest.approx(out.details["inception_score"]) and out.points == 4.0


def test_pixel_range_shape_and_count(week8: Path, digits: dict[str, np.ndarray]) -> None:
    raw = grade(week8, (digits["x_te"] + 1) * 8)  # 0..16, the un-normalised digits
    assert raw.points == 0.0 and raw.text("ko").startswith("픽셀 값은 [-1.0, 1.0] 범위여야 합니다")
    wrong = grade(week8, digits["x_te"][:, :63])
    assert wrong.text("ko") == (
        "예측의 모양이 (360, 63)입니다. 허용되는 모양: (n, 64) 또는 (n, 8, 8) 또는 (n, 8, 8, 1)"
    )
    few = grade(week8, digits["x_te"][:50])
    assert few.text("ko") == "생성된 이미지가 50장입니다. 최소 100장이 필요합니다"
    fixed = grade(week8, digits["x_te"], n=500)
    assert fixed.text("ko") == "예측의 행 수가 500이어야 하는데 360입니다"


def test_a_broken_judge_file_is_the_instructors_fault(tmp_path: Path) -> None:
    (tmp_path / "hidden").mkdir()
    np.savez(tmp_path / "hidden" / "judge.npz", nothing=np.zeros(1))
    with pytest.raises(ConfigError, match="not a judge saved by train_judge"):
        grade(tmp_path, np.zeros((200, 64)))
