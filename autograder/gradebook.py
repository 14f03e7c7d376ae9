"""The workspace database: nbgrader's gradebook plus our own records.

Written only by the coordinator (one process, one thread), so parallel grading
never contends on SQLite. Any SQLAlchemy URL works (PostgreSQL for several
graders sharing one gradebook).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Float, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from autograder.course import Course
from autograder.result_file import result_text
from autograder.results import SubmissionResult
from autograder.workspace_db import Schema, workspace_engine


class Base(DeclarativeBase):
    pass


class AssignmentVersion(Base):
    """Which source version of a week the gradebook's source cells come from."""

    __tablename__ = "ag_assignment_version"
    week: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))


class ResultRecord(Base):
    """The latest graded result of (week, login), with what it was computed from."""

    __tablename__ = "ag_result"
    week: Mapped[str] = mapped_column(String(200), primary_key=True)
    login: Mapped[str] = mapped_column(String(100), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    assignment_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    result_json: Mapped[str] = mapped_column(Text)
    graded_at: Mapped[str] = mapped_column(String(40))


class PendingRecord(Base):
    """A result whose derived stores are being written (see `autograder.recording`)."""

    __tablename__ = "ag_pending"
    week: Mapped[str] = mapped_column(String(200), primary_key=True)
    login: Mapped[str] = mapped_column(String(100), primary_key=True)
    result_json: Mapped[str] = mapped_column(Text)


class ManualAnswer(Base):
    """The nbgrader checksum of a hand-graded answer cell as last graded
    (`autograder.manual.grades`: a regrade keeps a hand score while it is unchanged)."""

    __tablename__ = "ag_manual_answer"
    week: Mapped[str] = mapped_column(String(200), primary_key=True)
    login: Mapped[str] = mapped_column(String(100), primary_key=True)
    notebook: Mapped[str] = mapped_column(String(200), primary_key=True)
    cell: Mapped[str] = mapped_column(String(200), primary_key=True)
    checksum: Mapped[str] = mapped_column(String(64))


SCHEMA = Schema(Base.metadata)


class GradebookStore:
    def __init__(self, course: Course) -> None:
        self.course = course
        self.engine = workspace_engine(course.db_url, SCHEMA)
        self._nbgrader_gb: Any = None  # opened on first save, reused for the batch

    # -- our records --------------------------------------------------------
    def assignment_version(self, week: str) -> str | None:
        with Session(self.engine) as s:
            row = s.get(AssignmentVersion, week)
            return row.version if row else None

    def set_assignment_version(self, week: str, version: str) -> None:
        with Session(self.engine) as s, s.begin():
            s.merge(AssignmentVersion(week=week, version=version))

    def cached(self, week: str) -> dict[str, tuple[str, str, str]]:
        """login -> (content_hash, assignment_version, status) for the whole week: one query."""
        with Session(self.engine) as s:
            rows = s.execute(
                select(
                    ResultRecord.login,
                    ResultRecord.content_hash,
                    ResultRecord.assignment_version,
                    ResultRecord.status,
                ).where(ResultRecord.week == week)
            )
            return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def results(self, week: str) -> list[SubmissionResult]:
        """Every recorded result of `week`, with the hand grades laid over (`with_hand_grades`)."""
        return self.with_hand_grades(week, self.recorded_results(week))

    def recorded_results(self, week: str) -> list[SubmissionResult]:
        """Every recorded result of `week` as recorded: the autograded part only. What a
        writer changes and records again (never a result with hand grades laid over,
        which would copy them into the autograded scores)."""
        with Session(self.engine) as s:
            rows = s.scalars(select(ResultRecord).where(ResultRecord.week == week)).all()
            return [SubmissionResult.from_dict(json.loads(r.result_json)) for r in rows]

    def result(self, week: str, login: str) -> SubmissionResult | None:
        """The recorded result of (week, login) with its hand grades."""
        with Session(self.engine) as s:
            row = s.get(ResultRecord, (week, login))
            recorded = SubmissionResult.from_dict(json.loads(row.result_json)) if row else None
        return self.with_hand_grades(week, [recorded])[0] if recorded else None

    def with_hand_grades(
        self, week: str, results: list[SubmissionResult]
    ) -> list[SubmissionResult]:
        """`results` with the scores and comments entered by hand in nbgrader's tables
        (formgrader, `autograder manual`): the recorded result holds the autograded part,
        nbgrader's rows the hand-graded part; readers see both."""
        from autograder.manual.grades import apply_manual, read_hand_grades

        if not results:
            return results
        single = results[0].student if len(results) == 1 else None
        hand = read_hand_grades(self.engine, week, login=single)
        out = []
        for result in results:
            grades, comments = hand.for_student(result.student)
            out.append(apply_manual(result, grades, comments))
        return out

    def result_texts(self, week: str) -> dict[str, str]:
        """login -> the stored result JSON, for the whole week: one query."""
        with Session(self.engine) as s:
            rows = s.execute(
                select(ResultRecord.login, ResultRecord.result_json).where(
                    ResultRecord.week == week
                )
            )
            return {r[0]: r[1] for r in rows}

    def save(self, result: SubmissionResult) -> None:
        """Record `result` with its derived stores (`autograder.recording.record_result`)."""
        from autograder.recording import record_result

        record_result(self.course, self, result)

    # -- the recording protocol (`autograder.recording`) ---------------------------
    def begin(self, result: SubmissionResult) -> None:
        """Step 1: remember the result as pending, before any derived store is touched."""
        with Session(self.engine) as s, s.begin():
            s.merge(
                PendingRecord(
                    week=result.assignment,
                    login=result.student,
                    result_json=result_text(result),
                )
            )

    def pending(self, week: str) -> list[SubmissionResult]:
        with Session(self.engine) as s:
            rows = s.scalars(select(PendingRecord).where(PendingRecord.week == week)).all()
            return [SubmissionResult.from_dict(json.loads(r.result_json)) for r in rows]

    def commit(self, result: SubmissionResult) -> None:
        """Last step: the result becomes the truth and stops being pending, atomically."""
        with Session(self.engine) as s, s.begin():
            s.merge(
                ResultRecord(
                    week=result.assignment,
                    login=result.student,
                    content_hash=result.content_hash,
                    assignment_version=result.assignment_version,
                    status=result.status,
                    score=result.score,
                    max_score=result.max_score,
                    result_json=result_text(result),
                    graded_at=datetime.now(UTC).isoformat(),
                )
            )
            pending = s.get(PendingRecord, (result.assignment, result.student))
            if pending is not None:
                s.delete(pending)

    def save_nbgrader(self, result: SubmissionResult) -> None:
        """nbgrader's rows for a graded result (a derived store; idempotent)."""
        if result.status == "graded":
            self._save_nbgrader(result)

    def _submitted_timestamp(self, result: SubmissionResult) -> datetime | None:
        """The submission time as formgrader compares it: nbgrader's reading of the stored
        submission's ``timestamp.txt`` (else the result's), so formgrader lists it as graded."""
        from nbgrader.utils import parse_utc

        from autograder.submissions import TIMESTAMP_FILE

        path = self.course.submission_dir(result.assignment, result.student) / TIMESTAMP_FILE
        try:
            stamp: datetime | None = parse_utc(path.read_text(encoding="utf-8").strip())
            return stamp
        except (OSError, ValueError, OverflowError):
            pass
        return datetime.fromisoformat(result.submitted_at) if result.submitted_at else None

    def _save_nbgrader(self, result: SubmissionResult) -> None:
        import warnings

        from nbgrader.api import Gradebook, MissingEntry
        from sqlalchemy.exc import SAWarning

        from autograder.manual.grades import changed_answers, remember_answers

        if self._nbgrader_gb is None:  # one engine per store, not one per result
            self._nbgrader_gb = Gradebook(self.course.db_url)
        with warnings.catch_warnings(), self._nbgrader_gb as gb:  # exit: drops the session
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's own autoflush notices
            gb.update_or_create_student(result.student)
            kwargs = {}
            stamp = self._submitted_timestamp(result)
            if stamp is not None:
                kwargs["timestamp"] = stamp
            gb.update_or_create_submission(result.assignment, result.student, **kwargs)
            changed = changed_answers(self.engine, result)
            for test in result.tests:
                try:
                    grade = gb.find_grade(test.id, test.notebook, result.assignment, result.student)
                except MissingEntry:
                    continue
                if test.status == "manual":
                    # as nbgrader's SaveAutoGrades, except that a hand score survives a
                    # regrade of the same answer (and asks for review when it changed)
                    grade.auto_score = None
                    if grade.manual_score is None or (test.notebook, test.id) in changed:
                        grade.needs_manual_grade = True
                else:
                    grade.auto_score = test.points
                    by_hand = grade.manual_score is not None and bool(test.checksum)
                    if by_hand and (test.notebook, test.id) in changed:
                        grade.needs_manual_grade = True  # a scored answer was blanked
                    elif not by_hand:
                        grade.needs_manual_grade = False
            gb.db.commit()
        remember_answers(self.engine, result)  # after nbgrader's rows: a crash re-compares
