"""A student renames the repo away from the naming rule: GitHub answers the old name with a
301 (reads) or 307 (writes) to ``/repositories/{id}``, and collect, provision --cutoff /
--restore and feedback posting all still reach the repo, so a rename never escapes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from github_server import GitHubTestServer, SimClock
from github_server.coursedir import make_course

from autograder.course import Course
from autograder.github.client import connect
from autograder.github.collect import collect_week
from autograder.github.feedback import post_feedback
from autograder.github.provision import provision_week
from autograder.github.publish import publish_week
from autograder.submissions import load_submission_meta

pytest_plugins = ["github_server.fixtures"]

WEEK = "week02"
DEADLINE = datetime(2026, 9, 8, 15, 0, tzinfo=UTC)
STUDENTS = ["alice", "rita-renamer"]


@pytest.fixture
def course(tmp_path: Path, github_server: GitHubTestServer) -> Course:
    rows = [(login, "", "", "") for login in STUDENTS]
    root = make_course(
        tmp_path / "course", github_server, deadlines={WEEK: DEADLINE.isoformat()}, roster=rows
    )
    return Course(root)


def test_the_server_redirects_the_old_name_like_github(github_server: GitHubTestServer) -> None:
    repo = github_server.create_repo("week02-bob")
    github_server.world.rename(repo, "my-homework")
    auth = {"Authorization": f"token {github_server.world.token}"}
    old = github_server.url("/repos/course-org/week02-bob/issues?state=all")
    got = requests.get(old, headers=auth, allow_redirects=False, timeout=10)
    assert got.status_code == 301
    assert got.headers["Location"] == github_server.url(f"/repositories/{repo.id}/issues?state=all")
    posted = requests.post(
        github_server.url("/repos/course-org/week02-bob/issues"),
        headers=auth,
        json={"title": "x"},
        allow_redirects=False,
        timeout=10,
    )
    assert posted.status_code == 307 and repo.issues == []
    followed = requests.get(got.headers["Location"], headers=auth, timeout=10)
    assert followed.status_code == 200 and followed.json() == []
    fresh = requests.get(
        github_server.url("/repos/course-org/my-homework"), headers=auth, timeout=10
    )
    assert fresh.status_code == 200 and fresh.json()["id"] == repo.id


def test_cutoff_restore_collect_and_feedback_follow_a_rename(
    course: Course, github_server: GitHubTestServer, sim_clock: SimClock, tmp_path: Path
) -> None:
    client = connect(course, token=github_server.world.token, clock=sim_clock)
    roster = course.root / "roster.csv"
    publish_week(course=course, week=WEEK, client=client)
    assert provision_week(course=course, week=WEEK, roster=roster, client=client).ok
    repo = github_server.world.repo("course-org", f"{WEEK}-rita-renamer")
    assert repo is not None
    clone = github_server.clone(repo, "rita-renamer", tmp_path)
    sim_clock.set(DEADLINE - timedelta(hours=1))
    sha = clone.commit({f"{WEEK}.ipynb": "{}"})
    clone.push()
    github_server.world.rename(repo, "not-my-homework")  # away from the naming rule

    sim_clock.set(DEADLINE)
    cut = provision_week(course=course, week=WEEK, roster=roster, client=client, cutoff=True)
    assert cut.ok, [s.error for s in cut.students]
    assert repo.collaborators["rita-renamer"] == "pull"  # the rename did not escape the cutoff
    rita = next(s for s in cut.students if s.login == "rita-renamer")
    assert rita.repo == "course-org/not-my-homework"

    collected = {s.login: s for s in collect_week(course=course, week=WEEK, client=client).students}
    assert collected["rita-renamer"].sha == sha and collected["rita-renamer"].status == "collected"

    back = provision_week(course=course, week=WEEK, roster=roster, client=client, restore=True)
    assert back.ok and repo.collaborators["rita-renamer"] == "push"


def test_a_repo_renamed_before_any_collection_is_collected(
    course: Course, github_server: GitHubTestServer, sim_clock: SimClock, tmp_path: Path
) -> None:
    repos = {login: github_server.create_repo(f"{WEEK}-{login}") for login in STUDENTS}
    sim_clock.set(DEADLINE - timedelta(hours=2))
    shas = {}
    for login, repo in repos.items():
        clone = github_server.clone(repo, login, tmp_path)
        shas[login] = clone.commit({f"{WEEK}.ipynb": json.dumps({"login": login})})
        clone.push()
    github_server.world.rename(repos["rita-renamer"], "statistics-is-fun")

    sim_clock.set(DEADLINE + timedelta(hours=1))
    client = connect(course, token=github_server.world.token, clock=sim_clock)
    report = collect_week(course=course, week=WEEK, client=client)
    assert report.missing == ()  # not "no repository found"
    got = {s.login: s for s in report.students}
    assert (
        got["rita-renamer"].status == "collected"
        and got["rita-renamer"].sha == shas["rita-renamer"]
    )
    assert any("renamed" in p for p in got["rita-renamer"].problems)
    meta = load_submission_meta(course, WEEK, "rita-renamer")
    assert meta is not None and meta.repo == "course-org/statistics-is-fun"

    # renamed once more after collection: the feedback issue still lands in the repo
    github_server.world.rename(repos["rita-renamer"], "final-name")
    for login in STUDENTS:
        path = course.feedback_path(WEEK, login)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"feedback for {login}\n", encoding="utf-8")
    posted = post_feedback(course=course, week=WEEK, client=client)
    assert posted.ok and sorted(posted.posted) == sorted(STUDENTS), posted.failed
    assert [i.body.splitlines()[0] for i in repos["rita-renamer"].issues] == [
        "feedback for rita-renamer"
    ]
