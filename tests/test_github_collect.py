"""Collection at the deadline by server-side push time: 30 students, real git, real HTTP."""

from __future__ import annotations

import io
import json
import os
import tarfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from github_server import GitHubTestServer, SimClock
from github_server.coursedir import make_course

from autograder.course import Course
from autograder.github.archive import ArchiveLimits, extract_tarball
from autograder.github.client import GitHub, connect
from autograder.github.collect import CollectReport, collect_week
from autograder.github.discovery import classroom_accepted, login_from_repo
from autograder.submissions import load_submission_meta, submission_files

DEADLINE = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)
GRACE = 10  # minutes
NB = "week03.ipynb"

ON_TIME = [f"student{i:02d}" for i in range(22)] + ["kim-min-su"]
SPECIAL = [
    "late-larry",
    "force-fiona",
    "never-nate",
    "renamed-rita",
    "symlink-sam",
    "grace-gina",
    "both-bo",
]
NO_REPO = "no-repo-nick"
ROSTER = [*ON_TIME, *SPECIAL[:-1], NO_REPO]  # 30 students; both-bo is not on the roster
assert len(ROSTER) == 30

pytest_plugins = ["github_server.fixtures"]


def notebook(text: str) -> str:
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "source": text,
                    "metadata": {},
                    "outputs": [],
                    "execution_count": None,
                }
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


@dataclass
class Scenario:
    server: GitHubTestServer
    clock: SimClock
    course: Course
    client: GitHub
    shas: dict[str, str]
    early: CollectReport
    final: CollectReport
    final_requests: int
    rerun: CollectReport
    rerun_requests: int


def at(offset: timedelta, clock: SimClock) -> None:
    clock.set(DEADLINE + offset)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    tmp = tmp_path_factory.mktemp("collect")
    clock = SimClock(DEADLINE - timedelta(days=3))
    server = GitHubTestServer(tmp / "github", clock=clock).start()
    try:
        yield _build(tmp, server, clock)
    finally:
        server.stop()


def _build(tmp: Path, server: GitHubTestServer, clock: SimClock) -> Scenario:
    roster = [
        (login, str(20260000 + i), f"학생{i}", "A" if i % 2 else "B")
        for i, login in enumerate(ROSTER)
    ]
    course = Course(
        make_course(
            tmp / "course",
            server,
            deadlines={"week03": DEADLINE.isoformat()},
            grace_minutes=GRACE,
            roster=roster,
        )
    )
    repos = {login: server.create_repo(f"week03-{login}") for login in ON_TIME + SPECIAL}
    server.create_repo("week03-template", is_template=True)
    server.create_repo("week02-student00")  # another week: not ours
    clones = {login: server.clone(repo, login, tmp / "clones") for login, repo in repos.items()}
    shas: dict[str, str] = {}
    at(-timedelta(hours=5), clock)
    for i, login in enumerate(ON_TIME + ["force-fiona", "renamed-rita", "both-bo"]):
        clock.advance(seconds=30)
        shas[login] = clones[login].commit({NB: notebook(f"answer = {i}")})
        clones[login].push()
    at(-timedelta(hours=2), clock)
    sam = clones["symlink-sam"]
    shas["symlink-sam"] = sam.commit(
        {
            NB: notebook("answer = 'sam'"),
            "data/points.csv": "x,y\n1,2\n",
            "big.bin": b"\0" * 3000,
            "model.h5": "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12345\n",
            "submission.json": '{"submitted_at": "2020-01-01T00:00:00Z"}',
        },
        symlinks={"passwd": "/etc/passwd", "escape": "../../../secret", "copy.ipynb": NB},
    )
    sam.push()

    client = connect(course, token=server.world.token, clock=clock)
    at(-timedelta(minutes=30), clock)  # an early collection remembers every repo by id
    early = collect_week(course=course, week="week03", client=client, limits=SMALL)

    server.world.rename(repos["renamed-rita"], "my-statistics-homework")
    at(timedelta(minutes=5), clock)  # inside the grace period
    shas["grace-gina"] = clones["grace-gina"].commit({NB: notebook("answer = 'gina'")})
    clones["grace-gina"].push()
    at(timedelta(hours=2), clock)  # late, with a commit date forged to before the deadline
    forged = (DEADLINE - timedelta(days=1)).isoformat()
    shas["late-larry"] = clones["late-larry"].commit(
        {NB: notebook("answer = 'larry'")}, date=forged
    )
    clones["late-larry"].push()
    at(timedelta(hours=3), clock)  # rewrites history after the deadline
    shas["force-fiona-late"] = clones["force-fiona"].amend({NB: notebook("answer = 'better'")})
    clones["force-fiona"].push(force=True)
    clones["both-bo"].commit({NB: notebook("after")})
    clones["both-bo"].push()

    at(timedelta(hours=4), clock)
    server.reset_log()
    final = collect_week(course=course, week="week03", client=client, limits=SMALL)
    final_requests = len(server.requests())
    server.reset_log()
    rerun = collect_week(course=course, week="week03", client=client, limits=SMALL)
    rerun_requests = len(server.requests())
    return Scenario(
        server, clock, course, client, shas, early, final, final_requests, rerun, rerun_requests
    )


