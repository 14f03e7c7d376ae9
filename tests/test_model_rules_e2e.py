"""The clean evaluator end to end with real kernels: only the model the week teaches scores.

A tiny course (digits) with two thresholds: a Keras MLP (`model`: two Dense layers,
trained) and a scikit-learn classifier (`clf`: a fitted LogisticRegression). The
sandbox exports the variables, the evaluator (a subprocess here; a container in
`test_thresholds_e2e.py`) loads them code-free and predicts on hidden inputs the
sandbox never sees. Lookups, rule objects, wrong layers, untrained models,
non-Keras objects, pickles and lambdas each earn zero with a message that names
the variable and the broken rule; the honest models earn every point.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import nbformat
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from autograder.course import Course
from autograder.grading import grade_files
from autograder.nbgrader_adapter import release_week
from autograder.pipeline.context import load_week_context
from autograder.results import SubmissionResult
from gpu_runner.runners import ProcessRunner, Runner
from tests.conftest import require_docker

pytest.importorskip("keras")

WEEK = "w"
SETUP = """\
import os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import keras
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
keras.utils.set_random_seed(0)
_d = load_digits()
X_train, _, y_train, _ = train_test_split(
    _d.data / 16, _d.target, test_size=0.2, random_state=42, stratify=_d.target
)"""
MLP = """\
model = keras.Sequential([
    keras.Input((64,)),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile("adam", "sparse_categorical_crossentropy")
model.fit(X_train, y_train, epochs=15, batch_size=32, verbose=0)"""
LOGREG = """\
from sklearn.linear_model import LogisticRegression
clf = LogisticRegression(max_iter=2000).fit(X_train, y_train)"""
ASSIGNMENT = """\
[[thresholds]]
id = "mlp_acc"
metric = "accuracy"
inputs = { X = "hidden/X_hidden.npy" }
labels = "hidden/y_hidden.npy"
floor = 0.85
target = 0.9
points = 3
[thresholds.model]
variable = "model"
kind = "keras"
[thresholds.model.requirements]
layers = { Dense = 2 }
input_shape = [64]
output_shape = [10]
max_params = 100000
trained = true

[[thresholds]]
id = "clf_acc"
metric = "accuracy"
inputs = { X = "hidden/X_hidden.npy" }
labels = "hidden/y_hidden.npy"
floor = 0.85
target = 0.9
points = 2
model = { variable = "clf", kind = "sklearn", requirements = { family = ["LogisticRegression"], trained = true } }
"""


def _cell(grade_id: str, source: str, **flags: Any) -> nbformat.NotebookNode:
    meta = {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3}
    meta.update({"solution": False, "task": False, **flags})
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    root = tmp_path_factory.mktemp("rules")
    week_dir = root / "solutions" / WEEK
    (week_dir / "hidden").mkdir(parents=True)
    (root / "course.toml").write_text('name = "t"\nlanguage = "ko"\nrunner = "process"\n')
    digits = load_digits()
    _, x_hidden, _, y_hidden = train_test_split(
        digits.data / 16, digits.target, test_size=0.2, random_state=42, stratify=digits.target
    )
    np.save(week_dir / "hidden" / "X_hidden.npy", x_hidden)
    np.save(week_dir / "hidden" / "y_hidden.npy", y_hidden)
    (week_dir / "assignment.toml").write_text(ASSIGNMENT)
    nb = nbformat.v4.new_notebook(
        cells=[
            _cell("setup", SETUP, locked=True),
            _cell("mlp", f"### BEGIN SOLUTION\n{MLP}\n### END SOLUTION", solution=True),
            _cell("clf", f"### BEGIN SOLUTION\n{LOGREG}\n### END SOLUTION", solution=True),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, week_dir / f"{WEEK}.ipynb")
    course = Course(root)
    release_week(course, WEEK)
    return course


def grade(
    course: Course,
    *,
    mlp: str = MLP,
    clf: str = LOGREG,
    login: str = "s",
    runner: Runner | None = None,
) -> SubmissionResult:
    nb = copy.deepcopy(nbformat.read(course.assignments_dir / WEEK / f"{WEEK}.ipynb", 4))
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "mlp":
            cell.source = mlp
        elif grade_id == "clf":
            cell.source = clf
    ctx = load_week_context(course, WEEK)
    files = {f"{WEEK}.ipynb": nbformat.writes(nb).encode()}
    runner = runner or ProcessRunner(fork_server=False)
    try:
        result = grade_files(ctx, login=login, files=files, runner=runner)
    finally:
        runner.close()  # a Docker runner's containers started ahead go with it
    assert result.status == "graded", result.problems
    return result


def metrics(result: SubmissionResult) -> dict[str, Any]:
    return {m.id: m for m in result.metrics}


def test_honest_models_earn_every_point(course: Course) -> None:
    got = metrics(grade(course))
    assert got["mlp_acc"].points == 3.0 and got["mlp_acc"].value >= 0.9, got["mlp_acc"]
    assert got["clf_acc"].points == 2.0, got["clf_acc"]
    assert got["mlp_acc"].text("ko").startswith("채점한 모델: model (Keras Sequential, ")
    assert "LogisticRegression" in got["clf_acc"].text("ko")


LOOKUP = """\
_train_x, _train_y = X_train, y_train
def model(X):
    d = ((np.asarray(X)[:, None, :] - _train_x[None]) ** 2).sum(-1)
    return _train_y[d.argmin(1)]"""
KNN = """\
from sklearn.neighbors import KNeighborsClassifier
_all = load_digits()
clf = KNeighborsClassifier(1).fit(_all.data / 16, _all.target)"""


def test_lookup_function_and_knn_lookup_earn_zero(course: Course) -> None:
    got = metrics(grade(course, mlp=LOOKUP, clf=KNN))
    assert got["mlp_acc"].points == got["clf_acc"].points == 0.0
    assert "`model`은(는) Keras 모델(keras.Model)이어야 하는데 function입니다" in (
        got["mlp_acc"].text("ko")
    )
    assert (
        "규칙 위반 (family): 모델 종류가 KNeighborsClassifier입니다. "
        "허용되는 종류: LogisticRegression" in got["clf_acc"].text("ko")
    )


RULE = """\
class Rule:
    def predict(self, X, **kw):
        X = np.asarray(X)
        return np.eye(10)[(X.sum(1) * 7).astype(int) % 10]
model = Rule()"""
RULE_CLF = """\
from sklearn.base import BaseEstimator, ClassifierMixin
class RuleClf(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        self.classes_ = np.arange(10)
        return self
    def predict(self, X):
        return (np.asarray(X).sum(1) * 7).astype(int) % 10
clf = RuleClf().fit(X_train, y_train)"""


def test_rule_objects_earn_zero(course: Course) -> None:
    got = metrics(grade(course, mlp=RULE, clf=RULE_CLF))
    assert got["mlp_acc"].points == got["clf_acc"].points == 0.0
    assert "Keras 모델(keras.Model)이어야 하는데 Rule입니다" in got["mlp_acc"].text("ko")
    # a class of the notebook's own is code: skops refuses to load it
    assert "코드 없이 불러올 수 없어 거부했습니다" in got["clf_acc"].text("ko")
    assert "RuleClf" in got["clf_acc"].text("ko")


WRONG_LAYERS = """\
model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy")
model.fit(X_train, y_train, epochs=30, verbose=0)"""
UNTRAINED_CLF = """\
from sklearn.linear_model import LogisticRegression
clf = LogisticRegression()"""


def test_wrong_layers_and_unfitted_estimator_earn_zero(course: Course) -> None:
    got = metrics(grade(course, mlp=WRONG_LAYERS, clf=UNTRAINED_CLF))
    assert got["mlp_acc"].points == got["clf_acc"].points == 0.0
    assert "규칙 위반 (layers): Dense 층이 2개 이상 있어야 하는데 1개입니다" in (
        got["mlp_acc"].text("ko")
    )
    assert "규칙 위반 (trained): 학습(fit)하지 않은 추정기입니다" in got["clf_acc"].text("ko")


UNTRAINED = MLP.replace("model.fit(X_train, y_train, epochs=15, batch_size=32, verbose=0)", "")
NON_KERAS = """\
from sklearn.neural_network import MLPClassifier
model = MLPClassifier((64,), max_iter=300, random_state=0).fit(X_train, y_train)"""


def test_untrained_model_and_non_keras_object_earn_zero(course: Course) -> None:
    untrained = metrics(grade(course, mlp=UNTRAINED, login="u"))["mlp_acc"]
    assert untrained.points == 0.0
    assert "규칙 위반 (trained): 학습한 흔적이 없습니다" in untrained.text("ko")
    non_keras = metrics(grade(course, mlp=NON_KERAS, login="n"))["mlp_acc"]
    assert non_keras.points == 0.0
    assert "Keras 모델(keras.Model)이어야 하는데 MLPClassifier입니다" in non_keras.text("ko")


PICKLED = (
    MLP
    + """
import pickle, skops.io
def _save(self, path, *a, **k):
    with open(path, "wb") as f:
        pickle.dump({"accuracy": 1.0}, f)
keras.Model.save = _save
skops.io.dump = lambda obj, path, *a, **k: open(path, "wb").write(pickle.dumps(obj))"""
)


def test_pickled_artifacts_are_refused(course: Course) -> None:
    got = metrics(grade(course, mlp=PICKLED, clf=LOGREG + "\n" + PICKLED))
    assert got["mlp_acc"].points == got["clf_acc"].points == 0.0
    assert "거부했습니다 (not a .keras archive)" in got["mlp_acc"].text("ko")
    assert "거부했습니다 (not a skops file" in got["clf_acc"].text("ko")


LAMBDA = """\
model = keras.Sequential([
    keras.Input((64,)),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Lambda(lambda x: x * 1.0),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile("adam", "sparse_categorical_crossentropy")
model.fit(X_train, y_train, epochs=15, batch_size=32, verbose=0)"""


def test_lambda_layers_are_refused_and_missing_variables_named(course: Course) -> None:
    got = metrics(grade(course, mlp=LAMBDA, clf="pass"))
    assert got["mlp_acc"].points == got["clf_acc"].points == 0.0
    assert "거부했습니다 (a Lambda layer holds code)" in got["mlp_acc"].text("ko")
    assert (
        got["clf_acc"]
        .text("ko")
        .endswith("노트북에 `clf` 변수가 없습니다 (이 변수의 모델을 채점합니다)")
    )


def test_in_containers_honest_models_score_and_cheats_are_refused(course: Course) -> None:
    """Docker runner and Docker evaluator: the same verdicts as in trusted mode."""
    require_docker()
    from gpu_runner.runners.docker import DockerRunner

    image = os.environ.get("AUTOGRADER_TEST_IMAGE", "autograder-grading:latest")
    honest = metrics(grade(course, runner=DockerRunner(image=image), login="d1"))
    assert honest["mlp_acc"].points == 3.0 and honest["clf_acc"].points == 2.0, honest
    cheats = metrics(
        grade(course, mlp=LAMBDA, clf=KNN, runner=DockerRunner(image=image), login="d2")
    )
    assert cheats["mlp_acc"].points == cheats["clf_acc"].points == 0.0
    assert "거부했습니다 (a Lambda layer holds code)" in cheats["mlp_acc"].text("ko")
    assert "규칙 위반 (family)" in cheats["clf_acc"].text("ko")
