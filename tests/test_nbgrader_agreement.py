"""Our scores agree with `nbgrader autograde` on nbgrader's own example notebook."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import nbgrader
import pytest

from autograder.course import Course
from autograder.grading import grade_single
from autograder.nbgrader_adapter import release_week
from gpu_runner.runners import ProcessRunner

FILES = Path(nbgrader.__file__).parent / "tests" / "apps" / "files"
WEEK = "ps1"


def _variants(release: nbformat.NotebookNode, source: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    solution = copy.deepcopy(release)
    answers = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    for cell in solution.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = "\n".join(
                line for line in answers[gid].splitlines() if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
            )
    partial = copy.deepcopy(solution)
    for cell in partial.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "squares":
            cell.source = 'def squares(n):\n    if n < 1:\n        raise ValueError("n")\n    return [i for i in range(1, n + 1)]'
    return {"blank": release, "solution": solution, "partial": partial}


def _nbgrader_scores(root: Path, subs: dict[str, nbformat.NotebookNode]) -> dict[str, dict[str, float | None]]:
    (root / "source" / WEEK).mkdir(parents=True)
    shutil.copy(FILES / "test.ipynb", root / "source" / WEEK / "p1.ipynb")
    shutil.copy(FILES / "jupyter.png", root / "source" / WEEK / "jupyter.png")
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(root)!r}\nc.CourseDirectory.db_url = 'sqlite:///{root}/gradebook.db'\n"
    )
    run = dict(cwd=root, check=True, capture_output=True, timeout=600)
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", WEEK, "--force"], **run)
    for student, nb in subs.items():
        target = root / "submitted" / student / WEEK
        target.mkdir(parents=True)
        nbformat.write(nb, target / "p1.ipynb")
    subprocess.run([sys.executable, "-m", "nbgrader", "autograde", WEEK, "--create", "--force"], **run)
    from nbgrader.api import Gradebook

    scores: dict[str, dict[str, float | None]] = {}
    with Gradebook(f"sqlite:///{root}/gradebook.db") as gb:
        for student in subs:
            notebook = gb.find_submission_notebook("p1", WEEK, student)
            scores[student] = {g.name: g.auto_score for g in notebook.grades}
    return scores


@pytest.mark.timeout(900)
def test_scores_agree_with_nbgrader_autograde(tmp_path: Path) -> None:
    course_root = tmp_path / "ours"
    (course_root / "solutions" / WEEK).mkdir(parents=True)
    shutil.copy(FILES / "test.ipynb", course_root / "solutions" / WEEK / "p1.ipynb")
    shutil.copy(FILES / "jupyter.png", course_root / "solutions" / WEEK / "jupyter.png")
    (course_root / "course.toml").write_text('runner = "process"\n')
    course = Course(course_root)
    release_week(course, WEEK)
    release = nbformat.read(course_root / "assignments" / WEEK / "p1.ipynb", as_version=4)
    source = nbformat.read(FILES / "test.ipynb", as_version=4)
    subs = _variants(release, source)

    theirs = _nbgrader_scores(tmp_path / "nbgrader", subs)
    for student, nb in subs.items():
        ours = grade_single(
            course, WEEK, login=student, files={"p1.ipynb": nbformat.writes(nb).encode()}, runner=ProcessRunner()
        )
        assert ours.status == "graded"
        for test in ours.tests:
            expected = theirs[student][test.id]
            if expected is None:  # nbgrader leaves it to manual grading
                assert test.status == "manual", (student, test)
            else:
                assert test.points == pytest.approx(expected), (student, test.id, test.points, expected)
    # the variants really differ, so agreement is not trivial
    totals = {s: sum(v or 0 for v in g.values()) for s, g in theirs.items()}
    assert totals["blank"] < totals["partial"] < totals["solution"]