SMALL = ArchiveLimits(max_file_bytes=2000)


def by_login(report: CollectReport) -> dict[str, object]:
    return {s.login: s for s in report.students}


def test_every_on_time_student_is_collected_with_push_time(scenario: Scenario) -> None:
    result = by_login(scenario.final)
    for login in ON_TIME:
        item = result[login]
        assert item.status in ("collected", "unchanged") and not item.late
        assert item.sha == scenario.shas[login]
        meta = load_submission_meta(scenario.course, "week03", login)
        assert meta is not None and meta.time_source == "push" and meta.sha == item.sha
        assert meta.submitted_at is not None and meta.submitted_at < DEADLINE
        folder = scenario.course.submission_dir("week03", login)
        assert (
            (folder / "timestamp.txt")
            .read_text()
            .startswith(meta.submitted_at.strftime("%Y-%m-%d %H:%M:%S"))
        )
        assert set(submission_files(folder)) == {NB}
    assert result["kim-min-su"].repo == "course-org/week03-kim-min-su"


def test_backdated_commit_pushed_late_counts_late(scenario: Scenario) -> None:
    item = by_login(scenario.final)["late-larry"]
    assert item.status == "collected" and item.late and item.sha == scenario.shas["late-larry"]
    meta = load_submission_meta(scenario.course, "week03", "late-larry")
    assert meta is not None
    assert meta.submitted_at == DEADLINE + timedelta(hours=2)  # server push time, not the commit
    assert meta.time_source == "push"


def test_force_push_after_deadline_does_not_replace_the_on_time_head(scenario: Scenario) -> None:
    item = by_login(scenario.final)["force-fiona"]
    assert item.sha == scenario.shas["force-fiona"] != scenario.shas["force-fiona-late"]
    assert not item.late
    files = submission_files(scenario.course.submission_dir("week03", "force-fiona"))
    assert "better" not in files[NB].decode()


def test_grace_period_is_on_time(scenario: Scenario) -> None:
    item = by_login(scenario.final)["grace-gina"]
    assert item.status == "collected" and not item.late
    assert item.submitted_at == DEADLINE + timedelta(minutes=5)


def test_never_pushed_and_missing_repo(scenario: Scenario) -> None:
    assert by_login(scenario.final)["never-nate"].status == "never_pushed"
    assert load_submission_meta(scenario.course, "week03", "never-nate") is None
    assert scenario.final.missing == (NO_REPO,)
    assert scenario.final.not_on_roster == ("both-bo",)
    assert "both-bo" not in by_login(scenario.final)


def test_renamed_repo_is_followed_by_id(scenario: Scenario) -> None:
    item = by_login(scenario.final)["renamed-rita"]
    assert item.repo == "course-org/my-statistics-homework"
    assert item.sha == scenario.shas["renamed-rita"] and item.status == "unchanged"
    assert any("renamed" in p for p in item.problems)
    meta = load_submission_meta(scenario.course, "week03", "renamed-rita")
    assert meta is not None and meta.repo == "course-org/my-statistics-homework"


