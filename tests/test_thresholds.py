"""Thresholds on the host: artifact validation, metrics, points and messages (no kernels)."""

from __future__ import annotations

import io
import math
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from autograder.config import Threshold
from autograder.errors import ConfigError
from autograder.results import MetricResult
from autograder.thresholds import (
    METRICS,
    InvalidPrediction,
    check_threshold,
    points_for,
    read_artifact,
    score_threshold,
)
from autograder.thresholds.metrics import precision_at_k

MARKER_NAME = "unpickled.marker"


class Evil:
    """Unpickling this writes a marker file: proof that something unpickled it."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.write_text, (Path(self.path), "pwned"))


def npy(array: object, *, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=allow_pickle)
    return buf.getvalue()


def week(tmp_path: Path, **files: np.ndarray) -> Path:
    (tmp_path / "hidden").mkdir(exist_ok=True)
    for name, array in files.items():
        np.save(tmp_path / "hidden" / f"{name}.npy", array, allow_pickle=False)
    return tmp_path


def threshold(metric: str, **kw: object) -> Threshold:
    fields: dict[str, object] = {
        "id": metric,
        "metric": metric,
        "model": {"variable": "model", "kind": "array"},
        "labels": "hidden/y.npy",
        "floor": 0.8,
        "target": 0.9,
        "points": 3.0,
    }
    fields.update(kw)
    return Threshold.model_validate(fields)


def score(
    th: Threshold,
    week_dir: Path,
    pred: object = None,
    *,
    artifact: bytes | None = None,
    error: str | None = None,
) -> MetricResult:
    if artifact is None and pred is not None:
        artifact = npy(pred)
    return score_threshold(th, artifact=artifact, probe_error=error, week_dir=week_dir)


@pytest.fixture
def digits_week(tmp_path: Path) -> Path:
    y = np.tile(np.arange(10), 36)  # 360 labels, like the digits test split
    return week(tmp_path, y=y)


# -- invalid artifacts: each gives 0 points and its own message ---------------------


def test_missing_artifact(digits_week: Path) -> None:
    out = score(threshold("accuracy"), digits_week)
    assert (out.value, out.points, out.max_points) == (None, 0.0, 3.0)
    assert (
        out.text("ko")
        == "예측이 만들어지지 않았습니다 (노트북이 예측 단계까지 실행되지 않았습니다)"
    )


def test_probe_exception_text_is_shown(digits_week: Path) -> None:
    out = score(threshold("accuracy"), digits_week, error="NameError: name 'model' is not defined")
    assert out.points == 0.0 and out.value is None
    assert out.text("ko") == "예측을 만들 수 없습니다: NameError: name 'model' is not defined"
    en = score(
        threshold("accuracy"),
        digits_week,
        error="NameError: name 'model' is not defined",
    )
    assert (
        en.text("en") == "could not compute the predictions: NameError: name 'model' is not defined"
    )


def test_executor_texts_are_translated(digits_week: Path) -> None:
    out = score(threshold("accuracy"), digits_week, error="timed out after 300 s")
    assert out.text("ko") == "예측을 만들 수 없습니다: 300초 안에 끝나지 않았습니다"
    out = score(threshold("accuracy"), digits_week, error="the notebook did not finish")
    assert out.text("ko") == "예측을 만들 수 없습니다: 노트북이 끝까지 실행되지 않았습니다"


def test_wrong_row_count(digits_week: Path) -> None:
    out = score(threshold("accuracy"), digits_week, np.zeros(359, dtype=int))
    assert out.points == 0.0
    assert out.text("ko") == "예측의 행 수가 360이어야 하는데 359입니다"
    en = score(threshold("accuracy"), digits_week, np.zeros(359, dtype=int))
    assert en.text("en") == "the predictions should have 360 rows but have 359"


def test_wrong_shape(digits_week: Path) -> None:
    out = score(threshold("accuracy"), digits_week, np.zeros((360, 10, 2)))
    assert out.points == 0.0
    assert out.text("ko") == "예측의 모양이 (360, 10, 2)입니다. 허용되는 모양: (360,) 또는 (360, k)"
    out = score(threshold("rmse", floor=1.0, target=0.5), digits_week, np.zeros((360, 2)))
    assert out.text("ko") == "예측의 모양이 (360, 2)입니다. 허용되는 모양: (360,) 또는 (360, 1)"


def test_nan_and_inf(digits_week: Path) -> None:
    pred = np.arange(360, dtype=float) % 10
    pred[5] = np.nan
    out = score(threshold("accuracy"), digits_week, pred)
    assert (out.points, out.text("ko")) == (0.0, "예측에 NaN이 있습니다 (1개)")
    pred[5], pred[7], pred[9] = 1.0, np.inf, -np.inf
    out = score(threshold("accuracy"), digits_week, pred)
    assert (out.points, out.text("en")) == (0.0, "the predictions contain infinity (2 values)")


def test_string_array(digits_week: Path) -> None:
    out = score(threshold("accuracy"), digits_week, np.array(["7"] * 360))
    assert out.points == 0.0
    assert (
        out.text("ko")
        == "예측의 자료형이 str (<U1)입니다. 숫자(bool, 정수, 실수) 배열이어야 합니다"
    )


@pytest.mark.parametrize(
    ("array", "name"),
    [
        (np.zeros(360, dtype=complex), "complex"),
        (np.zeros(360, dtype="datetime64[s]"), "datetime"),
        (np.zeros(360, dtype=[("a", "f8"), ("b", "i4")]), "void"),
    ],
)
def test_non_numeric_dtypes(digits_week: Path, array: np.ndarray, name: str) -> None:
    out = score(threshold("accuracy"), digits_week, array)
    assert out.points == 0.0
    assert out.text("en").startswith(f"the predictions have dtype {name} (")


def test_object_array_is_never_unpickled(digits_week: Path, tmp_path: Path) -> None:
    marker = tmp_path / MARKER_NAME
    payload = np.empty(360, dtype=object)
    payload[:] = [Evil(str(marker))] * 360
    data = npy(payload, allow_pickle=True)
    out = score(threshold("accuracy"), digits_week, artifact=data)
    assert out.points == 0.0
    assert out.text("ko") == "예측이 파이썬 객체 배열(dtype=object)입니다. 숫자 배열이어야 합니다"
    assert not marker.exists()
    pickle.loads(data[data.index(b"\x80") :])  # the payload is live: unpickling does write it
    assert marker.exists()


def test_raw_pickle_and_npz_are_not_arrays(digits_week: Path, tmp_path: Path) -> None:
    marker = tmp_path / MARKER_NAME
    for data in (pickle.dumps(Evil(str(marker))), pickle.dumps(np.zeros(360))):
        out = score(threshold("accuracy"), digits_week, artifact=data)
        assert (out.points, out.text("ko")) == (0.0, "예측 결과가 NumPy 배열(.npy)이 아닙니다")
    buf = io.BytesIO()
    np.savez(buf, pred=np.zeros(360))
    assert zipfile.is_zipfile(io.BytesIO(buf.getvalue()))
    out = score(threshold("accuracy"), digits_week, artifact=buf.getvalue())
    assert out.text("ko") == "예측 결과가 NumPy 배열(.npy)이 아닙니다"
    assert not marker.exists()


def test_huge_arrays(digits_week: Path) -> None:
    # a header that claims 10^12 elements is refused before anything is allocated
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    )
    data = header.getvalue() + b"\0" * 64
    out = score(threshold("accuracy"), digits_week, artifact=data)
    assert out.points == 0.0
    assert out.text("ko") == "예측의 원소가 너무 많습니다 (1000000000000개, 최대 8000000개)"
    big = npy(np.zeros(360 * 25_000, dtype=np.float64))  # 72 MB
    out = score(threshold("accuracy"), digits_week, artifact=big)
    assert (
        out.text("en")
        == f"the predictions are too large ({len(big)} bytes, at most 67108864 bytes)"
    )


def test_corrupt_scalar_and_empty() -> None:
    with pytest.raises(InvalidPrediction) as corrupt:
        read_artifact(npy(np.zeros(360))[:-8])
    assert "손상" in corrupt.value.fact.render("ko")
    with pytest.raises(InvalidPrediction) as scalar:
        read_artifact(npy(np.float64(0.97)))
    assert scalar.value.fact.render("ko").startswith("예측이 배열이 아니라 값 하나입니다 (0.97)")
    with pytest.raises(InvalidPrediction, match="^the predictions are empty$"):  # str: English
        read_artifact(npy(np.zeros(0)))


def test_mutated_artifacts_never_raise(digits_week: Path) -> None:
    """Seeded byte flips in valid .npy files: every outcome is a score or a message."""
    rng = np.random.default_rng(7)
    bases = [npy(np.arange(360) % 10), npy(np.random.default_rng(0).random((360, 10)))]
    th = threshold("accuracy")
    messages = set()
    for i in range(1500):
        data = bytearray(bases[i % 2])
        for _ in range(int(rng.integers(1, 4))):
            data[int(rng.integers(0, 128))] = int(rng.integers(0, 256))
        if i % 10 == 0:
            data = data[: int(rng.integers(0, len(data)))]
        out = score(th, digits_week, artifact=bytes(data))
        assert 0.0 <= out.points <= 3.0 and out.text("ko")
        messages.add(out.text("ko").split("(")[0])
    assert len(messages) > 3  # the mutations reach several distinct checks


@pytest.mark.parametrize(
    "metric", ["accuracy", "balanced_accuracy", "f1", "roc_auc", "adjusted_rand"]
)
@pytest.mark.parametrize(
    "pred",
    [
        np.full(40, 1e300),
        np.full((40, 2), -1.0),
        np.full(40, 11),
        np.ones((40, 1), dtype=np.float16),
        np.arange(40, dtype=np.uint64),
    ],
    ids=["huge", "negative-proba", "unknown-class", "f16-column", "uint64"],
)
def test_odd_but_numeric_predictions_never_raise(
    tmp_path: Path, metric: str, pred: np.ndarray
) -> None:
    out = score(threshold(metric), week(tmp_path, y=np.tile([0, 1], 20)), pred)
    assert out.text("ko") and out.points <= 3.0
    assert out.value is None or math.isfinite(out.value)


def test_valid_arrays_come_back_native() -> None:
    big_endian = np.arange(5, dtype=">f4")
    out = read_artifact(npy(big_endian))
    assert out.dtype == np.float64 and out.tolist() == [0, 1, 2, 3, 4]
    assert read_artifact(npy(np.array([True, False]))).dtype == np.bool_


# -- metrics on known inputs ----------------------------------------------------------


def value(metric: str, tmp_path: Path, pred: object, y: np.ndarray, **kw: object) -> float | None:
    return score(threshold(metric, **kw), week(tmp_path, y=y), pred).value


def test_accuracy_from_labels_and_probabilities(tmp_path: Path) -> None:
    y = np.array([0, 1, 2, 2])
    assert value("accuracy", tmp_path, np.array([0, 1, 2, 0]), y) == 0.75
    assert value("accuracy", tmp_path, np.array([0.0, 1.0, 2.0, 0.0]), y) == 0.75
    probs = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.5, 0.2, 0.3]])
    assert value("accuracy", tmp_path, probs, y) == 0.75
    # a Keras sigmoid head: (n, 1) probabilities of class 1
    yb = np.array([0, 1, 1, 0])
    assert value("accuracy", tmp_path, np.array([[0.2], [0.7], [0.4], [0.1]]), yb) == 0.75


def test_accuracy_rejects_fractional_labels_and_wrong_columns(tmp_path: Path) -> None:
    y = np.array([0, 1, 2, 2])
    out = score(threshold("accuracy"), week(tmp_path, y=y), np.array([0.2, 0.9, 0.3, 0.1]))
    assert out.value is None and out.text("ko").startswith("예측이 클래스 레이블(정수)이 아닙니다")
    out = score(threshold("accuracy"), tmp_path, np.ones((4, 4)) / 4)
    assert out.text("ko") == "확률 배열의 열 수가 3이어야 하는데 4입니다"


def test_balanced_accuracy_and_f1(tmp_path: Path) -> None:
    assert value("balanced_accuracy", tmp_path, np.zeros(4, int), np.array([0, 0, 0, 1])) == 0.5
    yb, pb = np.array([0, 1, 1, 0]), np.array([0, 1, 0, 0])
    assert value("f1", tmp_path, pb, yb) == pytest.approx(2 / 3)
    y3, p3 = np.array([0, 1, 2, 2, 1, 0]), np.array([0, 2, 2, 2, 1, 1])
    assert value("f1", tmp_path, p3, y3) == pytest.approx(skm.f1_score(y3, p3, average="macro"))
    micro = value("f1", tmp_path, p3, y3, options={"average": "micro"})
    assert micro == pytest.approx(4 / 6)


def test_roc_auc_binary_and_multiclass(tmp_path: Path) -> None:
    y = np.array([0, 0, 1, 1])
    scores = np.array([0.1, 0.4, 0.35, 0.8])
    assert value("roc_auc", tmp_path, scores, y) == 0.75
    assert value("roc_auc", tmp_path, np.c_[1 - scores, scores], y) == 0.75
    assert value("roc_auc", tmp_path, scores[:, None], y) == 0.75
    rng = np.random.default_rng(0)
    y3 = np.repeat(np.arange(3), 10)
    probs = rng.dirichlet(np.ones(3), size=30)
    probs[np.arange(30), y3] += 0.5
    probs /= probs.sum(axis=1, keepdims=True)
    expected = skm.roc_auc_score(y3, probs, multi_class="ovr")
    assert value("roc_auc", tmp_path, probs, y3) == pytest.approx(expected)
    out = score(threshold("roc_auc"), week(tmp_path, y=y3), probs * 3)
    assert out.value is None and out.text("ko").startswith("다중 클래스 ROC AUC에는")
    out = score(threshold("roc_auc"), tmp_path, y3.astype(float))
    assert out.text("ko") == "예측의 모양이 (30,)입니다. 허용되는 모양: (30, 3)"


def test_regression_metrics(tmp_path: Path) -> None:
    y, p = np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0])
    assert value("r2", tmp_path, p, y) == pytest.approx(0.5)
    assert value("rmse", tmp_path, p[:, None], y, floor=1, target=0.5) == pytest.approx(
        math.sqrt(1 / 3)
    )
    assert value("mae", tmp_path, p, y, floor=1, target=0.5) == pytest.approx(1 / 3)


def test_clustering_metrics(tmp_path: Path) -> None:
    y = np.array([0, 0, 1, 1, 2, 2])
    assert value("adjusted_rand", tmp_path, np.array([5, 5, 3, 3, 9, 9]), y) == 1.0
    rng = np.random.default_rng(0)
    x = np.r_[rng.normal(0, 0.1, (20, 2)), rng.normal(10, 0.1, (20, 2))]
    np.save(tmp_path / "X.npy", x)
    th = threshold("silhouette", labels=None, assets="X.npy", floor=0.2, target=0.5)
    good = score(th, tmp_path, np.repeat([0, 1], 20))
    assert good.value == pytest.approx(skm.silhouette_score(x, np.repeat([0, 1], 20)))
    assert good.value > 0.9 and good.points == 3.0
    single = score(th, tmp_path, np.zeros(40, int))
    assert single.value is None and single.points == 0.0
    assert single.text("ko").startswith("군집이 1개뿐이라 실루엣 점수를 계산할 수 없습니다")
    assert (
        score(th, tmp_path, np.zeros(39, int)).text("ko")
        == "예측의 행 수가 40이어야 하는데 39입니다"
    )


def test_precision_at_k_format(tmp_path: Path) -> None:
    # labels: [user, relevance] per candidate row; user 2 has nothing relevant and is skipped
    labels = np.array([[0, 1], [0, 0], [0, 1], [0, 0], [1, 0], [1, 1], [1, 0], [2, 0], [2, 0]])
    scores = np.array([0.9, 0.8, 0.1, 0.2, 0.5, 0.4, 0.3, 0.9, 0.1])
    # user 0: top-2 = rows 0 (rel), 1 (not) -> 0.5; user 1: top-2 = rows 4, 5 -> 0.5
    th = threshold("precision_at_k", options={"k": 2}, floor=0.1, target=0.5)
    out = score(th, week(tmp_path, y=labels), scores)
    assert out.value == 0.5 and out.details == {"users": 2.0, "k": 2.0}
    assert score(th, tmp_path, np.zeros(9)).value == 0.0  # ties rank relevant items last
    perfect = labels[:, 1].astype(float)
    assert score(th, tmp_path, perfect).value == 0.75  # user 1 has one relevant item: 1/2
    top1 = threshold("precision_at_k", options={"k": 1}, floor=0.1, target=0.5)
    assert score(top1, tmp_path, perfect).value == 1.0
    value_, users = precision_at_k(scores, labels[:, 0], labels[:, 1] > 0, k=1)
    assert (value_, users) == (0.5, 2)


# -- points, direction, messages -----------------------------------------------------


def test_points_linear_between_floor_and_target() -> None:
    kw = {"floor": 0.8, "target": 0.9, "points": 3.0, "direction": "higher"}
    assert points_for(0.85, **kw) == pytest.approx(1.5)
    assert points_for(0.80, **kw) == 0.0
    assert points_for(0.50, **kw) == 0.0
    assert points_for(0.95, **kw) == 3.0
    assert points_for(None, **kw) == 0.0
    assert points_for(float("nan"), **kw) == 0.0
    assert points_for(0.89, **kw, curve="step") == 0.0
    assert points_for(0.90, **kw, curve="step") == 3.0


def test_points_lower_is_better() -> None:
    kw = {"floor": 0.85, "target": 0.78, "points": 2.0, "direction": "lower"}
    assert points_for(0.815, **kw) == pytest.approx(1.0)
    assert points_for(0.70, **kw) == 2.0
    assert points_for(0.95, **kw) == 0.0


def test_direction_defaults_to_the_metric(tmp_path: Path) -> None:
    y = np.zeros(4)
    th = threshold("rmse", floor=0.85, target=0.78)
    out = score(th, week(tmp_path, y=y), np.full(4, 0.815))
    assert out.direction == "lower" and out.points == pytest.approx(1.5)
    forced = score(threshold("r2", direction="lower", floor=0.5, target=0.0), tmp_path, np.zeros(4))
    assert forced.direction == "lower"


def test_feedback_lines(tmp_path: Path) -> None:
    y = np.array([1] * 962 + [0] * 38)
    th = threshold("accuracy", floor=0.9, target=0.95)
    out = score(th, week(tmp_path, y=y), np.ones(1000, int))
    assert (out.value, out.points, out.reached) == (pytest.approx(0.962), 3.0, True)
    assert out.text("ko") == "목표를 달성했습니다"
    partial = score(th, tmp_path, np.r_[np.ones(887, int), np.zeros(113, int)])
    assert partial.value == pytest.approx(0.925) and partial.points == 1.5
    assert partial.text("ko") == "최저 기준(0.9)은 넘었지만 목표(0.95)에는 못 미칩니다"
    missing = score(th, tmp_path, np.ones(999, int))
    assert missing.value is None and missing.points == 0.0
    assert missing.text("en") == "the predictions should have 1000 rows but have 999"
    lower = score(
        threshold("rmse", floor=0.85, target=0.78), week(tmp_path, y=np.zeros(4)), np.full(4, 0.75)
    )
    assert (lower.value, lower.direction, lower.reached) == (pytest.approx(0.75), "lower", True)


def test_to_dict_carries_the_contract_keys(tmp_path: Path) -> None:
    out = score(threshold("accuracy"), week(tmp_path, y=np.array([0, 1])), np.array([0, 1]))
    data = out.to_dict()
    assert {"id", "metric", "value", "target", "floor", "points", "max_points"} <= set(data)
    assert data["value"] == 1.0 and data["points"] == 3.0 and data["details"] == {}


# -- constant predictors and reference models on the course's data -------------------


def test_constant_predictor_earns_nothing_on_course_thresholds(tmp_path: Path) -> None:
    x, y = load_breast_cancer(return_X_y=True)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.25, stratify=y, random_state=0)
    np.save(week(tmp_path, y=y_te) / "hidden" / "y_bc.npy", y_te)
    auc = threshold("roc_auc", labels="hidden/y_bc.npy", floor=0.97, target=0.99)
    majority = score(auc, tmp_path, np.full(len(y_te), 0.63))
    assert majority.value == 0.5 and majority.points == 0.0
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(x_tr, y_tr)
    reference = score(auc, tmp_path, model.predict_proba(x_te))
    assert reference.value >= 0.99 and reference.points == 3.0

    digits = load_digits()
    d_tr, d_te, t_tr, t_te = train_test_split(
        digits.data / 16, digits.target, test_size=0.2, random_state=42, stratify=digits.target
    )
    np.save(tmp_path / "hidden" / "y_digits.npy", t_te)
    acc = threshold("accuracy", labels="hidden/y_digits.npy", floor=0.95, target=0.97)
    constant = score(acc, tmp_path, np.full(len(t_te), 3))
    assert constant.value == pytest.approx(0.1, abs=0.01) and constant.points == 0.0
    uniform = score(acc, tmp_path, np.full((len(t_te), 10), 0.1))
    assert uniform.points == 0.0


# -- instructor faults are configuration errors, never the student's zero ----------


def test_configuration_errors(tmp_path: Path) -> None:
    week(tmp_path, y=np.array([0, 1]), names=np.array(["a", "b"]))
    with pytest.raises(ConfigError, match="unknown metric 'acuracy'"):
        score(threshold("acuracy"), tmp_path, np.array([0, 1]))
    with pytest.raises(ConfigError, match="needs `labels`"):
        score(threshold("accuracy", labels=None), tmp_path, np.array([0, 1]))
    with pytest.raises(ConfigError, match="numeric"):
        score(threshold("accuracy", labels="hidden/names.npy"), tmp_path, np.array([0, 1]))
    with pytest.raises(ConfigError, match="needs `assets`"):
        score(threshold("silhouette", labels=None), tmp_path, np.array([0, 1]))
    with pytest.raises(ConfigError, match="must be 2-D"):
        check_threshold(threshold("precision_at_k"), week_dir=tmp_path)
    with pytest.raises(ConfigError, match="floor 0.9 is beyond target 0.8"):
        check_threshold(threshold("accuracy", floor=0.9, target=0.8), week_dir=tmp_path)
    check_threshold(threshold("rmse", floor=0.9, target=0.8), week_dir=tmp_path)


def test_registry_covers_the_course() -> None:
    assert set(METRICS) >= {
        "accuracy",
        "balanced_accuracy",
        "f1",
        "roc_auc",
        "r2",
        "rmse",
        "mae",
        "adjusted_rand",
        "silhouette",
        "precision_at_k",
        "generated_images",
    }
    assert METRICS["rmse"].direction == METRICS["mae"].direction == "lower"


# -- leaderboard ------------------------------------------------------------------


def test_leaderboard_best_per_student_anonymised() -> None:
    from autograder.thresholds.leaderboard import alias, leaderboard

    def entry(value: float | None, direction: str = "higher") -> dict[str, object]:
        return {"id": "acc", "value": value, "points": 1.0, "max_points": 3.0,
                "direction": direction}  # fmt: skip

    entries = [
        ("alice", entry(0.91)), ("alice", entry(0.97)), ("bob", entry(0.95)),
        ("carol", entry(None)), ("dave", entry(0.95)), ("erin", {"id": "other", "value": 1.0}),
    ]  # fmt: skip
    rows = leaderboard(entries, metric_id="acc", salt="s3cret")
    assert [(r.rank, r.value) for r in rows] == [(1, 0.97), (2, 0.95), (2, 0.95)]
    assert rows[0].name == alias("alice", salt="s3cret") != alias("alice", salt="other")
    assert all("alice" not in r.name and "bob" not in r.name for r in rows)
    named = leaderboard(entries, metric_id="acc", anonymise=False, limit=2)
    assert [r.name for r in named] == ["alice", "bob"]
    lower = [("a", entry(0.8, "lower")), ("b", entry(0.7, "lower")), ("a", entry(0.75, "lower"))]
    assert [(r.name, r.value) for r in leaderboard(lower, metric_id="acc", anonymise=False)] == [
        ("b", 0.7), ("a", 0.75),
    ]  # fmt: skip
