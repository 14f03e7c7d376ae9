"""One repo type and one table (``ag_student_repos``); old workspaces keep their rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import inspect

from autograder.course import Course
from autograder.github.repos import RepoStore, StudentRepo
from autograder.github.store import SCHEMAS
from autograder.workspace_db import workspace_engine

OLD_SCHEMA = """
CREATE TABLE ag_gh_repos (week VARCHAR(64) NOT NULL, login VARCHAR(64) NOT NULL,
  repo_id INTEGER NOT NULL, full_name VARCHAR(255) NOT NULL,
  default_branch VARCHAR(255) NOT NULL, PRIMARY KEY (week, login));
CREATE TABLE ag_q_repos (repo_id INTEGER NOT NULL PRIMARY KEY, full_name VARCHAR(255) NOT NULL,
  week VARCHAR(64) NOT NULL, login VARCHAR(64) NOT NULL,
  default_branch VARCHAR(255) NOT NULL, pushed_at VARCHAR(40), last_activity_id INTEGER);
INSERT INTO ag_gh_repos VALUES ('week01', 'alice', 11, 'org/my-homework', 'main');
INSERT INTO ag_gh_repos VALUES ('week01', 'bob', 12, 'org/week01-bob', 'main');
INSERT INTO ag_q_repos VALUES (11, 'org/week01-alice', 'week01', 'alice', 'main',
  '2026-09-01T00:00:00Z', 501);
INSERT INTO ag_q_repos VALUES (13, 'org/week01-carol', 'week01', 'carol', 'trunk', NULL, 77);
INSERT INTO ag_q_repos VALUES (9, 'org/week01-bob-old', 'week01', 'bob', 'main', NULL, 5);
"""


def _course(tmp_path: Path) -> Course:
    (tmp_path / "course.toml").write_text("")
    return Course(tmp_path)


def test_old_workspace_keeps_its_repos(tmp_path: Path) -> None:
    course = _course(tmp_path)
    db = course.workspace / "gradebook.db"
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as conn:
        conn.executescript(OLD_SCHEMA)
    engine = workspace_engine(course.db_url, *SCHEMAS)
    store = RepoStore(engine)
    assert store.all("week01") == [
        StudentRepo("week01", "alice", "org/my-homework", 11, "main"),  # the newer name wins
        StudentRepo("week01", "bob", "org/week01-bob", 12, "main"),
        StudentRepo("week01", "carol", "org/week01-carol", 13, "trunk"),  # continuous only
    ]
    assert store.cursor(11) == 501 and store.cursor(13) == 77  # reconciliation cursors kept
    assert store.by_id(9) is None  # bob's deleted repo: his week holds repo 12 now
    tables = set(inspect(engine).get_table_names())
    assert "ag_student_repos" in tables and not tables & {"ag_gh_repos", "ag_q_repos"}


def test_put_keeps_the_cursor_across_a_rename(tmp_path: Path) -> None:
    store = RepoStore(workspace_engine(_course(tmp_path).db_url, *SCHEMAS))
    repo = StudentRepo("week01", "alice", "org/week01-alice", 11, "main")
    assert store.put(repo) is None
    store.set_cursor(11, pushed_at="t1", last_activity_id=3)
    assert store.put(StudentRepo("week01", "alice", "org/renamed", 11, "main")) == "t1"
    assert store.cursor(11) == 3 and store.get("week01", "alice") is not None
    assert store.by_id(11) == StudentRepo("week01", "alice", "org/renamed", 11, "main")
    # a new repo for the same student's week replaces the old one
    store.put(StudentRepo("week01", "alice", "org/week01-alice", 20, "main"))
    assert store.by_id(11) is None and store.cursor(20) is None


def test_one_repo_type() -> None:
    import autograder.continuous.queue as queue
    import autograder.github.discovery as discovery

    assert not hasattr(queue, "Target") and discovery.StudentRepo is StudentRepo
