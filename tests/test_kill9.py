"""kill -9 of the coordinator at random points of a batch, many times: after each kill the
next run's recovery leaves every recorded student whole (ag_result, result file and
nbgrader's rows agree), and the run that finishes records every student exactly once."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.course import Course
from autograder.gradebook import GradebookStore
from autograder.recording import recover_week
from autograder.submissions import collect_local
from gpu_runner.spec import JOB_LABEL, OWNER_LABEL, OWNER_START_LABEL
from tests.conftest import require_docker
from tests.test_batch import _write_students

IMAGE = os.environ.get("AUTOGRADER_TEST_IMAGE", "autograder-grading:latest")
WEEK = "demo01"
STUDENTS = {
    f"s{i:02d}": ({} if i % 3 else {"mean": "def mean(xs):\n    return 0"}) for i in range(10)
}
KILLS = 14


def check_consistent(course: Course) -> set[str]:
    """Every student in ag_result has the same result in its file and nbgrader's rows."""
    from nbgrader.api import Gradebook, MissingEntry

    store = GradebookStore(course)
    assert store.pending(WEEK) == []
    texts = store.result_texts(WEEK)
    with Gradebook(course.db_url) as gb:
        for login, text in texts.items():
            path = course.result_path(WEEK, login)
            assert path.read_text(encoding="utf-8") == text, login
            result = store.result(WEEK, login)
            assert result is not None and result.status == "graded", login
            gb.find_submission(WEEK, login)  # raises MissingEntry when absent
            for test in result.tests:
                try:
                    grade = gb.find_grade(test.id, test.notebook, WEEK, login)
                except MissingEntry:  # pragma: no cover - the source has every cell
                    raise AssertionError(f"{login}: no nbgrader grade for {test.id}") from None
                assert grade.auto_score == test.points, (login, test.id)
    leftovers = list((course.results_dir / WEEK).glob(".*.tmp"))
    assert len(leftovers) <= 1  # at most the one file a kill interrupted, never read
    return set(texts)


@pytest.mark.parametrize(
    ("runner", "kills"),
    [("process", KILLS), pytest.param("docker", KILLS, marks=pytest.mark.docker)],
)
def test_repeated_kill9_never_leaves_a_student_half_recorded(
    fresh_course: Course, tmp_path: Path, runner: str, kills: int
) -> None:
    if runner == "docker":
        require_docker()
    course = fresh_course
    inbox = tmp_path / "inbox"
    _write_students(course, inbox, STUDENTS)
    collect_local(course, WEEK, inbox)
    cmd = [
        sys.executable, "-m", "autograder.cli", "--course", str(course.root), "grade", WEEK,
        "--runner", runner, "--jobs", "2",
    ]  # fmt: skip
    if runner == "docker":
        cmd += ["--image", IMAGE, "--gpus", "none"]
    results = course.results_dir / WEEK
    rng = random.Random(int(os.environ.get("KILL9_SEED", "14")))
    seen: set[str] = set()
    started = time.monotonic()
    for kill in range(kills):
        before = {p.name for p in results.glob("*.json")} if results.is_dir() else set()
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        if kill % 2:  # right after a result file appears: inside the recording steps
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and proc.poll() is None:
                now = {p.name for p in results.glob("*.json")} if results.is_dir() else set()
                if now - before:
                    time.sleep(rng.uniform(0, 0.02))
                    break
                time.sleep(0.005)
        else:  # anywhere: start-up, recovery, grading, recording
            time.sleep(rng.uniform(0.2, 4.0))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        recover_week(course, GradebookStore(course), WEEK)  # what the next run does first
        recorded = check_consistent(course)
        assert seen <= recorded  # nothing recorded is ever lost
        seen = recorded
    final = subprocess.run(cmd, capture_output=True, timeout=300)
    assert final.returncode == 0, final.stderr.decode()[-2000:]
    assert check_consistent(course) == set(STUDENTS)
    for login in STUDENTS:
        data = json.loads(course.result_path(WEEK, login).read_text(encoding="utf-8"))
        earned = sum(t["points"] for t in data["tests"])  # before the (late) penalty
        assert earned == (6.0 if int(login[1:]) % 3 else 3.0), login
    assert time.monotonic() - started < 240
    if runner == "docker":  # the killed coordinators' containers went at the next start
        from gpu_runner.runners.docker import DockerRunner, _owner_alive

        observer = DockerRunner(image=IMAGE, gpus="none")
        labels = [c.attrs.get("Labels", {}) for c in observer.containers()]
        observer.close()
        orphans = [
            x.get(JOB_LABEL)
            for x in labels
            if not _owner_alive(
                x.get(OWNER_LABEL, ""), x.get(OWNER_START_LABEL, ""), observer.hostname
            )
        ]
        assert orphans == []  # jobs and those started ahead alike
