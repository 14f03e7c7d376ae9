"""Thresholds end to end with real kernels: `autograder grade --json --runner process|docker`.

A tiny course (digits, logistic regression, an accuracy threshold on 360 hidden
rows) proves that predictions are scored on the host: forged output, a patched
``numpy.save``, a patched ``eval`` or a rewritten probe cell earn only what the
predictions are worth; and that the hidden labels never reach the job's folders
(process runner) or anywhere in the container (docker runner), while a course that
wrongly ships them is caught by the same check.
"""

from __future__ import annotations

import copy
import hashlib
import json
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
# The sandbox check. In a container (working folder under /job) it searches the whole
# filesystem, elsewhere (process runner: no sandbox, the host's files are readable) the
# job's folders and HOME. Files of the labels' or inputs' exact size are hashed.
SANDBOX_TEST = """\
import hashlib, os
from pathlib import Path
if str(Path.cwd()).startswith("/job/"):
    _tops = ["/"]
else:
    _tops = [str(Path.cwd()), str(Path.cwd().parent), os.environ.get("HOME", ".")]
_sizes = {{{inputs_size}, {labels_size}}}
_seen, _walked = {{}}, set()
for _top in _tops:
    for _dir, _subdirs, _files in os.walk(_top):
        _walked.add(_dir)
        _subdirs[:] = [d for d in _subdirs if os.path.join(_dir, d) not in ("/proc", "/sys", "/dev")]
        for _f in _files:
            _p = os.path.join(_dir, _f)
            try:
                if os.path.isfile(_p) and os.path.getsize(_p) in _sizes:
                    _seen[_p] = hashlib.sha256(Path(_p).read_bytes()).hexdigest()
                elif "y_hidden" in _p:
                    _seen[_p] = "named like the labels"
            except OSError:
                pass
print(_tops, len(_walked), "folders", len(_seen), "candidate files")
assert _tops != ["/"] or "/usr/lib" in _walked, "the search must cover the whole container"
assert {inputs!r} in _seen.values(), "the probe inputs should be visible"
assert {labels!r} not in _seen.values(), "the hidden labels reached the sandbox"
assert not [p for p in _seen if "y_hidden" in p], "a file named like the labels is visible"
"""
ASSIGNMENT = """\
[resources]
cell_timeout_s = 120
total_timeout_s = 300

[[thresholds]]
id = "digits_acc"
metric = "accuracy"
probe = "model.predict(X_hidden)"
inputs = {{ X_hidden = "hidden/X_hidden.npy"{extra} }}
labels = "hidden/y_hidden.npy"
floor = 0.90
target = 0.95
points = 3
"""


def _cell(grade_id: str, source: str, **flags: Any) -> nbformat.NotebookNode:
    meta = {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3}
    meta.update({"solution": False, "task": False, **flags})
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})


