"""`autograder run WEEK`: the API's stages in order, against the GitHub test server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from github_server import GitHubTestServer, SimClock
from github_server.coursedir import make_course

from autograder.cli import cli
from autograder.course import Course

pytest_plugins = ["github_server.fixtures"]

WEEK = "week01"
DEADLINE = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def course(tmp_path: Path, github_server: GitHubTestServer, sim_clock: SimClock) -> Course:
    root = make_course(tmp_path / "c", github_server, deadlines={WEEK: DEADLINE.isoformat()})
    notebook = nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]))
    repo = github_server.create_repo(f"{WEEK}-alice")
    clone = github_server.clone(repo, "alice", tmp_path)
    clone.commit({f"{WEEK}.ipynb": notebook})
    clone.push()
    sim_clock.set(DEADLINE + timedelta(hours=1))
    return Course(root)


def _issues(server: GitHubTestServer) -> int:
    return sum(len(r.issues) for r in server.world.repos.values())


def test_run_collects_grades_and_posts(course: Course, github_server: GitHubTestServer) -> None:
    env = {"GITHUB_TOKEN": github_server.world.token}
    args = ["--course", str(course.root), "run", WEEK, "--runner", "process"]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    assert "graded 1" in result.output
    assert course.result_path(WEEK, "alice").is_file()
    assert _issues(github_server) == 1


def test_run_without_a_runner_posts_nothing(
    course: Course, github_server: GitHubTestServer
) -> None:
    env = {"GITHUB_TOKEN": github_server.world.token, "DOCKER_HOST": "unix:///nonexistent"}
    args = ["--course", str(course.root), "run", WEEK, "--runner", "docker"]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 3, result.output
    assert "no Docker daemon" in result.output
    assert _issues(github_server) == 0
