"""The instructor's decisions on pairs: reviewed, or allowed (declared pair work).

Kept in the workspace database (table ``ag_similarity_review``), beside the
gradebook and never in ``solutions/``; grading never writes this table, so a
decision survives any regrade. A decided pair is no longer flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, MetaData, String, Table, Text, delete, select
from sqlalchemy.engine import Engine

from autograder.course import LOGIN_NAME, Course
from autograder.errors import ConfigError
from autograder.workspace_db import Schema, workspace_engine

STATES = ("allowed", "reviewed")

metadata = MetaData()
reviews_table = Table(
    "ag_similarity_review",
    metadata,
    Column("week", String(200), primary_key=True),
    Column("a", String(100), primary_key=True),
    Column("b", String(100), primary_key=True),
    Column("state", String(20), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("decided_at", String(40), nullable=False),
)
SCHEMA = Schema(metadata)


@dataclass(frozen=True)
class PairReview:
    a: str
    b: str
    state: str  # one of STATES
    note: str = ""
    decided_at: str = ""


def pair_key(a: str, b: str) -> tuple[str, str]:
    """A pair in canonical order (the JSON, the table and the report all use it)."""
    return (a, b) if a.lower() <= b.lower() else (b, a)


def _engine(course: Course) -> Engine:
    return workspace_engine(course.db_url, SCHEMA)


def _check(a: str, b: str) -> tuple[str, str]:
    for login in (a, b):
        if not LOGIN_NAME.match(login):
            raise ConfigError(f"invalid login {login!r}")
    if a == b:
        raise ConfigError(f"a pair needs two different students (got {a!r} twice)")
    return pair_key(a, b)


def mark_pair(
    course: Course, week: str, a: str, b: str, *, state: str = "allowed", note: str = ""
) -> PairReview:
    if state not in STATES:
        raise ConfigError(f"review state must be one of {STATES}, not {state!r}")
    first, second = _check(a, b)
    when = datetime.now(UTC).isoformat()
    with _engine(course).begin() as conn:
        conn.execute(
            delete(reviews_table).where(
                (reviews_table.c.week == week)
                & (reviews_table.c.a == first)
                & (reviews_table.c.b == second)
            )
        )
        conn.execute(
            reviews_table.insert().values(
                week=week, a=first, b=second, state=state, note=note, decided_at=when
            )
        )
    return PairReview(first, second, state, note, when)


def unmark_pair(course: Course, week: str, a: str, b: str) -> bool:
    first, second = _check(a, b)
    with _engine(course).begin() as conn:
        gone = conn.execute(
            delete(reviews_table).where(
                (reviews_table.c.week == week)
                & (reviews_table.c.a == first)
                & (reviews_table.c.b == second)
            )
        )
    return bool(gone.rowcount)


def pair_reviews(course: Course, week: str) -> dict[tuple[str, str], PairReview]:
    with _engine(course).begin() as conn:
        rows = conn.execute(select(reviews_table).where(reviews_table.c.week == week)).all()
    return {(r.a, r.b): PairReview(r.a, r.b, r.state, r.note or "", r.decided_at) for r in rows}