def make_course(root: Path, *, labels_as_input: bool = False) -> Course:
    week_dir = root / "solutions" / WEEK
    (week_dir / "hidden").mkdir(parents=True)
    (root / "course.toml").write_text('name = "t"\nlanguage = "ko"\nrunner = "process"\n')
    digits = load_digits()
    _, x_hidden, _, y_hidden = train_test_split(
        digits.data / 16, digits.target, test_size=0.2, random_state=42, stratify=digits.target
    )
    np.save(week_dir / "hidden" / "X_hidden.npy", x_hidden)
    np.save(week_dir / "hidden" / "y_hidden.npy", y_hidden)
    extra = ', y = "hidden/y_hidden.npy"' if labels_as_input else ""
    (week_dir / "assignment.toml").write_text(ASSIGNMENT.format(extra=extra))
    hidden = {n: (week_dir / "hidden" / n).read_bytes() for n in ("X_hidden.npy", "y_hidden.npy")}
    assert len(hidden["X_hidden.npy"]) != len(hidden["y_hidden.npy"])
    nb = nbformat.v4.new_notebook(
        cells=[
            _cell("setup", SETUP, locked=True),
            _cell("model", f"### BEGIN SOLUTION\n{HONEST}\n### END SOLUTION", solution=True),
            _cell(
                "test_sandbox",
                SANDBOX_TEST.format(
                    inputs=hashlib.sha256(hidden["X_hidden.npy"]).hexdigest(),
                    labels=hashlib.sha256(hidden["y_hidden.npy"]).hexdigest(),
                    inputs_size=len(hidden["X_hidden.npy"]),
                    labels_size=len(hidden["y_hidden.npy"]),
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


def test_honest_model_clears_the_target_and_labels_stay_out(course: Course, tmp_path: Path) -> None:
    result = grade(course, HONEST, tmp_path)
    m = metric(result)
    assert m["value"] >= 0.95 and m["points"] == m["max_points"] == 3.0
    assert {k: m[k] for k in ("id", "metric", "target", "floor")} == {
        "id": "digits_acc", "metric": "accuracy", "target": 0.95, "floor": 0.9,
    }  # fmt: skip
    (sandbox,) = result["tests"]
    assert sandbox["id"] == "test_sandbox" and sandbox["status"] == "passed", sandbox
    assert result["score"] == result["max_score"] == 4.0


def test_labels_are_nowhere_in_the_container(course: Course, tmp_path: Path) -> None:
    """With the docker runner the check searches the container's whole filesystem."""
    require_docker()
    # the model cell fails unless it runs in the container's /job folder, where the
    # sandbox check searches from "/"; full threshold points prove it did
    inside = "\nfrom pathlib import Path\nassert str(Path.cwd()).startswith('/job/'), Path.cwd()"
    result = grade(course, HONEST + inside, tmp_path, runner="docker")
    assert result["runner"] == "docker"
    (sandbox,) = result["tests"]
    assert sandbox["status"] == "passed", sandbox
    assert metric(result)["points"] == 3.0


def test_the_sandbox_check_sees_labels_when_they_are_sent(tmp_path: Path) -> None:
    """Control: a course that wrongly ships the labels as a probe input fails the check."""
    leaky = make_course(tmp_path / "leaky", labels_as_input=True)
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
    assert m["value"] == pytest.approx(36 / 360) and m["points"] == 0.0
    assert m["message"] == "최저 기준(0.9)에 못 미칩니다"


def test_overwritten_numpy_save_cannot_forge_a_score(course: Course, tmp_path: Path) -> None:
    cheat = CONSTANT + (
        "\nimport numpy\n_real_save = numpy.save\n"
        "def _forged(path, arr, allow_pickle=False):\n"
        "    _real_save(path, numpy.array([{'accuracy': 1.0}], dtype=object), allow_pickle=True)\n"
        "numpy.save = _forged\nprint('accuracy: 1.0')"
    )
    m = metric(grade(course, cheat, tmp_path))
    assert m["value"] is None and m["points"] == 0.0
    assert m["message"] == "예측이 파이썬 객체 배열(dtype=object)입니다. 숫자 배열이어야 합니다"


def test_patched_eval_and_rewritten_probe_earn_what_predictions_are_worth(
    course: Course, tmp_path: Path
) -> None:
    """An honest model, then patches that swap the probe's result: the swap is what counts."""
    for n, patch in enumerate(
        (
            "import builtins\nbuiltins.eval = lambda *a, **k: np.ones(360, dtype=int)",
            "get_ipython().input_transformers_post.append(\n"
            "    lambda lines: [l.replace('model.predict(X_hidden)', 'np.full(360, 7)') for l in lines]\n"
            ")",
        )
    ):
        m = metric(grade(course, f"{HONEST}\n{patch}", tmp_path, login=f"s{n}"))
        assert m["value"] == pytest.approx(0.1) and m["points"] == 0.0  # 36 of each digit
