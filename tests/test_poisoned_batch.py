"""One poisoned submission next to an honest one: the honest one gets full marks, the
poisoned one a result with its problems, and the batch, its records and its feedback
stay whole (lone surrogates, undecodable and special file names, forged metadata)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cmarkgfm
import nbformat
import pytest

from autograder.course import Course
from autograder.feedback import write_feedback
from autograder.gradebook import GradebookStore
from autograder.grading import grade_week
from autograder.nbgrader_adapter import release_week
from autograder.submissions import SubmissionMeta, store_submission
from gpu_runner.runners import ProcessRunner
from tests.conftest import DEMO, filled, require_docker
from tests.test_boundary import EXTENSIONS, assert_inert

IMAGE = os.environ.get("AUTOGRADER_TEST_IMAGE", "autograder-grading:latest")
WEEK = "demo01"
# the student's function raises with an undecodable byte (a lone surrogate), a zero-width
# space, a bidi override and a link in its text ("\\ud800" never leaves ipykernel: its JSON
# encoder drops the whole error message; "\\udcff" arrives replaced)
POISON = (
    "def squares(n):\n"
    "    raise ValueError('bad \\udcff\\u200b text \\u202e www.evil-example.com @octocat #1')"
)


@pytest.fixture
def course(tmp_path: Path) -> Course:
    """The demo course plus a visible-only test cell (its message reaches the feedback)."""
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".autograder", "assignments"))
    source = root / "solutions" / WEEK / f"{WEEK}.ipynb"
    nb = nbformat.read(source, as_version=4)
    cell = nbformat.v4.new_code_cell("assert squares(2) == [0, 1]")
    cell.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": "test_visible",
        "locked": True,
        "points": 1,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    index = next(
        i
        for i, c in enumerate(nb.cells)
        if c.metadata.get("nbgrader", {}).get("grade_id") == "test_squares"
    )
    nb.cells.insert(index + 1, cell)
    nbformat.write(nb, source)
    course = Course(root)
    release_week(course, WEEK)
    return course


def poisoned_notebook(course: Course) -> bytes:
    nb = filled(course, {"squares": POISON})
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "squares":
            cell.metadata["autograder_canary"] = "x"  # forged internal metadata
    nb.metadata["autograder"] = {"verdict": "pass"}
    # a JSON escape that decodes to a lone surrogate, in a markdown cell the kernel never runs
    nb.cells.append(nbformat.v4.new_markdown_cell("SURROGATE_HERE"))
    nb.cells.append(nbformat.v4.new_code_cell("note = 'SURROGATE_HERE'"))
    return nbformat.writes(nb).replace("SURROGATE_HERE", "\\udcff").encode()


def put_submissions(course: Course) -> None:
    honest = nbformat.writes(filled(course)).encode()
    for login, data in (("honest", honest), ("poisoned", poisoned_notebook(course))):
        meta = SubmissionMeta(login=login, week=WEEK, source="local", submitted_at=None)
        store_submission(course, meta, {f"{WEEK}.ipynb": data})
    folder = os.fsencode(course.submission_dir(WEEK, "poisoned"))
    with open(os.path.join(folder, b"notes-\xff\xfe.txt"), "wb") as handle:  # not UTF-8
        handle.write(b"x")
    os.symlink("/etc/passwd", os.path.join(folder, b"data.csv"))
    os.mkfifo(os.path.join(folder, b"pipe.ipynb"))
    with open(os.path.join(folder, ("evil\u202etxt.ipynb").encode()), "wb") as handle:
        handle.write(b"y")


def make_runner(kind: str):  # noqa: ANN201 - a Runner
    if kind == "process":
        return ProcessRunner()
    require_docker()
    from gpu_runner.runners.docker import DockerRunner

    return DockerRunner(image=IMAGE, gpus="none")


@pytest.mark.parametrize("kind", ["process", pytest.param("docker", marks=pytest.mark.docker)])
def test_poisoned_submission_next_to_an_honest_one(course: Course, kind: str) -> None:
    put_submissions(course)
    report = grade_week(course, WEEK, runner=make_runner(kind), jobs=2)
    results = {r.student: r for r in report.graded + report.errors}
    assert report.errors == [], [r.problems for r in report.errors]

    honest = results["honest"]
    assert honest.status == "graded" and honest.score == honest.max_score == 7.0
    assert honest.problems == () and honest.flags == ()

    poisoned = results["poisoned"]
    assert poisoned.status == "graded", poisoned.problems
    visible = next(t for t in poisoned.tests if t.id == "test_visible")
    assert visible.status == "failed" and "\u202e" not in visible.text("ko")
    shown = " ".join(visible.text("ko").split())
    assert shown == "ValueError: bad \ufffd text www.evil-example.com @octocat #1"
    hidden = next(t for t in poisoned.tests if t.id == "test_squares")
    assert hidden.text("ko") in ("ValueError: 숨겨진 테스트를 통과하지 못했습니다",)
    notes = "\n".join(poisoned.problem_texts())
    assert "autograder_canary" in notes and "notes-\\xff\\xfe.txt" in notes
    assert "data.csv" in notes and "pipe.ipynb" in notes and "보이지 않는 문자" in notes
    assert poisoned.flags == ()  # forged metadata is stripped, not taken for tampering

    # records: result files are valid UTF-8 JSON equal to the gradebook's
    store = GradebookStore(course)
    for login in ("honest", "poisoned"):
        text = course.result_path(WEEK, login).read_bytes().decode("utf-8")
        assert json.loads(text) == store.result(WEEK, login).to_dict(facts=True)

    # feedback renders, inert
    write_feedback(course, WEEK)
    body = course.feedback_path(WEEK, "poisoned").read_text(encoding="utf-8")
    assert_inert(body, rows=5)
    html = cmarkgfm.markdown_to_html_with_extensions(body, extensions=EXTENSIONS)
    assert "<code>ValueError: bad \ufffd text www.evil-example.com @octocat #1</code>" in html

    # an unchanged rerun changes nothing: the bad files are refused the same way
    again = grade_week(course, WEEK, runner=make_runner(kind), jobs=2)
    assert sorted(again.skipped) == ["honest", "poisoned"]


def test_single_json_grade_of_a_poisoned_folder_is_one_json_object(
    course: Course, tmp_path: Path
) -> None:
    put_submissions(course)
    folder = course.submission_dir(WEEK, "poisoned")
    (folder / "submission.json").unlink()
    (folder / "timestamp.txt").unlink()
    cmd = [
        sys.executable, "-m", "autograder.cli", "--course", str(course.root), "grade", WEEK,
        "--submission", str(folder), "--student", "poisoned", "--json", "--runner", "process",
    ]  # fmt: skip
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "ascii"}
    proc = subprocess.run(cmd, capture_output=True, timeout=300, env=env)
    data = json.loads(proc.stdout.decode("utf-8"))
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert data["status"] == "graded" and data["student"] == "poisoned"
    assert any("notes-\\xff\\xfe.txt" in p for p in data["problems"])


def test_single_json_grade_of_a_badly_named_notebook(course: Course, tmp_path: Path) -> None:
    path = os.path.join(os.fsencode(tmp_path), b"demo01-\xff.ipynb")
    with open(path, "wb") as handle:
        handle.write(nbformat.writes(filled(course)).encode())
    cmd = [
        sys.executable.encode(), b"-m", b"autograder.cli", b"--course", os.fsencode(course.root),
        b"grade", WEEK.encode(), b"--submission", path, b"--student", b"bob", b"--json",
        b"--runner", b"process",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, timeout=300)
    data = json.loads(proc.stdout.decode("utf-8"))
    assert data["status"] == "graded" and data["score"] == 0.0, proc.stderr.decode()[-2000:]
    assert any("demo01-\\xff.ipynb" in p and "UTF-8" in p for p in data["problems"])


def test_json_is_printed_even_when_the_week_does_not_exist(course: Course, tmp_path: Path) -> None:
    path = tmp_path / "x.ipynb"
    path.write_text("{}")
    cmd = [
        sys.executable, "-m", "autograder.cli", "--course", str(course.root), "grade", "week99",
        "--submission", str(path), "--student", "bob", "--json", "--runner", "process",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, timeout=300)
    data = json.loads(proc.stdout.decode("utf-8"))
    assert proc.returncode == 2 and data["status"] == "error" and data["student"] == "bob"


def test_json_is_printed_when_the_runner_is_unavailable(course: Course, tmp_path: Path) -> None:
    path = tmp_path / f"{WEEK}.ipynb"
    nbformat.write(filled(course), path)
    cmd = [
        sys.executable, "-m", "autograder.cli", "--course", str(course.root), "grade", WEEK,
        "--submission", str(path), "--student", "bob", "--json", "--runner", "docker",
        "--image", "autograder-no-such-image:never", "--gpus", "none",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, timeout=300)
    data = json.loads(proc.stdout.decode("utf-8"))
    assert proc.returncode == 3 and data["status"] == "error", proc.stderr.decode()[-1000:]
    assert "infrastructure" in data["problems"][0] or "채점 시스템" in data["problems"][0]


def test_a_student_whose_steps_fail_on_our_side_gets_an_error_and_the_batch_goes_on(
    course: Course,
) -> None:
    honest = nbformat.writes(filled(course)).encode()
    for login in ("honest", "bad-meta", "bad-disk"):
        meta = SubmissionMeta(login=login, week=WEEK, source="local", submitted_at=None)
        store_submission(course, meta, {f"{WEEK}.ipynb": honest})
    (course.submission_dir(WEEK, "bad-meta") / "submission.json").write_text("{not json")
    course.result_path(WEEK, "bad-disk").mkdir(parents=True)  # the result file cannot be written
    report = grade_week(course, WEEK, runner=ProcessRunner(), jobs=2)
    status = {r.student: r.status for r in report.graded + report.errors}
    assert status == {"honest": "graded", "bad-meta": "error", "bad-disk": "error"}
    assert [r.score for r in report.graded] == [7.0]
    store = GradebookStore(course)
    assert store.result(WEEK, "bad-meta").status == "error"  # recorded: never charged
    # the interrupted recording of bad-disk is retried by every run, and stops none
    again = grade_week(course, WEEK, runner=ProcessRunner(), jobs=2)
    assert "honest" in again.skipped
    course.result_path(WEEK, "bad-disk").rmdir()
    third = grade_week(course, WEEK, runner=ProcessRunner(), jobs=2)
    assert "bad-disk" in third.skipped or "bad-disk" in {r.student for r in third.graded}
    assert json.loads(course.result_path(WEEK, "bad-disk").read_text())["status"] == "graded"
