"""Render a SubmissionResult as the Markdown body of a feedback issue, and publish it.

One renderer (`render_feedback`) with a view: the final result after the deadline, or
a check before it (what the week's `[check]` policy lets a student see). Rendering is
separate from publishing: a `Sink` takes the result in memory with its body (`FileSink`
here, `GitHubIssueSink` in `autograder.github.feedback`, over the outbox). Hidden-test
source never reaches a result, so it cannot reach feedback under any view; hidden
failures carry only the instructor's hint.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from autograder.config import CheckPolicy
from autograder.course import Course
from autograder.messages import CATALOG, Labels
from autograder.results import MetricResult, SubmissionResult, TestResult
from gpu_runner.textsafe import display_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class View:
    """What a body shows: the final result (`check` None), or a check before the deadline
    under the week's policy."""

    check: CheckPolicy | None = None
    deadline: datetime | None = None

    @classmethod
    def before_deadline(cls, policy: CheckPolicy, deadline: datetime | None) -> View:
        return cls(policy, deadline)


FINAL = View()


def inert(text: str, *, limit: int = 500, in_table: bool = False) -> str:
    """Student-influenced text as one inert code span: no markup, links or references.

    GitHub turns ``https://…``, ``www.…`` and bare ``www.x.com`` names into links,
    ``@login`` into a mention and ``#12`` into an issue reference, in plain text even
    when Markdown characters are escaped; it does none of that inside a code span. So
    the text goes in one, flattened to a line, with control and invisible characters
    removed; a backtick becomes ``ˋ`` so that the span cannot be closed early, and in
    a table a pipe becomes ``│`` (GFM splits a row on every pipe, code spans included,
    and its ``\\|`` escape can itself be undone by a student's backslash).
    """
    flat = " ".join(display_text(text, limit).replace("`", "\u02cb").split())
    if not flat:
        return ""
    if in_table:
        flat = flat.replace("|", "\u2502")
    return f"`{flat}`"


def status_label(tx: Labels, status: str) -> str:
    """A test status as shown in a table row (an unknown status as itself)."""
    code = f"{tx.area}.status.{status}"
    return tx(f"status.{status}") if code in CATALOG else status


def _test_row(test: TestResult, tx: Labels) -> str:
    name = f"`{test.id}`" + (f" ({tx('hidden')})" if test.hidden else "")
    status = test.status if not test.manual or test.pending else f"manual_{test.manual}"
    if test.pending:
        points = tx("pending", points=test.max_points)
    else:
        points = f"{test.points:g} / {test.max_points:g}"
    if test.extra_credit:
        points += " (" + tx("extra", points=test.extra_credit) + ")"
    return (
        f"| {name} | {status_label(tx, status)} | "
        f"{points} | {inert(test.text(tx.language), in_table=True)} |"
    )


def _metric_line(m: MetricResult, tx: Labels) -> str:
    value = "—" if m.value is None else f"{m.value:.4g}"
    mark = "✓" if m.points >= m.max_points else ("△" if m.points > 0 else "✗")
    cmp = "≤ " if m.direction == "lower" else "≥ "
    return (
        f"- `{m.id}` ({m.metric}): {tx('your')} {value} — {tx('target')} {cmp}{m.target:g} "
        f"{mark} ({tx('floor')} {m.floor:g}; {m.points:g}/{m.max_points:g}{tx('points')})"
    )


def _error_body(result: SubmissionResult, lines: list[str], tx: Labels) -> str:
    lines += [tx("error"), ""]
    lines += [f"- {inert(p)}" for p in result.problem_texts(tx.language)]
    return "\n".join([*lines, "", tx("footer")]) + "\n"


def _notes(result: SubmissionResult, tx: Labels) -> list[str]:
    notes = [*result.problem_texts(tx.language), *result.flag_texts(tx.language)]
    if not notes:
        return []
    return [tx("problems"), "", *(f"- {inert(p)}" for p in notes), ""]


def render_feedback(
    result: SubmissionResult,
    *,
    view: View = FINAL,
    language: str = "ko",
    title: str | None = None,
) -> str:
    """The Markdown body of `result` under `view`, in `language`."""
    if view.check is not None:
        return _check_body(result, view.check, view.deadline, language, title)
    tx = Labels(language, "feedback")
    lines = [f"## {tx('title', title=title or result.assignment)}", ""]
    if result.status == "error":
        return _error_body(result, lines, tx)
    lines += [tx("score", score=result.score, max=result.max_score), ""]
    if result.pending_points:
        lines += [tx("provisional", pending=result.pending_points), ""]
    elif result.provisional:
        lines += [tx("review"), ""]
    if result.submitted_at:
        lines += [tx("late", when=result.submitted_at), ""]
    if result.tests:
        lines += [tx("tests"), "", tx("col")]
        lines += [_test_row(test, tx) for test in result.tests]
        lines.append("")
    comments = [(t.id, t.comment) for t in result.tests if t.comment] + list(result.comments)
    if comments:
        lines += [tx("comments"), ""]
        lines += [f"- {inert(cell)}: {inert(text, limit=2000)}" for cell, text in comments]
        lines.append("")
    if result.metrics:
        lines += [tx("metrics"), ""]
        for m in result.metrics:
            lines.append(_metric_line(m, tx))
            if note := m.text(language):
                lines.append(f"  - {inert(note)}")
        lines.append("")
    if result.penalties:
        lines += [tx("penalties"), ""]
        lines += [f"- {inert(p.text(language))}: {p.points:g}" for p in result.penalties]
        lines.append("")
    return "\n".join([*lines, *_notes(result, tx), tx("footer")]) + "\n"


