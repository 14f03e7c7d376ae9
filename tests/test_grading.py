"""Grading one submission end to end with real kernels (process runner)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.course import Course
from autograder.grading import grade_single
from autograder.results import TEST_STATUSES
from gpu_runner.runners import ProcessRunner
from tests.conftest import cell_by_id, filled, released


def grade(course: Course, files: dict[str, bytes], login: str = "s1"):
    return grade_single(course, "demo01", login=login, files=files, runner=ProcessRunner())


def by_id(result) -> dict:
    return {t.id: t for t in result.tests}


def test_correct_submission_gets_full_marks(demo_course: Course, as_files) -> None:
    result = grade(demo_course, as_files(filled(demo_course)))
    assert result.status == "graded"
    assert result.score == result.max_score == 6.0
    assert all(t.status == "passed" for t in result.tests)
    assert result.problems == () and result.flags == ()


def test_blank_release_scores_zero(demo_course: Course, as_files) -> None:
    result = grade(demo_course, as_files(released(demo_course)))
    assert result.status == "graded"
    assert result.score == 0.0 and result.max_score == 6.0
    assert all(t.points == 0 and t.status == "failed" for t in result.tests)


def test_edited_test_cell_is_restored_and_does_not_pass(demo_course: Course, as_files) -> None:
    nb = filled(demo_course, {"squares": "def squares(n):\n    return []"})
    cell_by_id(nb, "test_squares").source = "assert True"
    result = grade(demo_course, as_files(nb))
    assert by_id(result)["test_squares"].status == "failed"
    assert by_id(result)["test_squares"].points == 0
    assert any("test_squares" in p for p in result.problem_texts())


def test_deleted_test_cell_is_readded(demo_course: Course, as_files) -> None:
    nb = filled(demo_course)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_mean"]
    result = grade(demo_course, as_files(nb))
    assert by_id(result)["test_mean"].status == "passed"  # re-added from the source, and it runs
    assert any("test_mean" in p for p in result.problem_texts())


def test_deleted_solution_cell_fails_its_test(demo_course: Course, as_files) -> None:
    nb = filled(demo_course)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "mean"]
    result = grade(demo_course, as_files(nb))
    assert by_id(result)["test_mean"].status == "failed"
    assert by_id(result)["test_squares"].status == "passed"


def test_cell_type_change_does_not_crash(demo_course: Course, as_files) -> None:
    nb = filled(demo_course)
    test_cell = cell_by_id(nb, "test_squares")
    test_cell.cell_type = "markdown"
    test_cell.pop("outputs", None)
    test_cell.pop("execution_count", None)
    solution = cell_by_id(nb, "mean")
    solution.cell_type = "markdown"
    solution.pop("outputs", None)
    solution.pop("execution_count", None)
    result = grade(demo_course, as_files(nb))
    assert result.status == "graded"
    assert by_id(result)["test_squares"].status == "passed"  # restored as code
    # nbgrader's OverwriteCells restores the cell type of every graded or answer cell
    assert by_id(result)["test_mean"].status == "passed"


def test_duplicated_cells_are_deduplicated(demo_course: Course, as_files) -> None:
    nb = filled(demo_course)
    import copy

    nb.cells.append(copy.deepcopy(cell_by_id(nb, "test_squares")))
    result = grade(demo_course, as_files(nb))
    assert result.score == 6.0
    assert [t.id for t in result.tests].count("test_squares") == 1


def test_os_exit_stops_remaining_tests(demo_course: Course, as_files) -> None:
    nb = filled(demo_course, {"mean": "import os\nos._exit(0)"})
    result = grade(demo_course, as_files(nb))
    tests = by_id(result)
    assert tests["test_squares"].status == "passed"
    assert tests["test_mean"].points == 0 and tests["test_mean"].status == "not_run"
    assert tests["test_count_words"].points == 0
    assert result.run_status == "kernel_died"
    assert result.flags


def test_infinite_loop_times_out(fresh_course: Course, as_files) -> None:
    toml = fresh_course.solutions_dir / "demo01" / "assignment.toml"
    toml.write_text(toml.read_text().replace("cell_timeout_s = 20", "cell_timeout_s = 3"))
    course = Course(fresh_course.root)
    nb = filled(course, {"mean": "while True:\n    pass"})
    result = grade(course, as_files(nb))
    tests = by_id(result)
    assert tests["test_squares"].status == "passed"
    assert tests["test_mean"].status == "failed"  # mean was never defined
    assert tests["test_count_words"].status == "passed"  # the batch of cells went on
    assert any("시간 제한" in p for p in result.problem_texts())  # the student learns why


def test_stderr_in_test_cell_fails_like_nbgrader(demo_course: Course, as_files) -> None:
    code = "import sys\ndef squares(n):\n    print('debug', file=sys.stderr)\n    return [i * i for i in range(n)]"
    result = grade(demo_course, as_files(filled(demo_course, {"squares": code})))
    assert by_id(result)["test_squares"].status == "failed"


def test_hidden_test_failure_shows_only_hint(demo_course: Course, as_files) -> None:
    code = "def mean(xs):\n    return sum(xs) / len(xs)"  # fails the hidden empty-list test
    result = grade(demo_course, as_files(filled(demo_course, {"mean": code})))
    test = by_id(result)["test_mean"]
    assert test.status == "failed" and test.hidden
    shown = test.text("ko")
    assert "mean([-1, 1])" not in shown and "ValueError" not in shown
    # the exception's (builtin) type and the instructor's hint, nothing the kernel wrote
    assert shown == "ZeroDivisionError: 빈 리스트와 음수도 생각해 보세요."


def test_json_contract_from_the_cli(demo_course: Course, tmp_path: Path) -> None:
    path = tmp_path / "demo01.ipynb"
    nbformat.write(filled(demo_course, {"count_words": "def count_words(t):\n    return {}"}), path)
    cmd = [
        sys.executable, "-m", "autograder.cli", "--course", str(demo_course.root),
        "grade", "demo01", "--submission", str(path), "--student", "alice",
        "--json", "--runner", "process",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["schema_version"] == 1
    assert (data["assignment"], data["student"], data["status"]) == ("demo01", "alice", "graded")
    assert isinstance(data["score"], float) and isinstance(data["max_score"], float)
    assert data["score"] == 5.0 and data["max_score"] == 6.0
    for key, kind in [("tests", list), ("metrics", list), ("penalties", list), ("problems", list), ("flags", list)]:
        assert isinstance(data[key], kind)
    assert isinstance(data["runtime_s"], float)
    for test in data["tests"]:
        assert set(test) >= {"id", "notebook", "points", "max_points", "status", "hidden", "message"}
        assert test["status"] in TEST_STATUSES
        assert isinstance(test["points"], float) and isinstance(test["hidden"], bool)
    assert {t["id"]: t["status"] for t in data["tests"]}["test_count_words"] == "failed"


@pytest.mark.parametrize(
    "payload, expected",
    [
        (b"{not json", "읽을 수 없습니다"),
        (b"", "읽을 수 없습니다"),
        (json.dumps({"nbformat": 5, "nbformat_minor": 0, "cells": []}).encode(), "읽을 수 없습니다"),
        (json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": "oops", "metadata": {}}).encode(), "읽을 수 없습니다"),
    ],
    ids=["invalid-json", "empty-file", "nbformat-5", "cells-not-a-list"],
)
def test_damaged_notebook_gives_a_result_not_a_crash(demo_course: Course, payload: bytes, expected: str) -> None:
    result = grade(demo_course, {"demo01.ipynb": payload})
    assert result.status == "graded" and result.score == 0.0
    assert any(expected in p for p in result.problem_texts())
    assert {t.status for t in result.tests} == {"not_run"}


def test_old_nbformat_v3_is_upgraded(demo_course: Course) -> None:
    nb = filled(demo_course)
    v3 = nbformat.convert(nb, 3)
    result = grade(demo_course, {"demo01.ipynb": nbformat.writes(v3, version=3).encode()})
    assert result.status == "graded" and result.score == 6.0


def test_missing_and_renamed_notebooks(demo_course: Course, as_files) -> None:
    missing = grade(demo_course, {"notes.txt": b"hello"})
    assert missing.score == 0 and any("demo01.ipynb" in p for p in missing.problem_texts())
    renamed = grade(demo_course, {"demo01 (1).ipynb": as_files(filled(demo_course))["demo01.ipynb"]})
    assert renamed.score == 6.0
    assert any("demo01 (1).ipynb" in p for p in renamed.problem_texts())


def test_huge_notebook_is_graded(demo_course: Course) -> None:
    nb = filled(demo_course)
    cell = cell_by_id(nb, "squares")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * (50 * 2**20))]
    result = grade(demo_course, {"demo01.ipynb": nbformat.writes(nb).encode()})
    assert result.score == 6.0  # outputs are cleared before execution
