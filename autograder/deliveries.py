"""Feedback deliveries: the outbox table, and whether each student's feedback arrived.

A row of ``ag_gh_outbox`` is one revision of one student's feedback to deliver. The
GitHub side writes the rows (`autograder.github.outbox` is the exactly-once state
machine); the reports only read where each student's newest revision stands
(`feedback_states`). Both read the table and its states from here, so the reports
never import the GitHub package. The table is created by the side that writes it (a
workspace that never posted has no outbox, and its states read as unknown).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    select,
)

# pending -> issue_done -> done; a newer revision marks the older ones superseded
PENDING, ISSUE_DONE, DONE, SUPERSEDED = "pending", "issue_done", "done", "superseded"

metadata = MetaData()

outbox = Table(
    "ag_gh_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("week", String(64), nullable=False),
    Column("login", String(64), nullable=False),
    Column("repo", String(255), nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("score", String(64)),  # "7.5/10" when known, for the regrade comment
    Column("comment", Text),  # posted after the edit on a regrade
    # pending -> issue_done -> done; "in_flight" names a write that may have happened
    Column("state", String(16), nullable=False, default=PENDING),
    Column("in_flight", String(16)),
    Column("issue_number", Integer),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("created_at", Float, nullable=False),
    Column("done_at", Float),
    UniqueConstraint("week", "login", "body_hash", name="ag_gh_outbox_revision"),
)


@dataclass(frozen=True)
class FeedbackState:
    """Whether a student's newest feedback revision was delivered."""

    state: str  # "posted" | "pending" | "none" | "unknown" (no outbox in this workspace)
    issue_number: int | None = None


def feedback_states(engine: Engine, week: str) -> dict[str, FeedbackState] | None:
    """login -> state of the newest revision; None when the workspace has no outbox."""
    if not inspect(engine).has_table(outbox.name):
        return None
    with engine.begin() as conn:
        rows = conn.execute(
            select(outbox.c.login, outbox.c.state, outbox.c.issue_number)
            .where(outbox.c.week == week)
            .order_by(outbox.c.id)
        ).all()
    states: dict[str, FeedbackState] = {}
    for login, state, issue in rows:
        if state == SUPERSEDED:
            continue
        states[login] = FeedbackState("posted" if state == DONE else "pending", issue)
    return states