def to_markdown(result: SubmissionResult, *, language: str = "ko", title: str | None = None) -> str:
    """The final feedback body (after the deadline)."""
    return render_feedback(result, view=FINAL, language=language, title=title)


def _check_section(
    heading: str, tests: list[TestResult], mode: str, tx: Labels, cx: Labels
) -> list[str]:
    if mode == "hidden" or not tests:
        return []
    lines = [heading, ""]
    if mode == "count":
        passed = sum(1 for t in tests if t.status == "passed")
        lines.append(cx("count", passed=passed, total=len(tests)))
    else:
        lines += [tx("col"), *(_test_row(test, tx) for test in tests)]
    return [*lines, ""]


def _check_body(
    result: SubmissionResult,
    policy: CheckPolicy,
    deadline: datetime | None,
    language: str,
    title: str | None,
) -> str:
    """Before the deadline: public tests in full (or as a count), hidden tests as a count
    (or in full, hint only; or not at all), thresholds shown or not."""
    tx = Labels(language, "feedback")
    cx = Labels(language, "check")
    lines = [f"## {cx('title', title=title or result.assignment)}", "", cx("intro")]
    if deadline is not None:
        lines.append(cx("deadline", when=deadline.isoformat()))
    lines.append("")
    if result.sha:
        lines += [cx("commit", sha=result.sha[:7]), ""]
    if result.status == "error":
        return _error_body(result, lines, tx)
    anything_hidden = "hidden" in (policy.public_tests, policy.hidden_tests, policy.thresholds)
    if policy.show_score and not anything_hidden:
        lines += [cx("score", score=result.score, max=result.max_score), ""]
    public = [t for t in result.tests if not t.hidden]
    hidden = [t for t in result.tests if t.hidden]
    lines += _check_section(cx("public"), public, policy.public_tests, tx, cx)
    lines += _check_section(cx("hidden"), hidden, policy.hidden_tests, tx, cx)
    if result.metrics:
        lines += [tx("metrics"), ""]
        if policy.thresholds == "hidden":
            lines.append(cx("thresholds_hidden"))
        else:
            lines += [_metric_line(m, tx) for m in result.metrics]
        lines.append("")
    lines += _notes(result, tx)
    if policy.min_interval_minutes > 0:
        lines += [cx("next", minutes=policy.min_interval_minutes), ""]
    return "\n".join([*lines, tx("footer")]) + "\n"


class Sink(Protocol):
    """Where a rendered result goes; takes the result in memory with its body.

    `publish` returns True when the student was notified now (an issue created or
    edited), False otherwise (a file written, an unchanged body, posting disabled)."""

    def publish(self, result: SubmissionResult, body: str) -> bool: ...


class FileSink:
    """Writes each rendered result to ``<workspace>/feedback/<week>/<login>.md``."""

    def __init__(self, course: Course) -> None:
        self.course = course

    def path(self, result: SubmissionResult) -> Path:
        return self.course.feedback_path(result.assignment, result.student)

    def publish(self, result: SubmissionResult, body: str) -> bool:
        path = self.path(result)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        return False  # a file for the instructor: nobody is notified


def write_feedback(
    course: Course,
    week: str,
    *,
    language: str | None = None,
    sinks: list[Sink] | None = None,
) -> list[Path]:
    """Render every recorded result of `week` (final view) into the workspace files and
    publish it to any further `sinks`; one failure never stops the rest. Returns the files
    written."""
    from autograder.gradebook import GradebookStore

    lang = language or course.config.language
    title = course.week(week).title
    files = FileSink(course)
    targets: list[Sink] = [files, *(sinks or ())]
    paths = []
    for result in sorted(GradebookStore(course).results(week), key=lambda r: r.student):
        try:
            body = to_markdown(result, language=lang, title=title)
            for sink in targets:
                sink.publish(result, body)
            paths.append(files.path(result))
        except Exception:  # a bug of ours with one result, or its file
            log.exception("feedback for %s/%s not written", week, result.student)
    return paths
