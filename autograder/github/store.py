"""The GitHub side's tables in the workspace database (names prefixed ``ag_gh_``).

- ``ag_gh_repos``: which repo holds a student's week (by id, so a rename is followed).
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
    String,
    Table,
    delete,
    insert,
    select,
)

from autograder import deliveries
from autograder.workspace_db import Schema

metadata = MetaData()

repos = Table(
    "ag_gh_repos",
    metadata,
    Column("week", String(64), primary_key=True),
    Column("login", String(64), primary_key=True),
    Column("repo_id", Integer, nullable=False),
    Column("full_name", String(255), nullable=False),
    Column("default_branch", String(255), nullable=False),
)

writes = Table(
    "ag_gh_writes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False, index=True),
)


# the GitHub side's tables, and the outbox it writes (the reports only read it)
SCHEMAS = (Schema(metadata), Schema(deliveries.metadata))


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


class RepoMap:
    """Remembered (week, login) -> repo id, so a renamed repo is still found."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, week: str, login: str) -> tuple[int, str, str] | None:
        with self.engine.begin() as conn:
            row = conn.execute(
                select(repos).where(repos.c.week == week, repos.c.login == login)
            ).first()
        return None if row is None else (row.repo_id, row.full_name, row.default_branch)

    def all(self, week: str) -> dict[str, tuple[int, str, str]]:
        with self.engine.begin() as conn:
            rows = conn.execute(select(repos).where(repos.c.week == week)).all()
        return {r.login: (r.repo_id, r.full_name, r.default_branch) for r in rows}

    def put(self, week: str, login: str, repo_id: int, full_name: str, branch: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(repos).where(repos.c.week == week, repos.c.login == login))
            conn.execute(
                insert(repos).values(
                    week=week,
                    login=login,
                    repo_id=repo_id,
                    full_name=full_name,
                    default_branch=branch,
                )
            )
