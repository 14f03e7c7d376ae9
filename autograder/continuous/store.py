"""Continuous grading's tables in the workspace database (names prefixed ``ag_q_``).

- ``ag_q_deliveries``: every signed webhook delivery id, so a redelivery is done once.
- ``ag_q_jobs``: one row per (week, login): the queue. Survives restarts.
(Student repos and their reconciliation cursors: ``ag_student_repos``, `autograder.github.repos`.)
- ``ag_q_marks``: one-off facts (``final:<week>`` once a week's final run is scheduled).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from autograder.workspace_db import Schema

metadata = MetaData()

deliveries = Table(
    "ag_q_deliveries",
    metadata,
    Column("delivery_id", String(100), primary_key=True),
    Column("event", String(50), nullable=False),
    Column("received_at", Float, nullable=False),
    Column("repo", String(255)),
    Column("outcome", String(200), nullable=False),
)

jobs = Table(
    "ag_q_jobs",
    metadata,
    Column("week", String(64), primary_key=True),
    Column("login", String(64), primary_key=True),
    Column("repo", String(255), nullable=False),
    Column("repo_id", Integer, nullable=False),
    Column("default_branch", String(255), nullable=False),
    # idle -> pending -> running -> idle (or back to pending when `again`); failed after retries
    Column("state", String(16), nullable=False),
    Column("sha", String(40)),  # newest head seen (webhook ``after`` / activity ``after``)
    Column("received_at", Float),  # when that push reached GitHub or us: the trusted push time
    Column("first_push_at", Float),  # start of the current coalescing window
    Column("due_at", Float, nullable=False),
    Column("again", Boolean, nullable=False, default=False),  # pushed while running
    Column("pushes", Integer, nullable=False, default=0),  # pushes folded into this window
    Column("min_interval_s", Float, nullable=False, default=0.0),
    Column("last_run_at", Float),  # last run that really graded (the rate limit)
    Column("graded_sha", String(40)),
    Column("runs", Integer, nullable=False, default=0),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("final_done", Boolean, nullable=False, default=False),
)

marks = Table(
    "ag_q_marks",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("at", Float, nullable=False),
)


SCHEMA = Schema(metadata)
