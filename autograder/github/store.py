"""The GitHub side's tables in the workspace database (names prefixed ``ag_gh_``).

- ``ag_student_repos`` (declared in `autograder.github.repos`): which repo holds a
  student's week (by id, so a rename is followed).
- ``ag_gh_outbox`` (declared in `autograder.deliveries`, created here): one row per
  feedback revision to post; its state makes posting resumable and exactly-once.
- ``ag_gh_writes``: times of recent writes, so pacing survives a restart.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    Table,
    delete,
    insert,
    select,
)

from autograder import deliveries
from autograder.github import repos as student_repos
from autograder.workspace_db import Schema

metadata = MetaData()

writes = Table(
    "ag_gh_writes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False, index=True),
)


# the GitHub side's tables, and the outbox it writes (the reports only read it)
SCHEMAS = (
    Schema(metadata),
    Schema(deliveries.metadata),
    Schema(student_repos.metadata, (student_repos.merge_old_tables,)),
)


class WriteLog:
    """Persisted write times for the pacer (the last hour is enough)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def recent(self, now: float) -> list[float]:
        with self.engine.begin() as conn:
            conn.execute(delete(writes).where(writes.c.at < now - 3600))
            return [row.at for row in conn.execute(select(writes.c.at).order_by(writes.c.at))]

    def record(self, at: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(writes).values(at=at))
