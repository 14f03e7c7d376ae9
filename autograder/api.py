"""The keyword-only Python API under the command line.

Each function is one command's work, with no printing and no exiting: it
returns a report or raises an `AutograderError` (`autograder.errors`). The
CLI (`autograder.commands`) only parses, calls one of these and renders what
comes back; a script or a notebook calls them the same way::

    from autograder import api

    report = api.grade(course="course/", week="week03", runner="process")

`course` is a `Course` or its folder. Heavy modules (nbgrader, GitHub,
SQLAlchemy) are imported inside the function that needs them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from autograder.course import Course
from autograder.errors import ConfigError, InfrastructureError
from autograder.runner_factory import RunnerOverrides, build_runner, pool_size

if TYPE_CHECKING:
    from autograder.github import CollectReport, PostReport
    from autograder.grading import BatchReport
    from autograder.reports.week_report import ReportFiles
    from autograder.results import SubmissionResult
    from autograder.submissions import SubmissionMeta
    from gpu_runner.runners.base import Runner

CourseLike = Course | Path | str


def load_course(course: CourseLike) -> Course:
    return course if isinstance(course, Course) else Course(Path(course))


# -- release ---------------------------------------------------------------------


def release(*, course: CourseLike, weeks: list[str] | None = None) -> dict[str, Path]:
    """Generate assignments/WEEK from solutions/WEEK (every week when `weeks` is empty)."""
    from autograder.nbgrader_adapter import release_week

    loaded = load_course(course)
    return {week: release_week(loaded, week) for week in _weeks(loaded, weeks)}


def stale_releases(*, course: CourseLike, weeks: list[str] | None = None) -> dict[str, list[str]]:
    """Weeks whose committed release differs from what the sources generate (week -> why)."""
    from autograder.nbgrader_adapter import check_releases

    loaded = load_course(course)
    return check_releases(loaded, _weeks(loaded, weeks))


def _weeks(course: Course, weeks: list[str] | None) -> list[str]:
    names = list(weeks or ()) or course.week_names()
    if not names:
        raise ConfigError(f"no weeks found in {course.solutions_dir}")
    return names


# -- collect ---------------------------------------------------------------------


def collect(
    *, course: CourseLike, week: str, source: Path | None = None, roster: Path | None = None
) -> CollectReport | list[SubmissionMeta]:
    """Submissions of `week` into the workspace: from GitHub, or from `source`/<login>/."""
    loaded = load_course(course)
    if source is not None:
        from autograder.submissions import collect_local

        return collect_local(loaded, week, source)
    from autograder.github import collect_week

    return collect_week(course=loaded, week=week, roster=roster)


# -- grade -----------------------------------------------------------------------

RunnerChoice: TypeAlias = "str | RunnerOverrides | Runner | None"


def _runner(course: Course, runner: RunnerChoice, week: str) -> Runner:
    """A built runner as given, or the course's with overrides (a name overrides the runner)."""
    from gpu_runner.runners.base import Runner

    if isinstance(runner, Runner):
        return runner
    overrides = RunnerOverrides(runner=runner) if isinstance(runner, str) else runner
    return build_runner(course, overrides, week=week)


def grade(
    *,
    course: CourseLike,
    week: str,
    runner: RunnerChoice = None,
    jobs: int | None = None,
    force: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_done: Callable[[str, SubmissionResult | None], None] | None = None,
) -> BatchReport:
    """Grade the collected submissions of `week` in parallel; results are recorded.

    `runner`: a built runner, a registered runner's name, or overrides of the
    course's runner settings (None: the course's runner).
    """
    from autograder.grading import grade_week

    loaded = load_course(course)
    built = _runner(loaded, runner, week)
    jobs = pool_size(loaded, built, jobs=jobs, week=week)
    return grade_week(
        loaded, week, runner=built, jobs=jobs, force=force, on_start=on_start, on_done=on_done
    )


def grade_submission(
    *,
    course: CourseLike,
    week: str,
    submission: Path,
    student: str,
    runner: RunnerChoice = None,
    submitted_at: datetime | None = None,
) -> SubmissionResult:
    """Grade one notebook or folder; nothing is recorded (the result contract)."""
    from autograder.grading import grade_single
    from autograder.submissions import read_given

    loaded = load_course(course)
    built = _runner(loaded, runner, week)
    files, problems = read_given(submission)
    return grade_single(
        loaded,
        week,
        login=student,
        files=files,
        runner=built,
        submitted_at=submitted_at,
        problems=problems,
    )


# -- feedback --------------------------------------------------------------------


@dataclass
class FeedbackReport:
    written: list[Path] = field(default_factory=list)
    posted: PostReport | None = None


def feedback(
    *, course: CourseLike, week: str, post: bool = False, language: str | None = None
) -> FeedbackReport:
    """Render every recorded result of `week` into the workspace; `post`: also as issues."""
    from autograder.feedback import write_feedback

    loaded = load_course(course)
    report = FeedbackReport(written=write_feedback(loaded, week, language=language))
    if post:
        from autograder.github import post_feedback

        report.posted = post_feedback(course=loaded, week=week)
    return report


# -- report ----------------------------------------------------------------------


def report(
    *,
    course: CourseLike,
    week: str | None = None,
    language: str | None = None,
    leaderboard: bool = False,
    feedback_html: bool = True,
) -> ReportFiles:
    """The HTML report of `week` with its plots, or of the whole course (`week` None)."""
    from autograder.reports import write_course_report, write_week_report

    loaded = load_course(course)
    if week is None:
        return write_course_report(loaded, language=language)
    return write_week_report(
        loaded, week, language=language, leaderboard=leaderboard, feedback=feedback_html
    )


def export(*, course: CourseLike, week: str | None = None) -> str:
    """Grades as CSV: nbgrader's columns plus ours for `week`, or one row per student."""
    from autograder.reports import export_course_csv, export_week_csv

    loaded = load_course(course)
    return export_course_csv(loaded) if week is None else export_week_csv(loaded, week)


# -- run -------------------------------------------------------------------------


@dataclass
class RunResult:
    collect: CollectReport
    grade: BatchReport
    post: PostReport

    @property
    def ok(self) -> bool:
        return self.collect.ok and self.grade.ok and self.post.ok


def run(
    *,
    course: CourseLike,
    week: str,
    roster: Path | None = None,
    runner: RunnerChoice = None,
) -> RunResult:
    """Collect, grade, render and post feedback for `week`; safe to run again.

    Stops before rendering and posting when a submission hit an infrastructure
    error (`InfrastructureError`): run again once the fault is fixed.
    """
    from autograder.feedback import write_feedback
    from autograder.github import run_week

    loaded = load_course(course)
    graded: list[BatchReport] = []

    def grade_stage() -> None:
        graded.append(grade(course=loaded, week=week, runner=runner))
        if graded[-1].errors:
            raise InfrastructureError(
                f"{len(graded[-1].errors)} submissions of {week} hit an infrastructure "
                "error; no feedback posted (fix it and run again)"
            )

    def render_stage() -> None:
        write_feedback(loaded, week)

    report = run_week(
        course=loaded, week=week, roster=roster, grade=grade_stage, render=render_stage
    )
    return RunResult(collect=report.collect, grade=graded[0], post=report.post)


__all__ = [
    "FeedbackReport",
    "RunResult",
    "RunnerOverrides",
    "collect",
    "export",
    "feedback",
    "grade",
    "grade_submission",
    "load_course",
    "release",
    "report",
    "run",
    "stale_releases",
]
