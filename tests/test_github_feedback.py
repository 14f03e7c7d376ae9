"""Feedback issues: one per student per week, exactly once, paced, across faults and crashes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from github_server import GitHubTestServer, SimClock
from github_server.coursedir import make_course
from sqlalchemy import insert

from autograder.course import Course
from autograder.github.client import GitHub, connect
from autograder.github.feedback import marker, post_feedback
from autograder.github.outbox import OutboxRow
from autograder.github.pacing import HOUR, MINUTE, PaceLimits, WritePacer
from autograder.github.repos import repos
from autograder.github.store import SCHEMAS
from autograder.submissions import SubmissionMeta, store_submission
from autograder.workspace_db import workspace_engine

WEEK = "week03"
DEADLINE = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)

pytest_plugins = ["github_server.fixtures"]


@dataclass
class Env:
    server: GitHubTestServer
    clock: SimClock
    course: Course
    logins: list[str]

    def client(self, limits: PaceLimits | None = None) -> GitHub:
        return connect(self.course, token=self.server.world.token, clock=self.clock, limits=limits)

    def feedback(self, login: str, text: str, score: float = 7, max_score: float = 10) -> None:
        path = self.course.feedback_path(WEEK, login)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        result = self.course.result_path(WEEK, login)
        result.parent.mkdir(parents=True, exist_ok=True)
        result.write_text(
            json.dumps(
                {"schema_version": 1, "student": login, "score": score, "max_score": max_score}
            )
        )

    def issues(self, login: str) -> list:
        repo = self.server.world.repo("course-org", f"{WEEK}-{login}")
        assert repo is not None
        return repo.issues


def make_env(
    tmp_path: Path, server: GitHubTestServer, clock: SimClock, n: int, *, stored: bool = True
) -> Env:
    """n students with rendered feedback; their repos known from a stored submission, or
    (faster, for big runs) from the repo map a discovery leaves behind."""
    course = Course(
        make_course(tmp_path / "course", server, deadlines={WEEK: DEADLINE.isoformat()})
    )
    logins = [f"s{i:03d}-kim" for i in range(n)]
    env = Env(server, clock, course, logins)
    rows = []
    for login in logins:
        repo = server.create_repo(f"{WEEK}-{login}")
        if stored:
            meta = SubmissionMeta(
                login=login,
                week=WEEK,
                source="github",
                submitted_at=DEADLINE,
                time_source="push",
                repo=repo.full_name,
                sha="0" * 40,
            )
            store_submission(course, meta, {f"{WEEK}.ipynb": b"{}"})
        rows.append(
            {
                "week": WEEK,
                "login": login,
                "repo_id": repo.id,
                "full_name": repo.full_name,
                "default_branch": "main",
            }
        )
        env.feedback(login, f"## {WEEK} 결과\n\n{login}: 7/10\n")
    if not stored:
        with workspace_engine(course.db_url, *SCHEMAS).begin() as conn:
            conn.execute(insert(repos), rows)
    clock.set(DEADLINE + timedelta(hours=5))
    return env


@pytest.fixture
def env(tmp_path: Path, github_server: GitHubTestServer, sim_clock: SimClock) -> Env:
    return make_env(tmp_path, github_server, sim_clock, 6)


def writes(server: GitHubTestServer) -> list:
    return [r for r in server.requests() if r.method in ("POST", "PATCH", "PUT", "DELETE")]


def test_one_issue_per_student_found_again_by_marker(env: Env) -> None:
    report = post_feedback(course=env.course, week=WEEK, client=env.client())
    assert report.ok and sorted(report.posted) == env.logins
    for login in env.logins:
        (issue,) = env.issues(login)
        assert issue.labels == ["autograder", WEEK]
        assert issue.title == f"[autograder] {WEEK} 채점 결과"
        assert f"{login}: 7/10" in issue.body and marker(WEEK, login) in issue.body
    # students may retitle and relabel; nothing is posted twice
    first = env.issues(env.logins[0])[0]
    first.title, first.labels = "my notes", []
    env.server.reset_log()
    again = post_feedback(course=env.course, week=WEEK, client=env.client())
    assert sorted(again.unchanged) == env.logins and again.writes == 0
    assert writes(env.server) == []


def test_regrade_edits_the_issue_and_comments_once(env: Env) -> None:
    post_feedback(course=env.course, week=WEEK, client=env.client())
    login = env.logins[2]
    number = env.issues(login)[0].number
    env.feedback(login, "## 재채점\n\n9/10\n", score=9)
    env.server.faults.add("secondary:45", methods=frozenset({"PATCH"}))  # PATCH honours it too
    env.server.reset_log()
    before = env.clock.time()
    report = post_feedback(course=env.course, week=WEEK, client=env.client())
    assert report.posted == (login,)
    (issue,) = env.issues(login)
    assert issue.number == number and "재채점" in issue.body and marker(WEEK, login) in issue.body
    (comment,) = issue.comments
    assert "재채점" in comment.body and "7/10 → 9/10" in comment.body
    assert env.clock.time() - before >= 45
    assert [(r.method, r.status) for r in writes(env.server)] == [
        ("PATCH", 403),
        ("PATCH", 200),
        ("POST", 201),
    ]
    # requests for a regrade: no search, the issue number is known
    assert not env.server.requests("GET", "/issues$")
    env.server.reset_log()
    assert post_feedback(course=env.course, week=WEEK, client=env.client()).writes == 0


def test_flaky_server_no_duplicates_all_posted(
    tmp_path: Path, github_server: GitHubTestServer, sim_clock: SimClock
) -> None:
    env = make_env(tmp_path, github_server, sim_clock, 12)
    # every third write fails for a while, in every way GitHub fails ...
    github_server.faults.add("secondary:30,429:5,secondary,primary,502", every=3, times=6)
    # ... and some creates succeed on the server while the client is told 502
    github_server.faults.add(
        "502", methods=frozenset({"POST"}), path="/issues$", every=2, times=3, after_effect=True
    )
    start = sim_clock.time()
    report = post_feedback(course=env.course, week=WEEK, client=env.client())
    assert report.ok and sorted(report.posted) == env.logins
    for login in env.logins:
        assert len(env.issues(login)) == 1
    statuses = [r.status for r in writes(github_server)]
    assert statuses.count(403) >= 3 and 429 in statuses and statuses.count(502) >= 3
    assert sim_clock.time() - start >= 30 + 5 + 60  # waited on the (simulated) clock


class Crash(BaseException):
    """Stands for the process dying: nothing after it runs, no handler catches it."""


def crash_at(step: str, login: str):
    def on_step(name: str, row: OutboxRow) -> None:
        if name == step and row.login == login:
            raise Crash(step)

    return on_step


def test_killed_after_create_before_recording(env: Env) -> None:
    victim = env.logins[3]
    with pytest.raises(Crash):
        post_feedback(
            course=env.course,
            week=WEEK,
            client=env.client(),
            on_step=crash_at("after_create", victim),
        )
    assert len(env.issues(victim)) == 1 and env.issues(env.logins[4]) == []
    env.server.reset_log()
    report = post_feedback(course=env.course, week=WEEK, client=env.client())
    assert report.ok
    for login in env.logins:
        assert len(env.issues(login)) == 1
    assert not env.server.requests("POST", f"{WEEK}-{victim}/issues$")  # found by marker


def test_killed_after_comment_before_recording(env: Env) -> None:
    post_feedback(course=env.course, week=WEEK, client=env.client())
    victim = env.logins[1]
    env.feedback(victim, "## 재채점\n", score=8)
    with pytest.raises(Crash):
        post_feedback(
            course=env.course,
            week=WEEK,
            client=env.client(),
            on_step=crash_at("after_comment", victim),
        )
    post_feedback(course=env.course, week=WEEK, client=env.client())
    (issue,) = env.issues(victim)
    assert len(issue.comments) == 1 and "7/10 → 8/10" in issue.comments[0].body


SCRIPT = """
import sys
from autograder.course import Course
from autograder.github.client import connect
from autograder.github.feedback import post_feedback
from autograder.github.pacing import PaceLimits
course = Course(sys.argv[1])
client = connect(course, token=sys.argv[2], limits=PaceLimits(min_interval=0.15))
post_feedback(course=course, week=sys.argv[3], client=client)
"""


def test_sigkill_mid_posting_then_restart(
    tmp_path: Path, github_server: GitHubTestServer, sim_clock: SimClock
) -> None:
    env = make_env(tmp_path, github_server, sim_clock, 12)
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(env.course.root), github_server.world.token, WEEK]
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if len(github_server.world.all_issues()) >= 4:
            break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    posted = len(github_server.world.all_issues())
    assert 4 <= posted < len(env.logins)
    report = post_feedback(course=env.course, week=WEEK, client=env.client())
    assert report.ok
    for login in env.logins:
        assert len(env.issues(login)) == 1


def test_300_issues_under_the_pacing(
    tmp_path: Path, github_server: GitHubTestServer, sim_clock: SimClock
) -> None:
    env = make_env(tmp_path, github_server, sim_clock, 300, stored=False)
    github_server.reset_log()
    start = sim_clock.time()
    report = post_feedback(course=env.course, week=WEEK, client=env.client())
    elapsed = sim_clock.time() - start
    assert report.ok and len(report.posted) == 300
    created = sorted(i.created_at for _, i in github_server.world.all_issues())
    assert len(created) == 300
    assert max(_window(created, MINUTE)) <= 75
    per_student = len(github_server.requests()) / 300
    print(
        f"\nfeedback: 300 issues posted in {elapsed:.0f} s of simulated time; "
        f"{per_student:.2f} requests per student on first posting"
    )
    assert 290 <= elapsed <= 320  # one write a second: the binding limit below 80/min
    assert per_student <= 2.01  # search by marker + create (+ one /user per run)


def _window(times: list[float], width: float) -> list[int]:
    counts, j = [], 0
    for i, t in enumerate(times):
        while times[j] <= t - width:
            j += 1
        counts.append(i - j + 1)
    return counts


def test_pacer_respects_minute_and_hour_windows(sim_clock: SimClock) -> None:
    pacer = WritePacer(clock=sim_clock, limits=PaceLimits(min_interval=0.0))
    stamps = []
    for _ in range(1000):
        pacer.acquire()
        stamps.append(sim_clock.time())
    assert max(_window(stamps, MINUTE)) <= 75
    assert max(_window(stamps, HOUR)) <= 480
    assert stamps[-1] - stamps[0] >= 2 * HOUR


def test_pacing_survives_a_restart(env: Env) -> None:
    limits = PaceLimits(per_minute=100, per_hour=4, min_interval=0)
    post_feedback(course=env.course, week=WEEK, client=env.client(limits), logins=env.logins[:4])
    start = env.clock.time()
    post_feedback(course=env.course, week=WEEK, client=env.client(limits), logins=env.logins[4:5])
    assert env.clock.time() - start >= HOUR - 5  # the new process knew of the last hour's writes
