"""Render a SubmissionResult as the Markdown body of a feedback issue.

Rendering is separate from publishing (`FileSink` here, the GitHub issue sink
in `autograder.github`). Hidden-test source never reaches a result, so it
cannot reach feedback; hidden failures carry only the instructor's hint.
"""

from __future__ import annotations

import logging
from pathlib import Path

from autograder.course import Course
from autograder.messages import CATALOG, Labels
from autograder.results import SubmissionResult, TestResult
from gpu_runner.textsafe import display_text

log = logging.getLogger(__name__)


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
    return f"| {name} | {status_label(tx, status)} | {points} | {inert(test.text(tx.language), in_table=True)} |"


def to_markdown(result: SubmissionResult, *, language: str = "ko", title: str | None = None) -> str:
    tx = Labels(language, "feedback")
    lines = [f"## {tx('title', title=title or result.assignment)}", ""]
    if result.status == "error":
        lines += [tx("error"), ""]
        lines += [f"- {inert(p)}" for p in result.problem_texts(language)]
        return "\n".join(lines + ["", tx("footer")]) + "\n"
    lines += [tx("score", score=result.score, max=result.max_score), ""]
    if result.pending_points:
        lines += [tx("provisional", pending=result.pending_points), ""]
    elif result.provisional:
        lines += [tx("review"), ""]
    if result.submitted_at:
        lines += [tx("late", when=result.submitted_at), ""]
    if result.tests:
        lines += [tx("tests"), "", tx("col")]
        for test in result.tests:
            lines.append(_test_row(test, tx))
        lines.append("")
    comments = [(t.id, t.comment) for t in result.tests if t.comment] + list(result.comments)
    if comments:
        lines += [tx("comments"), ""]
        lines += [f"- {inert(cell)}: {inert(text, limit=2000)}" for cell, text in comments]
        lines.append("")
    if result.metrics:
        lines += [tx("metrics"), ""]
        for m in result.metrics:
            value = "—" if m.value is None else f"{m.value:.4g}"
            mark = "✓" if m.points >= m.max_points else ("△" if m.points > 0 else "✗")
            cmp = "≤ " if m.direction == "lower" else "≥ "
            lines.append(
                f"- `{m.id}` ({m.metric}): {tx('your')} {value} — {tx('target')} {cmp}{m.target:g} "
                f"{mark} ({tx('floor')} {m.floor:g}; {m.points:g}/{m.max_points:g}{tx('points')})"
            )
            if m.message:
                lines.append(f"  - {inert(m.message)}")
        lines.append("")
    if result.penalties:
        lines += [tx("penalties"), ""]
        lines += [f"- {inert(p.text(language))}: {p.points:g}" for p in result.penalties]
        lines.append("")
    notes = [*result.problem_texts(language), *result.flag_texts(language)]
    if notes:
        lines += [tx("problems"), ""]
        lines += [f"- {inert(p)}" for p in notes]
        lines.append("")
    return "\n".join(lines + [tx("footer")]) + "\n"


class FileSink:
    """Writes each rendered result to ``<workspace>/feedback/<week>/<login>.md``."""

    def __init__(self, course: Course) -> None:
        self.course = course

    def publish(self, result: SubmissionResult, body: str) -> Path:
        path = self.course.feedback_path(result.assignment, result.student)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        return path


def write_feedback(course: Course, week: str, *, language: str | None = None) -> list[Path]:
    """Render and write every recorded result of `week`; one failure never stops the rest."""
    from autograder.gradebook import GradebookStore

    lang = language or course.config.language
    title = course.week(week).title
    sink = FileSink(course)
    paths = []
    for result in sorted(GradebookStore(course).results(week), key=lambda r: r.student):
        try:
            paths.append(sink.publish(result, to_markdown(result, language=lang, title=title)))
        except Exception:  # a bug of ours with one result, or its file
            log.exception("feedback for %s/%s not written", week, result.student)
    return paths
