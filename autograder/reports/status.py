"""``autograder status WEEK``: where every student stands, as a terminal table."""

from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from rich.table import Table

from autograder.messages import Labels
from autograder.reports.data import WeekData
from autograder.reports.html import fmt
from autograder.reports.stats import grader_comments
from autograder.reports.week_report import format_late
from gpu_runner.textsafe import display_text


@dataclass(frozen=True)
class StatusRow:
    login: str
    name: str
    collected: bool
    state: str  # graded | error | not_graded | missing
    score: float | None
    max_score: float
    late_seconds: float
    feedback: str  # posted | pending | none | unknown
    issue_number: int | None
    problems: int
    flags: int
    provisional: bool = False  # hand-graded cells pending or to be reviewed
    pending_points: float = 0.0
    comments: tuple[tuple[str, str], ...] = ()  # the grader's (cell, comment)


def status_rows(data: WeekData) -> list[StatusRow]:
    rows = []
    for s in data.students:
        r = s.result
        rows.append(
            StatusRow(
                login=s.login,
                name=s.name,
                collected=s.meta is not None,
                state=s.state,
                score=r.score if r is not None and r.status == "graded" else None,
                max_score=data.max_score,
                late_seconds=r.late_seconds if r is not None else 0.0,
                feedback=s.feedback.state,
                issue_number=s.feedback.issue_number,
                problems=len(r.problems) if r is not None else 0,
                flags=len(r.flags) if r is not None else 0,
                provisional=r is not None and r.provisional,
                pending_points=r.pending_points if r is not None else 0.0,
                comments=tuple(grader_comments(r)) if r is not None else (),
            )
        )
    return rows


COMMENT_CHARS = 60  # per comment, in the terminal table

_STATE_STYLE = {"graded": "green", "error": "red", "not_graded": "yellow", "missing": "dim"}


def _score_text(row: StatusRow, tx: Labels) -> str:
    if row.score is None:
        return ""
    text = f"{fmt(row.score)}/{fmt(row.max_score)}"
    if row.provisional:
        note = tx("provisional")
        if row.pending_points:
            note += ", " + tx("pending_points", points=fmt(row.pending_points))
        text += f" ({note})"
    return text


def status_table(data: WeekData, *, language: str) -> Table:
    tx = Labels(language, "report")
    rows = status_rows(data)
    table = Table(title=f"{data.title} ({data.week})")
    for key in (
        "student",
        "name",
        "collected",
        "status",
        "score",
        "late",
        "feedback",
        "problems",
        "flags",
        "comments",
    ):
        table.add_column(
            tx(key), justify="right" if key in ("score", "problems", "flags") else "left"
        )
    for row in rows:
        feedback = tx(f"fb_{row.feedback}") + (f" #{row.issue_number}" if row.issue_number else "")
        table.add_row(
            row.login,
            row.name,
            "✓" if row.collected else "✗",
            f"[{_STATE_STYLE.get(row.state, '')}]{tx(f'state_{row.state}')}[/]",
            _score_text(row, tx),
            format_late(row.late_seconds, language),
            feedback,
            str(row.problems) if row.problems else "",
            str(row.flags) if row.flags else "",
            escape("; ".join(f"{c}: {display_text(x, COMMENT_CHARS)}" for c, x in row.comments)),
        )
    return table
