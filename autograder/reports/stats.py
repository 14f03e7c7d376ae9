"""Numbers of a week, computed once and shared by tables, plots and CSV.

Pure functions over `WeekData`; nothing here renders or reads files.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass

from autograder.messages import Message, render
from autograder.reports.data import WeekData
from autograder.results import SubmissionResult


@dataclass(frozen=True)
class ScoreSummary:
    students: int  # roster ∪ collected ∪ graded
    collected: int
    graded: int
    errors: int
    missing: int
    late: int
    flagged: int
    provisional: int  # graded, with hand-graded cells pending or to be reviewed
    mean: float | None
    median: float | None
    stdev: float | None
    minimum: float | None
    maximum: float | None
    max_score: float


@dataclass(frozen=True)
class PassRate:
    id: str
    notebook: str
    hidden: bool
    max_points: float
    attempted: int
    passed: int
    mean_points: float

    @property
    def rate(self) -> float:
        return self.passed / self.attempted if self.attempted else 0.0


@dataclass(frozen=True)
class MetricSeries:
    id: str
    metric: str
    target: float
    floor: float
    direction: str
    values: tuple[tuple[str, float | None, float, float], ...]  # login, value, points, max

    @property
    def reached(self) -> int:
        return sum(1 for _, _, p, m in self.values if m and p >= m)


@dataclass(frozen=True)
class Review:
    login: str
    reasons: tuple[str, ...]  # flags, infrastructure errors, modified cells


FAILURE_REASONS = (
    "timeout",
    "memory",
    "kernel_died",
    "damaged",
    "missing_notebook",
    "cell_modified",
    "output_truncated",
    "infra_error",
    "flagged",
)

_PROBLEM_REASON = {
    "problem.notebook_unreadable": "damaged",
    "problem.notebook_too_large": "damaged",
    "problem.sanitize": "damaged",
    "problem.notebook_missing": "missing_notebook",
    "problem.cell_restored": "cell_modified",
    "problem.cell_readded": "cell_modified",
    "problem.output_truncated": "output_truncated",
    "problem.timeout": "timeout",
    "problem.memory": "memory",
    "problem.kernel_died": "kernel_died",
}
_RUN_REASON = {"timeout": "timeout", "memory_limit": "memory", "kernel_died": "kernel_died"}


def problem_reason(problem: Message) -> str | None:
    """The failure reason of a problem, by its code (free text has none)."""
    return _PROBLEM_REASON.get(problem.code)


def failure_reasons(result: SubmissionResult) -> set[str]:
    """Why a submission went wrong beyond wrong answers (a set: each reason counts once)."""
    reasons = {r for p in result.problems if (r := problem_reason(p))}
    if result.run_status in _RUN_REASON:
        reasons.add(_RUN_REASON[result.run_status])
    if any(t.status == "timeout" for t in result.tests):
        reasons.add("timeout")
    if result.status == "error":
        reasons.add("infra_error")
    if result.flags:
        reasons.add("flagged")
    return reasons


def failure_counts(data: WeekData) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for result in data.results:
        counts.update(failure_reasons(result))
    return {reason: counts[reason] for reason in FAILURE_REASONS if counts[reason]}


def is_late(result: SubmissionResult | None) -> bool:
    return result is not None and result.late_seconds > 0


def summarise(data: WeekData) -> ScoreSummary:
    scores = [r.score for r in data.graded]
    return ScoreSummary(
        students=len(data.students),
        collected=sum(1 for s in data.students if s.meta is not None),
        graded=len(data.graded),
        errors=sum(1 for r in data.results if r.status == "error"),
        missing=sum(1 for s in data.students if s.state == "missing"),
        late=sum(1 for r in data.graded if is_late(r)),
        flagged=len(reviews(data)),
        provisional=sum(1 for r in data.graded if r.provisional),
        mean=statistics.fmean(scores) if scores else None,
        median=statistics.median(scores) if scores else None,
        stdev=statistics.pstdev(scores) if scores else None,
        minimum=min(scores) if scores else None,
        maximum=max(scores) if scores else None,
        max_score=data.max_score,
    )


def pass_rates(data: WeekData) -> list[PassRate]:
    """Per test, in notebook order: how many graded submissions passed it."""
    by_hand = {
        (t.notebook, t.id) for r in data.graded for t in r.tests if t.manual or t.status == "manual"
    }
    order: dict[tuple[str, str], list] = {}
    for result in data.graded:
        for test in result.tests:
            if (test.notebook, test.id) in by_hand:
                continue  # hand-graded (`manual_progress`): never a pass rate
            order.setdefault((test.notebook, test.id), []).append(test)
    rates = []
    for (notebook, test_id), tests in order.items():
        scored = [t for t in tests if t.status != "manual"]
        rates.append(
            PassRate(
                id=test_id,
                notebook=notebook,
                hidden=any(t.hidden for t in tests),
                max_points=max(t.max_points for t in tests),
                attempted=len(scored),
                passed=sum(1 for t in scored if t.status == "passed"),
                mean_points=(statistics.fmean(t.points for t in scored) if scored else 0.0),
            )
        )
    return rates


@dataclass(frozen=True)
class ManualProgress:
    """A hand-graded cell across the week: scored, still pending, to be reviewed."""

    id: str
    notebook: str
    max_points: float
    graded: int
    pending: int
    review: int
    mean_points: float | None  # over the scored ones


def manual_progress(data: WeekData) -> list[ManualProgress]:
    found: dict[tuple[str, str], list] = {}
    for result in data.graded:
        for test in result.tests:
            if test.manual:
                found.setdefault((test.notebook, test.id), []).append(test)
    out = []
    for (notebook, cell), tests in found.items():
        scored = [t.points for t in tests if t.manual in ("graded", "review")]
        out.append(
            ManualProgress(
                id=cell,
                notebook=notebook,
                max_points=max(t.max_points for t in tests),
                graded=sum(1 for t in tests if t.manual == "graded"),
                pending=sum(1 for t in tests if t.manual == "pending"),
                review=sum(1 for t in tests if t.manual == "review"),
                mean_points=statistics.fmean(scored) if scored else None,
            )
        )
    return out


def metric_series(data: WeekData) -> list[MetricSeries]:
    found: dict[str, list] = {}
    latest = {}
    for result in data.graded:
        for m in result.metrics:
            found.setdefault(m.id, []).append((result.student, m.value, m.points, m.max_points))
            latest[m.id] = m
    return [
        MetricSeries(
            id=mid,
            metric=latest[mid].metric,
            target=latest[mid].target,
            floor=latest[mid].floor,
            direction=latest[mid].direction,
            values=tuple(sorted(values)),
        )
        for mid, values in found.items()
    ]


def reviews(data: WeekData, *, language: str = "en") -> list[Review]:
    """Submissions an instructor should look at: integrity flags, grading errors, edited tests."""
    out = []
    for result in data.results:
        shown = zip(result.problems, result.problem_texts(language), strict=True)
        reasons = list(result.flag_texts(language))
        if result.status == "error":
            reasons += list(result.problem_texts(language))
        reasons += [text for p, text in shown if problem_reason(p) == "cell_modified"]
        reasons += [
            render("report.manual_review_reason", language, cell=t.id)
            for t in result.tests
            if t.manual == "review"
        ]
        if reasons:
            out.append(Review(result.student, tuple(dict.fromkeys(reasons))))
    return sorted(out, key=lambda r: r.login.lower())


def raw_score(result: SubmissionResult) -> float:
    """Points before penalties, extra credit included (nbgrader's raw score)."""
    return float(
        sum(t.points + t.extra_credit for t in result.tests) + sum(m.points for m in result.metrics)
    )


def grader_comments(result: SubmissionResult) -> list[tuple[str, str]]:
    """(cell, comment) entered by hand, graded cells first."""
    return [(t.id, t.comment) for t in result.tests if t.comment] + list(result.comments)


def penalty_points(result: SubmissionResult) -> float:
    """Total penalty as a positive number, as nbgrader's late_submission_penalty."""
    return float(-sum(p.points for p in result.penalties))


def hours_from_deadline(data: WeekData) -> list[tuple[str, float]]:
    if data.deadline is None:
        return []
    out = []
    for s in data.students:
        when = s.submitted_at
        if when is not None:
            out.append((s.login, (when - data.deadline).total_seconds() / 3600))
    return out
