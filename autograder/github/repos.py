"""Student repositories: whose week a repo holds, by id, in one table (``ag_student_repos``).

Everything that finds a student's repo reads and writes it here: discovery and
provisioning (so a renamed repo is still found by id), feedback posting, and continuous
grading (which also keeps its reconciliation cursor on the row: the ``pushed_at`` GitHub
listed last and the newest activity id already looked at).

It replaces two tables that held the same fact, ``ag_gh_repos`` (collect, provision) and
``ag_q_repos`` (continuous grading); `merge_old_tables` moves their rows over the first
time a workspace is opened, so an existing workspace keeps every repo it knew.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    insert,
    inspect,
    or_,
    select,
    update,
)

from autograder.roster import RosterEntry

metadata = MetaData()

repos = Table(
    "ag_student_repos",
    metadata,
    Column("week", String(64), primary_key=True),
    Column("login", String(64), primary_key=True),
    Column("repo_id", Integer, nullable=False, unique=True),
    Column("full_name", String(255), nullable=False),
    Column("default_branch", String(255), nullable=False),
    Column("pushed_at", String(40)),  # as listed by GitHub; a change means "look at activity"
    Column("last_activity_id", Integer),  # newest activity entry already looked at
)

OLD_TABLES = ("ag_gh_repos", "ag_q_repos")


@dataclass(frozen=True)
class StudentRepo:
    """A student's repository for one week: whose it is, and where it is now."""

    week: str
    login: str
    full_name: str
    repo_id: int
    default_branch: str
    student: RosterEntry | None = None  # the roster's entry, when discovery had a roster
    note: str = ""  # e.g. "repo renamed from ... to ...", shown to the student


def _repo(row: Any) -> StudentRepo:
    return StudentRepo(row.week, row.login, row.full_name, row.repo_id, row.default_branch)


class RepoStore:
    """The ``ag_student_repos`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, week: str, login: str) -> StudentRepo | None:
        with self.engine.begin() as conn:
            row = conn.execute(
                select(repos).where(repos.c.week == week, repos.c.login == login)
            ).first()
        return None if row is None else _repo(row)

    def by_id(self, repo_id: int) -> StudentRepo | None:
        with self.engine.begin() as conn:
            row = conn.execute(select(repos).where(repos.c.repo_id == repo_id)).first()
        return None if row is None else _repo(row)

    def all(self, week: str | None = None) -> list[StudentRepo]:
        query = select(repos).order_by(repos.c.full_name)
        if week is not None:
            query = query.where(repos.c.week == week)
        with self.engine.begin() as conn:
            return [_repo(row) for row in conn.execute(query).all()]

    def put(self, repo: StudentRepo) -> str | None:
        """Remember `repo` (its week and login now hold it); returns the ``pushed_at``
        listed for it before (None when new). The cursor survives a rename."""
        with self.engine.begin() as conn:
            return _put(
                conn,
                week=repo.week,
                login=repo.login,
                repo_id=repo.repo_id,
                full_name=repo.full_name,
                default_branch=repo.default_branch,
            )

    def set_cursor(
        self, repo_id: int, *, pushed_at: str | None = None, last_activity_id: int | None = None
    ) -> None:
        values: dict[str, object] = {}
        if pushed_at is not None:
            values["pushed_at"] = pushed_at
        if last_activity_id is not None:
            values["last_activity_id"] = last_activity_id
        if values:
            with self.engine.begin() as conn:
                conn.execute(update(repos).where(repos.c.repo_id == repo_id).values(**values))

    def cursor(self, repo_id: int) -> int | None:
        with self.engine.begin() as conn:
            row = conn.execute(
                select(repos.c.last_activity_id).where(repos.c.repo_id == repo_id)
            ).first()
        return None if row is None else row[0]


def _put(
    conn: Connection,
    *,
    week: str,
    login: str,
    repo_id: int,
    full_name: str,
    default_branch: str,
    pushed_at: str | None = None,
    last_activity_id: int | None = None,
) -> str | None:
    same_repo = conn.execute(select(repos).where(repos.c.repo_id == repo_id)).first()
    if same_repo is not None:  # keep what was learnt about this repo (the cursor)
        pushed_at = pushed_at or same_repo.pushed_at
        last_activity_id = last_activity_id or same_repo.last_activity_id
    conn.execute(
        delete(repos).where(
            or_(repos.c.repo_id == repo_id, (repos.c.week == week) & (repos.c.login == login))
        )
    )
    conn.execute(
        insert(repos).values(
            week=week,
            login=login,
            repo_id=repo_id,
            full_name=full_name,
            default_branch=default_branch,
            pushed_at=pushed_at,
            last_activity_id=last_activity_id,
        )
    )
    return None if same_repo is None or not same_repo.pushed_at else str(same_repo.pushed_at)


def merge_old_tables(engine: Engine) -> None:
    """Move the rows of ``ag_gh_repos`` and ``ag_q_repos`` here, then drop them.

    ``ag_gh_repos`` (week, login -> repo) is the newer truth about whose repo it is;
    ``ag_q_repos`` adds the reconciliation cursors and repos only continuous grading saw.
    A repo the older table still lists for a student whose week now holds another repo
    (deleted and created again) is left out: nothing could reach it any more.
    """
    present = [name for name in OLD_TABLES if inspect(engine).has_table(name)]
    if not present:
        return
    with engine.begin() as conn:
        old = MetaData()
        for name in present:
            table = Table(name, old, autoload_with=conn)
            rows = conn.execute(select(table)).mappings().all()
            for row in rows:
                known = conn.execute(
                    select(repos.c.repo_id).where(repos.c.repo_id == row["repo_id"])
                ).first()
                if known is not None:  # whose it is came from ag_gh_repos: add the cursor
                    conn.execute(
                        update(repos)
                        .where(repos.c.repo_id == row["repo_id"])
                        .values(
                            pushed_at=row.get("pushed_at"),
                            last_activity_id=row.get("last_activity_id"),
                        )
                    )
                    continue
                taken = conn.execute(
                    select(repos.c.repo_id).where(
                        repos.c.week == row["week"], repos.c.login == row["login"]
                    )
                ).first()
                if taken is not None:
                    continue  # the student's week already holds a newer repo
                _put(
                    conn,
                    week=row["week"],
                    login=row["login"],
                    repo_id=row["repo_id"],
                    full_name=row["full_name"],
                    default_branch=row["default_branch"],
                    pushed_at=row.get("pushed_at"),
                    last_activity_id=row.get("last_activity_id"),
                )
            table.drop(conn)
