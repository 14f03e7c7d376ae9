"""What the reports read: roster ∪ collected ∪ graded, joined per student.

One `WeekData` per week, built once from the workspace (submission metadata,
the gradebook's results, the delivery states when present) and handed to every
renderer, so the HTML, the CSV and the status table agree by construction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import nbformat

from autograder.course import Course
from autograder.deliveries import FeedbackState, feedback_states
from autograder.results import SubmissionResult
from autograder.roster import RosterEntry, course_roster
from autograder.submissions import SubmissionMeta, load_submission_meta
from autograder.workspace_db import workspace_engine


@dataclass(frozen=True)
class StudentWeek:
    login: str
    roster: RosterEntry | None
    meta: SubmissionMeta | None
    result: SubmissionResult | None
    feedback: FeedbackState

    @property
    def state(self) -> str:
        """graded | error | not_graded (collected, no result) | missing (never collected)."""
        if self.result is not None:
            return self.result.status
        return "not_graded" if self.meta is not None else "missing"

    @property
    def submitted_at(self) -> datetime | None:
        if self.meta is not None and self.meta.submitted_at is not None:
            return self.meta.submitted_at
        if self.result is not None and self.result.submitted_at:
            return datetime.fromisoformat(self.result.submitted_at)
        return None

    @property
    def name(self) -> str:
        return self.roster.name if self.roster else ""


@dataclass(frozen=True)
class WeekData:
    week: str
    title: str
    deadline: datetime | None
    max_score: float
    students: tuple[StudentWeek, ...]
    on_roster: int

    @property
    def results(self) -> list[SubmissionResult]:
        return [s.result for s in self.students if s.result is not None]

    @property
    def graded(self) -> list[SubmissionResult]:
        return [r for r in self.results if r.status == "graded"]

    def student(self, login: str) -> StudentWeek:
        return next(s for s in self.students if s.login == login)


def source_max_score(course: Course, week: str) -> float:
    """Points of the week's graded cells plus its thresholds (for weeks not graded yet)."""
    w = course.week(week)
    total = sum(t.points for t in w.config.thresholds)
    for name in w.notebooks:
        nb = nbformat.read(w.source_dir / name, as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") or meta.get("task"):
                total += float(meta.get("points", 0) or 0)
    return float(total)


def gather_week(
    course: Course,
    week: str,
    *,
    results: Iterable[SubmissionResult] | None = None,
    roster: dict[str, RosterEntry] | None = None,
) -> WeekData:
    """Everything the reports know about `week` (results default to the gradebook's)."""
    from autograder.gradebook import GradebookStore

    w = course.week(week)
    by_login = {
        r.student: r for r in (GradebookStore(course).results(week) if results is None else results)
    }
    people = course_roster(course) if roster is None else roster
    collected = set(course.submitted_logins(week))
    outbox = feedback_states(workspace_engine(course.db_url), week)
    logins = sorted(set(people) | collected | set(by_login), key=str.lower)
    students = tuple(
        StudentWeek(
            login=login,
            roster=people.get(login),
            meta=load_submission_meta(course, week, login) if login in collected else None,
            result=by_login.get(login),
            feedback=(
                FeedbackState("unknown")
                if outbox is None
                else outbox.get(login, FeedbackState("none"))
            ),
        )
        for login in logins
    )
    maxima = [r.max_score for r in by_login.values() if r.status == "graded"]
    return WeekData(
        week=week,
        title=w.title,
        deadline=w.config.deadline,
        max_score=max(maxima) if maxima else source_max_score(course, week),
        students=students,
        on_roster=len(people),
    )
