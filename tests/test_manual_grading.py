"""Hand grading end to end: real nbgrader, a real Jupyter server with formgrader on
127.0.0.1, real SQLite; every output of the grader shows what formgrader saved."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
import requests

from autograder.course import Course
from autograder.errors import ManualGradeError
from autograder.feedback import to_markdown
from autograder.gradebook import GradebookStore
from autograder.grading import grade_single, grade_week
from autograder.manual.entry import HandGradeEntry, read_hand_grade_csv, set_hand_grades
from autograder.manual.formgrader import formgrader_launch, start_formgrader
from autograder.nbgrader_adapter import release_week
from autograder.reports.data import gather_week
from autograder.reports.stats import manual_progress, pass_rates, reviews
from autograder.submissions import collect_local, read_given
from gpu_runner.runners import ProcessRunner
from tests.conftest import DEMO

WEEK = "demo02"
CELL = "written_accuracy"
TOKEN = "test-token-20"


def _cli(course: Course, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "--course", str(course.root), *args],
        capture_output=True,
        env={**os.environ, "COLUMNS": "250"},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    return proc.stdout.decode()


def _graded(root: Path) -> Course:
    shutil.copytree(
        DEMO, root, ignore=shutil.ignore_patterns(".autograder", "assignments", "__pycache__")
    )
    course = Course(root)
    release_week(course, WEEK)
    collect_local(course, WEEK, root / "submissions")
    report = grade_week(course, WEEK, runner=ProcessRunner(), jobs=2)
    assert not report.errors and len(report.graded) == 4
    return course


@pytest.fixture
def course(tmp_path: Path) -> Course:
    return _graded(tmp_path / "demo")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def formgrader(course: Course, tmp_path: Path) -> Iterator[str]:
    launch = formgrader_launch(course, port=_free_port(), token=TOKEN)
    assert "--ServerApp.ip=127.0.0.1" in launch.argv and TOKEN not in " ".join(launch.argv)
    log = tmp_path / "formgrader.log"
    proc = start_formgrader(launch, log=log)
    base = f"http://127.0.0.1:{launch.port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                if _api(base, "GET", "/formgrader/api/status").status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _api(base: str, method: str, path: str, **kwargs: object) -> requests.Response:
    return requests.request(
        method, base + path, headers={"Authorization": f"token {TOKEN}"}, timeout=30, **kwargs
    )


def _submitted_notebook_id(base: str, login: str) -> str:
    r = _api(base, "GET", f"/formgrader/api/submitted_notebooks/{WEEK}/{WEEK}")
    assert r.status_code == 200, r.text
    return next(s["id"] for s in r.json() if s["student"] == login)


def test_formgrader_scores_and_comments_reach_every_output(course: Course, formgrader: str) -> None:
    base = formgrader
    # without the token: nothing
    anonymous = requests.get(
        base + f"/formgrader/api/submissions/{WEEK}", timeout=10, allow_redirects=False
    )
    assert anonymous.status_code in (302, 403) and "alice" not in anonymous.text
    before = _cli(course, "status", WEEK)
    assert "잠정" in before and "2점 대기" in before  # alice's written answer is pending

    submissions = _api(base, "GET", f"/formgrader/api/submissions/{WEEK}").json()
    assert {s["student"] for s in submissions if s["autograded"]} == {"alice", "bob", "carol", "dave"}
    alice = _submitted_notebook_id(base, "alice")
    page = _api(base, "GET", f"/formgrader/submissions/{alice}")
    assert page.status_code == 200 and "written_accuracy" in page.text
    dave_page = _api(base, "GET", f"/formgrader/submissions/{_submitted_notebook_id(base, 'dave')}")
    assert dave_page.status_code == 200 and "<b>F1" not in dave_page.text  # student HTML is inert

    grades = _api(base, "GET", "/formgrader/api/grades", params={"submission_id": alice}).json()
    grade = next(g for g in grades if g["name"] == CELL)
    assert grade["needs_manual_grade"] is True and grade["max_score"] == 2
    r = _api(
        base, "PUT", f"/formgrader/api/grade/{grade['id']}",
        data=json.dumps({"manual_score": 1.5, "extra_credit": 0.5}),
    )
    assert r.status_code == 200, r.text
    comments = _api(base, "GET", "/formgrader/api/comments", params={"submission_id": alice}).json()
    comment = next(c for c in comments if c["name"] == CELL)
    text = "예시가 좋습니다. 대안 지표를 더 설명하세요 @bob www.evil-example.com"
    r = _api(
        base, "PUT", f"/formgrader/api/comment/{comment['id']}",
        data=json.dumps({"manual_comment": text}),
    )
    assert r.status_code == 200, r.text

    # export: the new total (1 autograded + 1.5 by hand + 0.5 extra) and the comment
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO(_cli(course, "export", WEEK, "-o", "-")))}
    assert rows["alice"]["score"] == "3" and rows["alice"]["raw_score"] == "3"
    assert rows["alice"]["provisional"] == "" and rows["alice"]["pending_points"] == "0"
    assert rows["alice"]["extra_credit"] == "0.5"
    assert text in rows["alice"]["grader_comments"]
    assert rows["bob"]["provisional"] == "yes" and rows["bob"]["pending_points"] == "2"
    assert rows["carol"]["provisional"] == ""  # no answer written: 0, nothing pending

    status = _cli(course, "status", WEEK)
    alice_line = next(line for line in status.splitlines() if line.startswith("│ alice "))
    assert "3/3" in alice_line and "잠정" not in alice_line and "예시가 좋습니다" in alice_line
    bob_line = next(line for line in status.splitlines() if line.startswith("│ bob "))
    assert "잠정, 2점 대기" in bob_line

    _cli(course, "report", WEEK)
    report = (course.workspace / "reports" / WEEK / "report.html").read_text(encoding="utf-8")
    assert text in report and 'id="manual"' in report
    page = (course.feedback_dir / WEEK / "alice.html").read_text(encoding="utf-8")
    assert "점수: 3 / 3" in page and "예시가 좋습니다" in page

    _cli(course, "feedback", WEEK)
    md = (course.feedback_dir / WEEK / "alice.md").read_text(encoding="utf-8")
    assert "**점수: 3 / 3**" in md and "잠정" not in md
    assert f"`{text}`" in md  # inert: one code span, no mention or link
    assert "1.5 / 2 (가산점 +0.5)" in md
    assert "assert accuracy([0], [0])" not in md  # hidden test source never in feedback
    bob = (course.feedback_dir / WEEK / "bob.md").read_text(encoding="utf-8")
    assert "2점 채점 대기" in bob and "잠정 점수" in bob


def test_regrade_keeps_an_unchanged_answer_and_flags_a_changed_one(course: Course) -> None:
    set_hand_grades(
        course,
        week=WEEK,
        entries=[
            HandGradeEntry(student="alice", cell=CELL, points=2, comment="만점"),
            HandGradeEntry(student="bob", cell=CELL, points=0.5),
        ],
    )
    # unchanged answers, forced regrade: the hand scores stay
    regrade = grade_week(course, WEEK, runner=ProcessRunner(), jobs=2, force=True)
    assert {r.student: r.score for r in regrade.graded}["alice"] == 3  # what the CLI prints
    recorded = {r.student: r for r in GradebookStore(course).recorded_results(WEEK)}
    assert recorded["alice"].score == 1  # the record keeps the autograded part only
    results = {r.student: r for r in GradebookStore(course).results(WEEK)}
    written = next(t for t in results["alice"].tests if t.id == CELL)
    assert written.manual == "graded" and written.points == 2 and written.comment == "만점"
    assert results["alice"].score == 3 and not results["alice"].provisional

    # bob rewrites his answer: the old score stays, flagged for review
    inbox = course.root / "submissions"
    path = inbox / "bob" / WEEK / f"{WEEK}.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == CELL)
    cell.source = "클래스 불균형이 심하면 정확도가 높아도 소수 클래스를 놓칩니다."
    nbformat.write(nb, path)
    collect_local(course, WEEK, inbox)
    report = grade_week(course, WEEK, runner=ProcessRunner(), jobs=2)
    assert [r.student for r in report.graded] == ["bob"]
    bob = GradebookStore(course).result(WEEK, "bob")
    assert bob is not None
    written = next(t for t in bob.tests if t.id == CELL)
    assert written.manual == "review" and written.points == 0.5 and bob.provisional
    assert bob.to_dict()["provisional"] is True
    data = gather_week(course, WEEK)
    assert any("bob" == r.login and CELL in " ".join(r.reasons) for r in reviews(data))
    assert "재확인" in to_markdown(bob, language="ko")
    # a second regrade of the new answer keeps the review until the grader saves again
    grade_week(course, WEEK, runner=ProcessRunner(), jobs=1, force=True, logins=["bob"])
    again = GradebookStore(course).result(WEEK, "bob")
    assert again is not None and next(t for t in again.tests if t.id == CELL).manual == "review"
    set_hand_grades(course, week=WEEK, entries=[HandGradeEntry(student="bob", cell=CELL, points=2)])
    done = GradebookStore(course).result(WEEK, "bob")
    assert done is not None and not done.provisional and done.score == 3


def test_pass_rates_keep_hand_graded_cells_apart(course: Course) -> None:
    set_hand_grades(course, week=WEEK, entries=[HandGradeEntry(student="alice", cell=CELL, points=2)])
    data = gather_week(course, WEEK)
    assert [r.id for r in pass_rates(data)] == ["test_accuracy"]
    (progress,) = manual_progress(data)
    # alice graded; bob and dave pending; carol wrote nothing (0 points, not pending)
    assert (progress.id, progress.graded, progress.pending, progress.review) == (CELL, 1, 2, 0)


def test_csv_import_is_all_or_nothing_and_the_cli_refuses_bad_points(
    course: Course, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("student,cell,points,comment\nalice,written_accuracy,2,좋음\nbob,written_accuracy,9,\n")
    with pytest.raises(ManualGradeError, match="between 0 and 2"):
        set_hand_grades(course, week=WEEK, entries=read_hand_grade_csv(bad))
    alice = GradebookStore(course).result(WEEK, "alice")
    assert alice is not None and alice.provisional  # nothing was written
    good = tmp_path / "good.csv"
    good.write_text("student,cell,points,extra_credit,comment\nalice,written_accuracy,2,,좋음\ndave,written_accuracy,1,1,\n")
    assert "entered 2 hand grades" in _cli(course, "manual", WEEK, "--import", str(good))
    results = {r.student: r for r in GradebookStore(course).results(WEEK)}
    assert results["alice"].score == 3 and not results["alice"].provisional
    assert results["dave"].score == pytest.approx((1 + 1 + 1) - 0.3)  # late: 10 % of 3
    proc = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "--course", str(course.root), "manual", WEEK,
         "bob", CELL, "--points", "3"],
        capture_output=True,
    )
    assert proc.returncode == 2 and b"between 0 and 2" in proc.stderr


def test_autograded_notebooks_are_where_formgrader_looks_and_inert(course: Course) -> None:
    folder = course.autograded_dir / "dave" / WEEK
    assert (folder / "timestamp.txt").is_file()
    nb = nbformat.read(folder / f"{WEEK}.ipynb", as_version=4)
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == CELL)
    assert "&lt;b>F1" in answer.source and "<b>" not in answer.source
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_accuracy")
    assert "HIDDEN TESTS" in test.source  # instructor-side, as nbgrader's own autograded copies
    assert not any("autograder" in c.metadata for c in nb.cells)


def test_the_instructors_source_grades_without_false_problems(course: Course) -> None:
    for week in ("demo01", WEEK):
        release_week(course, week)
        files, problems = read_given(course.solutions_dir / week / f"{week}.ipynb")
        result = grade_single(course, week, login="reference", files=files, runner=ProcessRunner())
        assert result.status == "graded" and result.problems == (), result.problems
        auto = sum(t.max_points for t in result.tests if not t.manual)
        assert result.score == auto and result.pending_points == result.max_score - auto


def test_a_changed_locked_test_cell_is_still_reported(course: Course) -> None:
    released = nbformat.read(course.assignments_dir / WEEK / f"{WEEK}.ipynb", as_version=4)
    nb = copy.deepcopy(released)
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_accuracy")
    test.source = "pass"
    result = grade_single(
        course, WEEK, login="x", files={f"{WEEK}.ipynb": nbformat.writes(nb).encode()},
        runner=ProcessRunner(),
    )
    assert any("test_accuracy" in p for p in result.problem_texts())


def test_a_blank_answer_scored_by_hand_then_filled_in_asks_for_review(course: Course) -> None:
    carol = GradebookStore(course).result(WEEK, "carol")
    assert carol is not None
    blank = next(t for t in carol.tests if t.id == CELL)
    assert blank.status == "failed" and not blank.manual and blank.checksum  # nothing pending
    set_hand_grades(course, week=WEEK, entries=[HandGradeEntry(student="carol", cell=CELL, points=0.5)])
    grade_week(course, WEEK, runner=ProcessRunner(), jobs=1, force=True, logins=["carol"])
    kept = GradebookStore(course).result(WEEK, "carol")
    assert kept is not None and next(t for t in kept.tests if t.id == CELL).points == 0.5
    path = course.root / "submissions" / "carol" / WEEK / f"{WEEK}.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == CELL)
    cell.source = "이제 답을 썼습니다: 불균형 데이터에서는 정확도가 오해를 부릅니다."
    nbformat.write(nb, path)
    collect_local(course, WEEK, course.root / "submissions")
    grade_week(course, WEEK, runner=ProcessRunner(), jobs=1, logins=["carol"])
    now = GradebookStore(course).result(WEEK, "carol")
    assert now is not None and now.provisional
    assert next(t for t in now.tests if t.id == CELL).manual == "review"


def test_inert_notebook_keeps_text_and_images_only() -> None:
    from autograder.manual.autograded import inert_notebook

    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("x")
    code.metadata["autograder"] = {"role": "student"}
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="hi"),
        nbformat.v4.new_output(
            "display_data",
            data={"text/html": "<script>steal()</script>", "text/plain": "ok", "image/png": "iVBO"},
        ),
        nbformat.v4.new_output("display_data", data={"application/javascript": "steal()"}),
        nbformat.v4.new_output("execute_result", data={"image/svg+xml": "<svg onload=x>"}),
    ]
    md = nbformat.v4.new_markdown_cell("<img src=x onerror=steal()> & **bold**")
    nb.cells = [code, md]
    out = inert_notebook(nb)
    kinds = [sorted(o.get("data", {"stream": 1})) for o in out.cells[0].outputs]
    assert kinds == [["stream"], ["image/png", "text/plain"]]
    assert "autograder" not in out.cells[0].metadata
    assert out.cells[1].source == "&lt;img src=x onerror=steal()> &amp; **bold**"


def test_hand_grades_apply_once_however_often_they_are_laid_over(course: Course) -> None:
    from autograder.manual.grades import HandGrade, apply_manual

    recorded = GradebookStore(course).recorded_results(WEEK)
    alice = next(r for r in recorded if r.student == "alice")
    grades = {(WEEK, CELL): HandGrade(manual_score=9.0, extra_credit=1.0, needs_manual_grade=False)}
    comments = {(WEEK, CELL): "좋음", (WEEK, "accuracy"): "코드가 깔끔합니다"}
    once = apply_manual(alice, grades, comments)
    twice = apply_manual(once, grades, comments)
    assert once == twice and once.score == 1 + 2 + 1  # the hand score is capped at the cell's 2
    assert once.comments == (("accuracy", "코드가 깔끔합니다"),)
    back = apply_manual(
        once, {(WEEK, CELL): HandGrade(None, 0.0, True)}, {}
    )  # the score taken back in formgrader: pending again
    assert back.score == 1 and back.pending_points == 2 and back.comments == ()
