"""One workspace database module: one engine per URL, every store's tables through it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect, text

from autograder.course import Course
from autograder.deliveries import DONE, feedback_states
from autograder.github.outbox import Outbox
from autograder.github.store import SCHEMAS
from autograder.gradebook import GradebookStore
from autograder.workspace_db import workspace_engine

REPO = Path(__file__).resolve().parents[1]


def _course(tmp_path: Path) -> Course:
    (tmp_path / "course.toml").write_text("")
    return Course(tmp_path)


def test_one_engine_per_url_and_nbgrader_stamped_first(tmp_path: Path) -> None:
    course = _course(tmp_path)
    github = workspace_engine(course.db_url, *SCHEMAS)  # the GitHub side opens it first
    assert GradebookStore(course).engine is github
    tables = set(inspect(github).get_table_names())
    assert {"alembic_version", "ag_gh_outbox", "ag_result"} <= tables
    with github.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_reports_read_delivery_states_without_creating_the_outbox(tmp_path: Path) -> None:
    course = _course(tmp_path)
    engine = workspace_engine(course.db_url)
    assert feedback_states(engine, "week01") is None  # no outbox: unknown
    assert not inspect(engine).has_table("ag_gh_outbox")
    box = Outbox(workspace_engine(course.db_url, *SCHEMAS))
    row = box.enqueue(
        week="week01",
        login="alice",
        repo="org/week01-alice",
        title="t",
        body="b",
        score=None,
        comment_for="",
        now=0.0,
    )
    assert row is not None
    box.mark(row.id, state=DONE, issue_number=3)
    states = feedback_states(engine, "week01")
    assert states is not None and states["alice"].state == "posted"
    assert states["alice"].issue_number == 3


def test_no_other_engine_factory() -> None:
    owners = sorted(
        p.relative_to(REPO).as_posix()
        for p in (REPO / "autograder").rglob("*.py")
        if "create_engine(" in p.read_text(encoding="utf-8")
    )
    # nbgrader_db only stamps a database named by URL (nbgrader's own tools)
    assert owners == ["autograder/nbgrader_db.py", "autograder/workspace_db.py"]


def test_reports_do_not_import_the_github_package() -> None:
    code = (
        "import sys, autograder.reports, autograder.reports.data, autograder.deliveries;"
        "print([m for m in sys.modules if m.startswith('autograder.github')])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert out.stdout.strip() == "[]"
    source = (REPO / "autograder" / "reports" / "data.py").read_text(encoding="utf-8")
    assert "autograder.github" not in source
