"""Hand grades, where nbgrader's formgrader keeps them: its ``grade`` and ``comment`` rows.

Formgrader (and `autograder manual`) write ``grade.manual_score``, ``grade.extra_credit``
and ``comment.manual_comment``; nothing of ours duplicates them. Every reader of results
(`GradebookStore.results`, so feedback, export, report, status) lays them over the
recorded autograded result with `apply_manual`, so a score given by hand shows
everywhere the moment it is saved, without a regrade.

A regrade keeps a hand score while the answer is unchanged: the nbgrader checksum of
each hand-graded answer cell, as last graded, is kept in ``ag_manual_answer``; when a
new submission's answer differs, nbgrader's ``needs_manual_grade`` is set again and
the cell shows as "review" (the old score stays until the grader looks again).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select, true
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from autograder.results import SubmissionResult, TestResult


@dataclass(frozen=True)
class HandGrade:
    """One graded cell of one submission, as nbgrader's gradebook holds it."""

    manual_score: float | None
    extra_credit: float
    needs_manual_grade: bool


#: (login, notebook, cell) -> HandGrade / comment text
Key = tuple[str, str, str]


@dataclass(frozen=True)
class WeekHandGrades:
    grades: dict[Key, HandGrade]
    comments: dict[Key, str]

    def for_student(
        self, login: str
    ) -> tuple[dict[tuple[str, str], HandGrade], dict[tuple[str, str], str]]:
        return (
            {(nb, cell): g for (who, nb, cell), g in self.grades.items() if who == login},
            {(nb, cell): c for (who, nb, cell), c in self.comments.items() if who == login},
        )


def _models() -> Any:
    import nbgrader.api as api

    return api


def read_hand_grades(engine: Engine, week: str, *, login: str | None = None) -> WeekHandGrades:
    """Every hand score, extra credit and grader's comment of `week` (of one student when
    `login` is given): two queries."""
    api = _models()

    def joins(query: Any, row: Any) -> Any:
        """`query` on `row`'s submitted notebook, restricted to `week`, with the login."""
        return (
            query.join(api.SubmittedNotebook, row.notebook_id == api.SubmittedNotebook.id)
            .join(api.Notebook, api.SubmittedNotebook.notebook_id == api.Notebook.id)
            .join(
                api.SubmittedAssignment,
                api.SubmittedNotebook.assignment_id == api.SubmittedAssignment.id,
            )
            .join(api.Assignment, api.SubmittedAssignment.assignment_id == api.Assignment.id)
            .join(api.Student, api.SubmittedAssignment.student_id == api.Student.id)
            .where(api.Assignment.name == week)
            .where(true() if login is None else api.Student.id == login)
        )

    cell = api.BaseCell
    with Session(engine) as s:
        grade_rows = s.execute(
            joins(
                select(
                    api.Student.id,
                    api.Notebook.name,
                    cell.name,
                    api.Grade.manual_score,
                    api.Grade.extra_credit,
                    api.Grade.needs_manual_grade,
                )
                .select_from(api.Grade)
                .join(cell, api.Grade.cell_id == cell.id),
                api.Grade,
            )
        ).all()
        comment_rows = s.execute(
            joins(
                select(api.Student.id, api.Notebook.name, cell.name, api.Comment.manual_comment)
                .select_from(api.Comment)
                .join(cell, api.Comment.cell_id == cell.id)
                .where(api.Comment.manual_comment.is_not(None)),
                api.Comment,
            )
        ).all()
    grades = {
        (login, nb, name): HandGrade(
            manual_score=None if manual is None else float(manual),
            extra_credit=float(extra or 0.0),
            needs_manual_grade=bool(needs),
        )
        for login, nb, name, manual, extra, needs in grade_rows
    }
    comments = {
        (login, nb, name): text for login, nb, name, text in comment_rows if text and text.strip()
    }
    return WeekHandGrades(grades, comments)


def apply_manual(
    result: SubmissionResult,
    grades: dict[tuple[str, str], HandGrade],
    comments: dict[tuple[str, str], str],
) -> SubmissionResult:
    """`result` with the hand scores, extra credit and comments laid over; the score
    recomputed (idempotent: applying twice gives the same result)."""
    if result.status != "graded":
        return result
    tests = tuple(_apply_one(t, grades.get((t.notebook, t.id)), comments) for t in result.tests)
    raw = sum(t.points + t.extra_credit for t in tests) + sum(m.points for m in result.metrics)
    score = max(0.0, raw + sum(p.points for p in result.penalties))
    return replace(
        result,
        tests=tests,
        score=round(score, 4),
        comments=tuple(_other_comments(result, comments)),
    )


def _is_test(result: SubmissionResult, notebook: str, cell: str) -> bool:
    return any(t.notebook == notebook and t.id == cell for t in result.tests)


def _other_comments(
    result: SubmissionResult, comments: dict[tuple[str, str], str]
) -> Iterable[tuple[str, str]]:
    """Comments on cells that are not graded (a solution cell's code, say)."""
    for (nb, cell), text in sorted(comments.items()):
        if not _is_test(result, nb, cell):
            yield (cell, text)


def _apply_one(
    test: TestResult, grade: HandGrade | None, comments: dict[tuple[str, str], str]
) -> TestResult:
    comment = comments.get((test.notebook, test.id), "")
    if grade is None:
        return replace(test, comment=comment) if comment else test
    extra = max(0.0, grade.extra_credit)
    if grade.manual_score is None:
        if test.manual in ("graded", "review"):  # the score was taken back in formgrader
            return replace(test, points=0.0, manual="pending", extra_credit=extra, comment=comment)
        return replace(test, extra_credit=extra, comment=comment)
    points = max(0.0, min(grade.manual_score, test.max_points))
    if test.manual or test.status == "manual":
        state = "review" if grade.needs_manual_grade else "graded"
        return replace(test, points=points, manual=state, extra_credit=extra, comment=comment)
    if test.checksum and grade.needs_manual_grade:  # a scored answer since left blank
        return replace(test, points=points, manual="review", extra_credit=extra, comment=comment)
    # an autograded cell (or a blank answer) scored by hand
    return replace(test, points=points, extra_credit=extra, comment=comment)


# -- regrades: keep a hand score while the answer is unchanged -------------------------


def changed_answers(engine: Engine, result: SubmissionResult) -> set[tuple[str, str]]:
    """(notebook, cell) of hand-graded answers that differ from the ones last graded.

    Read-only: `remember_answers` stores the new checksums once nbgrader's rows say
    what changed, so a crash in between only repeats the comparison."""
    from autograder.gradebook import ManualAnswer

    with Session(engine) as s:
        rows = s.scalars(
            select(ManualAnswer).where(
                ManualAnswer.week == result.assignment, ManualAnswer.login == result.student
            )
        ).all()
    known = {(r.notebook, r.cell): r.checksum for r in rows}
    return {
        (t.notebook, t.id)
        for t in result.tests
        if t.checksum and (t.notebook, t.id) in known and known[(t.notebook, t.id)] != t.checksum
    }


def remember_answers(engine: Engine, result: SubmissionResult) -> None:
    from autograder.gradebook import ManualAnswer

    with Session(engine) as s, s.begin():
        for t in result.tests:
            if t.checksum:  # every hand-graded answer, written or left blank
                s.merge(
                    ManualAnswer(
                        week=result.assignment,
                        login=result.student,
                        notebook=t.notebook,
                        cell=t.id,
                        checksum=t.checksum,
                    )
                )