def test_unsafe_content_is_refused_with_problem_notes(scenario: Scenario) -> None:
    item = by_login(scenario.final)["symlink-sam"]
    folder = scenario.course.submission_dir("week03", "symlink-sam")
    files = submission_files(folder)
    assert set(files) == {NB, "copy.ipynb", "data/points.csv"}
    assert files["copy.ipynb"] == files[NB]  # a symlink inside the folder becomes a copy
    assert not any(p.is_symlink() for p in folder.rglob("*"))
    text = "\n".join(item.problems)
    assert "'passwd' -> '/etc/passwd' points outside" in text
    assert "'escape' -> '../../../secret' points outside" in text
    assert "'big.bin' is" in text and "limit" in text
    assert "'model.h5' is a Git LFS pointer" in text
    assert "'submission.json' has a name the grader reserves" in text
    meta = load_submission_meta(scenario.course, "week03", "symlink-sam")
    assert meta is not None and meta.problems == item.problems
    assert meta.submitted_at == DEADLINE - timedelta(hours=2)  # not the forged json


def test_rerun_fetches_only_what_changed(scenario: Scenario) -> None:
    early = by_login(scenario.early)
    final = by_login(scenario.final)
    changed = {"late-larry", "grace-gina"}  # new since the early collection
    assert {k for k, v in final.items() if v.status == "collected"} == changed
    assert early["late-larry"].status == "never_pushed"
    assert {v.status for v in scenario.rerun.students} <= {"unchanged", "never_pushed"}
    assert not scenario.server.requests("GET", "/tarball/")
    assert not scenario.server.requests("GET", "/_codeload/")


def test_requests_per_student(scenario: Scenario) -> None:
    students = len(scenario.final.students)
    # discovery (org listing, /user) + one activity request per repo + 3 per download
    per_student_rerun = scenario.rerun_requests / students
    print(
        f"\ncollect: {scenario.final_requests} requests for {students} repos "
        f"({len(by_login(scenario.early))} first-time downloads earlier); "
        f"rerun {scenario.rerun_requests} ({per_student_rerun:.2f}/student)"
    )
    assert scenario.rerun_requests <= students + 3
    assert scenario.final_requests <= students + 2 * 3 + 3


def test_first_collection_costs_three_requests_per_student(scenario: Scenario) -> None:
    collected = sum(1 for s in scenario.early.students if s.status == "collected")
    assert collected == len(ON_TIME) + 3  # force-fiona, renamed-rita, symlink-sam


def test_activity_unavailable_falls_back_to_collection_time(
    tmp_path: Path, github_server: GitHubTestServer, sim_clock: SimClock
) -> None:
    course = Course(
        make_course(tmp_path / "c", github_server, deadlines={"week03": DEADLINE.isoformat()})
    )
    repo = github_server.create_repo("week03-alice")
    clone = github_server.clone(repo, "alice", tmp_path)
    sim_clock.set(DEADLINE - timedelta(hours=1))
    sha = clone.commit({NB: notebook("1")})
    clone.push()
    github_server.world.activity_enabled = False
    sim_clock.set(DEADLINE + timedelta(hours=1))
    client = connect(course, token=github_server.world.token, clock=sim_clock)
    report = collect_week(course=course, week="week03", client=client)
    (item,) = report.students
    assert item.sha == sha and item.time_source == "collection" and item.late
    meta = load_submission_meta(course, "week03", "alice")
    assert meta is not None and meta.submitted_at == DEADLINE + timedelta(hours=1)
    assert meta.pushed_at is None


