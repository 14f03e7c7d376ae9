"""The GitHub side's tables in the workspace database (names prefixed ``ag_gh_``).

- ``ag_gh_repos``: which repo holds a student's week (by id, so a rename is followed).
- ``ag_gh_outbox``: one row per feedback revision to post; its state makes posting
  resumable and exactly-once across crashes.
- ``ag_gh_writes``: times of recent writes, so pacing survives a restart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    create_engine,
    delete,
    event,
    insert,
    select,
)
from sqlalchemy.engine import make_url

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
    Column("state", String(16), nullable=False, default="pending"),
    Column("in_flight", String(16)),
    Column("issue_number", Integer),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("created_at", Float, nullable=False),
    Column("done_at", Float),
    UniqueConstraint("week", "login", "body_hash", name="ag_gh_outbox_revision"),
)

writes = Table(
    "ag_gh_writes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False, index=True),
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL + NORMAL: a commit costs ~0.1 ms instead of an fsync (~10 ms). A commit lost to a
    # power cut is safe here: every in-flight write is reconciled by its marker on GitHub.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def open_engine(db_url: str) -> Engine:
    url = make_url(db_url)
    if url.drivername.startswith("sqlite") and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(db_url, future=True)
    if url.drivername.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    metadata.create_all(engine, checkfirst=True)
    return engine


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
