"""Credentials, logging, and the run command's order of stages."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from github_server import GitHubTestServer, SimClock
from github_server.coursedir import make_course

from autograder.course import Course
from autograder.errors import ConfigError
from autograder.github.client import connect, read_token
from autograder.github.collect import collect_week
from autograder.github.run import run_week
from autograder.roster import load_roster

pytest_plugins = ["github_server.fixtures"]

WEEK = "week01"
DEADLINE = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def course(tmp_path: Path, github_server: GitHubTestServer) -> Course:
    return Course(
        make_course(tmp_path / "c", github_server, deadlines={WEEK: DEADLINE.isoformat()})
    )


def test_token_from_env_then_file(course: Course, tmp_path: Path) -> None:
    assert read_token(course, env={"GITHUB_TOKEN": " ghp_env \n"}) == "ghp_env"
    with pytest.raises(ConfigError, match="GITHUB_TOKEN"):
        read_token(course, env={})
    (course.root / "secrets").mkdir()
    (course.root / "secrets" / "token").write_text("ghp_file\n")
    toml = course.root / "course.toml"
    toml.write_text(toml.read_text() + 'token_file = "secrets/token"\n')
    with_file = Course(course.root)
    assert read_token(with_file, env={}) == "ghp_file"  # relative to the course folder
    assert read_token(with_file, env={"GITHUB_TOKEN": "ghp_env"}) == "ghp_env"
    (course.root / "secrets" / "token").write_text("")
    with pytest.raises(ConfigError, match="is empty"):
        read_token(with_file, env={})


def test_token_never_logged_even_at_debug(
    course: Course,
    github_server: GitHubTestServer,
    sim_clock: SimClock,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    repo = github_server.create_repo(f"{WEEK}-alice")
    clone = github_server.clone(repo, "alice", tmp_path)
    clone.commit({"a.ipynb": "{}"})
    clone.push()
    github_server.faults.add("502", methods=frozenset({"GET"}), path="/activity$")
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="github")
    client = connect(course, token=github_server.world.token, clock=sim_clock)
    report = collect_week(course=course, week=WEEK, client=client)
    assert report.count("collected") == 1
    assert "/activity" in caplog.text and "502" in caplog.text  # requests were logged
    assert github_server.world.token not in caplog.text
    assert github_server.world.token not in str(report)


def test_roster_validation(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("\ufeffLogin,Student_ID,Name,Section\nkim-min,1,김민,A\n\nlee,2,이,B\n")
    assert [(e.login, e.name) for e in load_roster(path)] == [("kim-min", "김민"), ("lee", "이")]
    path.write_text("login\nkim min\n")
    with pytest.raises(ConfigError, match="line 2: invalid GitHub login"):
        load_roster(path)
    path.write_text("id,name\n1,x\n")
    with pytest.raises(ConfigError, match="'login' column"):
        load_roster(path)


def test_run_week_collects_grades_renders_posts(
    course: Course, github_server: GitHubTestServer, sim_clock: SimClock, tmp_path: Path
) -> None:
    for login in ("alice", "bob"):
        repo = github_server.create_repo(f"{WEEK}-{login}")
        clone = github_server.clone(repo, login, tmp_path)
        clone.commit({f"{WEEK}.ipynb": "{}"})
        clone.push()
    github_server.create_repo(f"{WEEK}-carol")  # never pushed: not graded, no issue
    sim_clock.set(DEADLINE + timedelta(hours=1))
    stages: list[str] = []

    def grade() -> None:  # stands for the core's `grade WEEK`
        stages.append("grade")
        for login in course.submitted_logins(WEEK):
            path = course.result_path(WEEK, login)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"score": 5, "max_score": 10}))

    def render() -> None:  # stands for the core's `feedback WEEK`
        stages.append("render")
        for login in course.submitted_logins(WEEK):
            path = course.feedback_path(WEEK, login)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"# {login}: 5/10\n")

    client = connect(course, token=github_server.world.token, clock=sim_clock)
    report = run_week(course=course, week=WEEK, grade=grade, render=render, client=client)
    assert report.ok and stages == ["grade", "render"]
    assert sorted(report.post.posted) == ["alice", "bob"]
    assert report.collect.count("never_pushed") == 1
    issues = {r.name: len(r.issues) for r in github_server.world.repos.values()}
    assert issues == {f"{WEEK}-alice": 1, f"{WEEK}-bob": 1, f"{WEEK}-carol": 0}
    again = run_week(course=course, week=WEEK, grade=grade, render=render, client=client)
    assert again.post.writes == 0 and again.collect.count("unchanged") == 2


def test_cli_collect_through_the_core_command(
    course: Course, github_server: GitHubTestServer, sim_clock: SimClock, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from autograder.cli import cli

    repo = github_server.create_repo(f"{WEEK}-kim-min")
    clone = github_server.clone(repo, "kim-min", tmp_path)
    sim_clock.set(DEADLINE + timedelta(minutes=30))
    sha = clone.commit({f"{WEEK}.ipynb": "{}"}, date="2026-09-01T00:00:00Z")  # forged
    clone.push()
    result = CliRunner().invoke(
        cli,
        ["--course", str(course.root), "collect", WEEK],
        env={"GITHUB_TOKEN": github_server.world.token},
    )
    assert result.exit_code == 0, result.output
    assert "1 collected" in result.output and "1 late" in result.output
    assert "kim-min" in result.output and sha[:7] in result.output
