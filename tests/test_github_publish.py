"""Publishing the release to the template repo, provisioning student repos, the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from github_server import GitHubTestServer, SimClock
from github_server.coursedir import make_course

from autograder.cli import cli
from autograder.course import Course
from autograder.errors import CourseError
from autograder.github.client import connect
from autograder.github.collect import collect_week
from autograder.github.provision import provision_week
from autograder.github.publish import blob_sha, publish_week

pytest_plugins = ["github_server.fixtures"]

WEEK = "week02"
DEADLINE = datetime(2026, 9, 8, 15, 0, tzinfo=UTC)


@pytest.fixture
def course(tmp_path: Path, github_server: GitHubTestServer) -> Course:
    root = make_course(tmp_path / "course", github_server, deadlines={WEEK: DEADLINE.isoformat()})
    data = root / "assignments" / WEEK / "data"
    data.mkdir()
    (data / "heights.csv").write_text("height\n170\n")
    (root / "assignments" / WEEK / "run.sh").write_text("#!/bin/sh\n")
    (root / "assignments" / WEEK / "run.sh").chmod(0o755)
    return Course(root)


def tree(server: GitHubTestServer, name: str) -> dict[str, tuple[str, str]]:
    repo = server.world.repo("course-org", name)
    assert repo is not None
    head = repo.git.head("main")
    assert head is not None
    return {
        path: (mode, sha)
        for mode, kind, sha, path, _ in repo.git.ls_tree(head, True)
        if kind == "blob"
    }


def writes(server: GitHubTestServer) -> list:
    return [r for r in server.requests() if r.method != "GET"]


def test_publish_creates_template_then_is_idempotent_then_updates_in_one_commit(
    course: Course, github_server: GitHubTestServer, sim_clock: SimClock
) -> None:
    client = connect(course, token=github_server.world.token, clock=sim_clock)
    first = publish_week(course=course, week=WEEK, client=client)
    assert first.created and first.changed
    template = github_server.world.repo("course-org", f"{WEEK}-template")
    assert template is not None and template.is_template and template.private
    release = course.assignments_dir / WEEK
    expected = {
        p.relative_to(release).as_posix(): blob_sha(p.read_bytes())
        for p in release.rglob("*")
        if p.is_file()
    }
    published = tree(github_server, f"{WEEK}-template")
    assert {k: v[1] for k, v in published.items()} == expected  # README of auto_init gone
    assert published["run.sh"][0] == "100755"

    github_server.reset_log()
    again = publish_week(course=course, week=WEEK, client=client)
    assert not again.changed and again.commit == first.commit and writes(github_server) == []

    (release / "data" / "heights.csv").unlink()
    (release / f"{WEEK}.ipynb").write_text('{"cells": [], "nbformat": 4}')
    github_server.reset_log()
    third = publish_week(course=course, week=WEEK, client=client, message="fix typo")
    assert third.changed
    assert set(tree(github_server, f"{WEEK}-template")) == {f"{WEEK}.ipynb", "run.sh"}
    info = template.git.commit_info(third.commit)
    assert info["parents"] == first.commit and info["message"].strip() == "fix typo"
    # only the changed file is uploaded; tree, commit and ref are one write each
    assert [(r.method, r.path.rsplit("/", 2)[-2:]) for r in writes(github_server)] == [
        ("POST", ["git", "blobs"]),
        ("POST", ["git", "trees"]),
        ("POST", ["git", "commits"]),
        ("PATCH", ["heads", "main"]),
    ]


def roster(tmp_path: Path, logins: list[str]) -> Path:
    path = tmp_path / "roster.csv"
    rows = [f"{login},{2026000 + i},학생{i},A" for i, login in enumerate(logins)]
    path.write_text("login,student_id,name,section\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_provision_cutoff_restore_and_collect(
    course: Course, github_server: GitHubTestServer, sim_clock: SimClock, tmp_path: Path
) -> None:
    client = connect(course, token=github_server.world.token, clock=sim_clock)
    students = ["alice", "park-ji-hoon", "carol"]
    path = roster(tmp_path, students)
    with pytest.raises(CourseError, match="publish"):
        provision_week(course=course, week=WEEK, roster=path, client=client)
    publish_week(course=course, week=WEEK, client=client)
    report = provision_week(course=course, week=WEEK, roster=path, client=client)
    assert report.ok and all(s.created and s.permission_changed for s in report.students)
    template_tree = tree(github_server, f"{WEEK}-template")
    for login in students:
        repo = github_server.world.repo("course-org", f"{WEEK}-{login}")
        assert repo is not None and repo.private and repo.collaborators == {login: "push"}
        assert tree(github_server, repo.name) == template_tree

    github_server.reset_log()
    again = provision_week(course=course, week=WEEK, roster=path, client=client)
    assert again.ok and not any(s.created or s.permission_changed for s in again.students)
    assert writes(github_server) == []

    # alice pushes on time; the others never do (the template commit is not theirs)
    repo = github_server.world.repo("course-org", f"{WEEK}-alice")
    clone = github_server.clone(repo, "alice", tmp_path)
    sim_clock.set(DEADLINE - timedelta(hours=1))
    sha = clone.commit({f"{WEEK}.ipynb": "{}"})
    clone.push()

    sim_clock.set(DEADLINE)
    cut = provision_week(course=course, week=WEEK, roster=path, client=client, cutoff=True)
    assert cut.permission == "pull" and all(s.permission_changed for s in cut.students)
    assert all(
        github_server.world.repo("course-org", f"{WEEK}-{s}").collaborators[s] == "pull"
        for s in students
    )
    collected = {s.login: s for s in collect_week(course=course, week=WEEK, client=client).students}
    assert collected["alice"].sha == sha and not collected["alice"].late
    assert collected["carol"].status == "never_pushed"
    back = provision_week(course=course, week=WEEK, roster=path, client=client, restore=True)
    assert back.permission == "push" and all(s.permission_changed for s in back.students)


def test_cli_publish_and_provision(
    course: Course, github_server: GitHubTestServer, sim_clock: SimClock, tmp_path: Path
) -> None:
    # the work is done through the API on the simulated clock; the CLI (real clock, one
    # write a second) is then checked on runs that find nothing to write
    client = connect(course, token=github_server.world.token, clock=sim_clock)
    publish_week(course=course, week=WEEK, client=client)
    path = roster(tmp_path, ["alice", "bob"])
    provision_week(course=course, week=WEEK, roster=path, client=client)
    github_server.reset_log()
    runner = CliRunner()
    env = {"GITHUB_TOKEN": github_server.world.token}
    result = runner.invoke(cli, ["--course", str(course.root), "publish", WEEK], env=env)
    assert result.exit_code == 0, result.output
    assert f"template course-org/{WEEK}-template already up to date" in result.output
    result = runner.invoke(
        cli, ["--course", str(course.root), "provision", WEEK, "--roster", str(path)], env=env
    )
    assert result.exit_code == 0, result.output
    assert "2 students, 0 repos created, 0 set to push, 0 failed" in result.output
    assert github_server.world.token not in result.output
    assert github_server.requests() and writes(github_server) == []
    result = runner.invoke(
        cli,
        [
            "--course",
            str(course.root),
            "provision",
            WEEK,
            "--roster",
            str(path),
            "--cutoff",
            "--restore",
        ],
        env=env,
    )
    assert result.exit_code == 2 and "not both" in result.output
    result = runner.invoke(
        cli, ["--course", str(course.root), "publish", WEEK], env={"GITHUB_TOKEN": ""}
    )
    assert result.exit_code == 2 and "GITHUB_TOKEN" in result.output