def test_hostile_archive_paths_are_refused(
    tmp_path: Path, github_server: GitHubTestServer, sim_clock: SimClock
) -> None:
    course = Course(
        make_course(tmp_path / "c", github_server, deadlines={"week03": DEADLINE.isoformat()})
    )
    repo = github_server.create_repo("week03-mallory")
    clone = github_server.clone(repo, "mallory", tmp_path)
    sim_clock.set(DEADLINE - timedelta(hours=1))
    sha = clone.commit({NB: notebook("1")})
    clone.push()
    github_server.tarball_overrides[sha] = crafted_tar(
        {
            "top/week03.ipynb": b"{}",
            "top/../../escaped.txt": b"owned",
            "/etc/cron.d/x": b"x",
            "top/sub/../../../up.txt": b"x",
        }
    )
    client = connect(course, token=github_server.world.token, clock=sim_clock)
    (item,) = collect_week(course=course, week="week03", client=client).students
    assert item.status == "collected"
    assert sum("leaves the submission folder" in p for p in item.problems) == 3
    folder = course.submission_dir("week03", "mallory")
    assert set(submission_files(folder)) == {"week03.ipynb"}
    assert not (tmp_path / "escaped.txt").exists()


def crafted_tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_oversized_repository_is_refused_as_a_whole() -> None:
    data = crafted_tar({f"top/f{i}.txt": b"x" * 100 for i in range(20)})
    out = extract_tarball(data, ArchiveLimits(max_total_bytes=1000))
    assert out.refused and out.files == {}
    assert "larger than" in out.problems[-1]


def test_login_split_on_known_prefix() -> None:
    assert login_from_repo("week03-kim-min-su", "week03") == "kim-min-su"
    assert login_from_repo("hw-3-octo", "hw-3") == "octo"
    assert login_from_repo("week03-template", "week03") is None
    assert login_from_repo("week030-bob", "week03") is None
    assert login_from_repo("week03-bad_login!", "week03") is None


def test_classroom_gone_is_quiet(
    github_server: GitHubTestServer, tmp_path: Path, sim_clock: SimClock
) -> None:
    course = Course(
        make_course(tmp_path / "c", github_server, deadlines={"week03": DEADLINE.isoformat()})
    )
    client = connect(course, token=github_server.world.token, clock=sim_clock)
    assert classroom_accepted(client, 12) is None
    assert [r.status for r in github_server.requests("GET", "/assignments/")] == [410]


def test_activity_pages_are_followed_until_the_deadline(
    tmp_path: Path, github_server: GitHubTestServer, sim_clock: SimClock
) -> None:
    course = Course(
        make_course(tmp_path / "c", github_server, deadlines={"week03": DEADLINE.isoformat()})
    )
    repo = github_server.create_repo("week03-busy")
    clone = github_server.clone(repo, "busy", tmp_path)
    sim_clock.set(DEADLINE - timedelta(hours=1))
    on_time = clone.commit({NB: notebook("on time")})
    clone.push()
    sim_clock.set(DEADLINE + timedelta(hours=1))
    late = clone.commit({NB: notebook("late")})
    clone.push()
    template = repo.activity[-1]
    for i in range(150):  # a busy branch after the deadline: the log spans two pages
        repo.activity.append(replace(template, id=10_000 + i, timestamp=template.timestamp + i + 1))
    client = connect(course, token=github_server.world.token, clock=sim_clock)
    (item,) = collect_week(course=course, week="week03", client=client).students
    assert item.sha == on_time != late and not item.late
    pages = github_server.requests("GET", "/activity$")
    assert len(pages) == 2 and "after=" in pages[1].query  # the Link header's cursor


def test_oversized_download_is_refused_with_a_note(
    tmp_path: Path, github_server: GitHubTestServer, sim_clock: SimClock
) -> None:
    course = Course(
        make_course(tmp_path / "c", github_server, deadlines={"week03": DEADLINE.isoformat()})
    )
    repo = github_server.create_repo("week03-huge")
    clone = github_server.clone(repo, "huge", tmp_path)
    sim_clock.set(DEADLINE - timedelta(hours=1))
    clone.commit({NB: notebook("x"), "data.bin": os.urandom(30_000)})
    clone.push()
    client = connect(course, token=github_server.world.token, clock=sim_clock)
    limits = ArchiveLimits(max_download_bytes=10_000)
    (item,) = collect_week(course=course, week="week03", client=client, limits=limits).students
    assert item.status == "collected" and "over 10 KB; not collected" in item.problems[0]
    assert submission_files(course.submission_dir("week03", "huge")) == {}
