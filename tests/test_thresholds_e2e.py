"""Thresholds end to end with real kernels: `autograder grade --json --runner process|docker`.

A tiny course (digits, logistic regression `model`, an accuracy threshold on 360
hidden rows) proves that the exported model is scored by the clean evaluator on
the host's hidden data: printed or forged output earns nothing, and neither the
hidden inputs nor the hidden labels reach the job's folders (process runner) or
any file of the student's container (docker runner; every readable file of the
container is hashed), while a course that wrongly ships them is caught by the
same check. With the docker runner the evaluator is a container too.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from autograder.course import Course
from autograder.nbgrader_adapter import release_week
from tests.conftest import require_docker

WEEK = "w"
SETUP = """\
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
_d = load_digits()
X_train, _, y_train, _ = train_test_split(
    _d.data / 16, _d.target, test_size=0.2, random_state=42, stratify=_d.target
)"""
HONEST = """\
from sklearn.linear_model import LogisticRegression
model = LogisticRegression(max_iter=2000).fit(X_train, y_train)"""
CONSTANT = """\
class Constant:
    def predict(self, X):
        return np.zeros(len(X), dtype=int)
model = Constant()"""
# The sandbox check. In a container (working folder under /tmp/work or /job) it hashes
# every regular file of the whole filesystem it can read (up to 64 MB each), elsewhere
# (process runner: no sandbox, the host's files are readable) the job's folders and HOME.
SANDBOX_TEST = """\
import hashlib, os
from pathlib import Path
_inside = str(Path.cwd()).startswith(("/job/", "/tmp/work"))
_tops = ["/"] if _inside else [str(Path.cwd()), str(Path.cwd().parent), os.environ.get("HOME", ".")]
_secret = {{{inputs!r}: "hidden inputs", {labels!r}: "hidden labels"}}
_found, _hashed, _walked = [], 0, set()
for _top in _tops:
    for _dir, _subdirs, _files in os.walk(_top):
        _walked.add(_dir)
        _subdirs[:] = [d for d in _subdirs if os.path.join(_dir, d) not in ("/proc", "/sys", "/dev")]
        for _f in _files:
            _p = os.path.join(_dir, _f)
            try:
                if not os.path.isfile(_p) or os.path.islink(_p) or os.path.getsize(_p) > 64 << 20:
                    continue
                _digest = hashlib.sha256(Path(_p).read_bytes()).hexdigest()
            except OSError:
                continue
            _hashed += 1
            if _digest in _secret or "_hidden" in _f:
                _found.append((_p, _secret.get(_digest, "named like a hidden file")))
print(_tops, len(_walked), "folders", _hashed, "files hashed")
assert not _inside or "/usr/lib" in _walked, "the search must cover the whole container"
assert _hashed > (10000 if _inside else 1), "too few files hashed"
assert not _found, f"hidden data reached the sandbox: {{_found}}"
"""
ASSIGNMENT = """\
[resources]
cell_timeout_s = 240
total_timeout_s = 400

