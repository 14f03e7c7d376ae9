"""Batch grading: collect from folders, parallel jobs, cache, resume after kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder.course import Course
from autograder.feedback import write_feedback
from autograder.gradebook import GradebookStore
from autograder.grading import grade_week
from autograder.submissions import collect_local, load_submission_meta
from gpu_runner.runners import ProcessRunner
from tests.conftest import filled


def _write_students(course: Course, root: Path, answers: dict[str, dict[str, str]], when: dict[str, str] | None = None) -> None:
    for login, ans in answers.items():
        folder = root / login
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(filled(course, ans), folder / "demo01.ipynb")
        if when and login in when:
            (folder / "submission.json").write_text(json.dumps({"submitted_at": when[login]}))


def test_batch_grades_caches_and_writes_feedback(fresh_course: Course, tmp_path: Path) -> None:
    course = fresh_course
    inbox = tmp_path / "inbox"
    _write_students(
        course,
        inbox,
        {
            "ann": {},
            "ben": {"mean": "def mean(xs):\n    return 0"},
            "cho": {"squares": "while True:\n    pass"},  # a timeout must not stop the batch
            "dan": {},
        },
        when={
            "ann": "2026-09-08T12:00:00+09:00",
            "ben": "2026-09-08T12:00:00+09:00",
            "cho": "2026-09-08T12:00:00+09:00",
            "dan": "2026-09-11T12:00:00+09:00",
        },
    )
    toml = course.solutions_dir / "demo01" / "assignment.toml"
    toml.write_text(toml.read_text().replace("cell_timeout_s = 20", "cell_timeout_s = 3"))
    course = Course(course.root)
    collect_local(course, "demo01", inbox)
    assert load_submission_meta(course, "demo01", "dan").submitted_at.isoformat() == "2026-09-11T03:00:00+00:00"

    report = grade_week(course, "demo01", runner=ProcessRunner(), jobs=2)
    scores = {r.student: r.score for r in report.graded}
    assert report.errors == [] and report.skipped == []
    detail = {r.student: [(t.id, t.status, t.message) for t in r.tests] + list(r.problems) + list(r.flags) for r in report.graded}
    assert (scores["ann"], scores["ben"], scores["cho"]) == (6, 3, 4), detail
    dan = next(r for r in report.graded if r.student == "dan")
    assert dan.late_seconds > 0 and dan.penalties  # 2 days 12 h after the deadline: 3 started days
    assert dan.score == pytest.approx(6 - 0.3 * 6)
    assert json.loads(course.result_path("demo01", "ben").read_text())["score"] == 3

    # an unchanged rerun grades nothing
    again = grade_week(course, "demo01", runner=ProcessRunner(), jobs=2)
    assert sorted(again.skipped) == ["ann", "ben", "cho", "dan"] and again.graded == []
    # a changed submission is regraded alone
    _write_students(course, inbox, {"ben": {}})
    collect_local(course, "demo01", inbox)
    third = grade_week(course, "demo01", runner=ProcessRunner())
    assert [r.student for r in third.graded] == ["ben"] and third.graded[0].score == 6

    # nbgrader's gradebook holds the per-cell scores
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gb:
        assert gb.find_grade("test_mean", "demo01", "demo01", "ben").auto_score == 3
    assert {r.student for r in GradebookStore(course).results("demo01")} == {"ann", "ben", "cho", "dan"}

    paths = write_feedback(course, "demo01")
    text = (course.feedback_path("demo01", "cho")).read_text()
    assert len(paths) == 4 and "점수: 4 / 6" in text and "assert squares(0)" not in text


def test_interrupted_batch_resumes(fresh_course: Course, tmp_path: Path) -> None:
    course = fresh_course
    inbox = tmp_path / "inbox"
    slow = "import time\ntime.sleep(15)\ndef mean(xs):\n    return sum(xs) / len(xs)"
    _write_students(course, inbox, {"fast1": {}, "fast2": {}, "slow1": {"mean": slow}, "slow2": {"mean": slow}})
    collect_local(course, "demo01", inbox)
    cmd = [sys.executable, "-m", "autograder.cli", "--course", str(course.root), "grade", "demo01", "--runner", "process", "--jobs", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    results = course.results_dir / "demo01"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(list(results.glob("*.json"))) < 2:
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)  # kill -9 the coordinator and its jobs
    proc.wait()
    done_before = {p.stem for p in results.glob("*.json")}
    assert 2 <= len(done_before) < 4

    report = grade_week(course, "demo01", runner=ProcessRunner(), jobs=2)
    assert set(report.skipped) == done_before
    assert {r.student for r in report.graded} == {"fast1", "fast2", "slow1", "slow2"} - done_before
    assert all(r.status == "graded" for r in report.graded)