[[thresholds]]
id = "digits_acc"
metric = "accuracy"
inputs = {{ X = "hidden/X_hidden.npy" }}
labels = "hidden/y_hidden.npy"
floor = 0.90
target = 0.95
points = 3
model = {{ variable = "model", kind = "sklearn", requirements = {{ family = ["LogisticRegression"], trained = true }} }}
"""


def _cell(grade_id: str, source: str, **flags: Any) -> nbformat.NotebookNode:
    meta = {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3}
    meta.update({"solution": False, "task": False, **flags})
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})


IMAGE = os.environ.get("AUTOGRADER_TEST_IMAGE", "autograder-grading:latest")


def make_course(root: Path, *, leak: bool = False) -> Course:
    """The course; `leak` wrongly publishes the hidden files as public data (the control)."""
    week_dir = root / "solutions" / WEEK
    (week_dir / "hidden").mkdir(parents=True)
    (root / "course.toml").write_text(
        f'name = "t"\nlanguage = "ko"\nrunner = "process"\nimage = "{IMAGE}"\n'
    )
    digits = load_digits()
    _, x_hidden, _, y_hidden = train_test_split(
        digits.data / 16, digits.target, test_size=0.2, random_state=42, stratify=digits.target
    )
    np.save(week_dir / "hidden" / "X_hidden.npy", x_hidden)
    np.save(week_dir / "hidden" / "y_hidden.npy", y_hidden)
    (week_dir / "assignment.toml").write_text(ASSIGNMENT.format())
    hidden = {n: (week_dir / "hidden" / n).read_bytes() for n in ("X_hidden.npy", "y_hidden.npy")}
    if leak:
        (week_dir / "data").mkdir()
        (week_dir / "data" / "copy.npy").write_bytes(hidden["y_hidden.npy"])
    nb = nbformat.v4.new_notebook(
        cells=[
            _cell("setup", SETUP, locked=True),
            _cell("model", f"### BEGIN SOLUTION\n{HONEST}\n### END SOLUTION", solution=True),
            _cell(
                "test_sandbox",
                SANDBOX_TEST.format(
                    inputs=hashlib.sha256(hidden["X_hidden.npy"]).hexdigest(),
                    labels=hashlib.sha256(hidden["y_hidden.npy"]).hexdigest(),
                ),
                grade=True,
                locked=True,
                points=1,
            ),
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


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    return make_course(tmp_path_factory.mktemp("course"))


def grade(
    course: Course, model_source: str, tmp_path: Path, login: str = "s1", runner: str = "process"
) -> dict[str, Any]:
    """Fill the release's model cell with `model_source`; grade it through the CLI."""
    nb = copy.deepcopy(nbformat.read(course.assignments_dir / WEEK / f"{WEEK}.ipynb", 4))
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "model":
            cell.source = model_source
    submission = tmp_path / login / f"{WEEK}.ipynb"
    submission.parent.mkdir(parents=True)
    nbformat.write(nb, submission)
    cmd = [sys.executable, "-m", "autograder.cli", "--course", str(course.root), "grade", WEEK,
           "--submission", str(submission), "--student", login, "--json", "--runner", runner]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, Any] = json.loads(proc.stdout)
    assert result["status"] == "graded", result
    return result


def metric(result: dict[str, Any]) -> dict[str, Any]:
    (only,) = result["metrics"]
    return only


def test_honest_model_clears_the_target_and_hidden_data_stay_out(
    course: Course, tmp_path: Path
) -> None:
    result = grade(course, HONEST, tmp_path)
    m = metric(result)
    assert m["value"] >= 0.95 and m["points"] == m["max_points"] == 3.0
    assert {k: m[k] for k in ("id", "metric", "target", "floor")} == {
        "id": "digits_acc", "metric": "accuracy", "target": 0.95, "floor": 0.9,
    }  # fmt: skip
    assert m["message"] == "채점한 모델: model (LogisticRegression) · 목표를 달성했습니다"
    (sandbox,) = result["tests"]
    assert sandbox["id"] == "test_sandbox" and sandbox["status"] == "passed", sandbox
    assert result["score"] == result["max_score"] == 4.0


def test_hidden_data_are_in_no_file_of_the_container(course: Course, tmp_path: Path) -> None:
    """Docker runner: the check hashes every file of the student's container; the
    evaluator is a container of its own, so full threshold points prove it ran."""
    require_docker()
    inside = "\nfrom pathlib import Path\nassert str(Path.cwd()).startswith(('/job/', '/tmp/work')), Path.cwd()"
    result = grade(course, HONEST + inside, tmp_path, runner="docker")
    assert result["runner"] == "docker"
    (sandbox,) = result["tests"]
    assert sandbox["status"] == "passed", sandbox
    assert metric(result)["points"] == 3.0, metric(result)


def test_the_sandbox_check_sees_hidden_data_when_they_are_sent(tmp_path: Path) -> None:
    """Control: a course that wrongly publishes the labels fails the same check."""
    leaky = make_course(tmp_path / "leaky", leak=True)
    result = grade(leaky, HONEST, tmp_path)
    (sandbox,) = result["tests"]
    assert sandbox["status"] == "failed" and sandbox["points"] == 0.0


def test_constant_predictor_printing_fake_accuracy_gets_zero(
    course: Course, tmp_path: Path
) -> None:
    cheat = CONSTANT + (
        "\nimport sklearn.metrics\n"
        "sklearn.metrics.accuracy_score = lambda *a, **k: 1.0\n"
        "print('accuracy: 1.0')\nprint('test accuracy = 100%')"
    )
    m = metric(grade(course, cheat, tmp_path))
    assert m["value"] is None and m["points"] == 0.0
    assert m["message"] == (
        "채점한 모델: model · `model`은(는) scikit-learn 추정기여야 하는데 Constant입니다"
    )
