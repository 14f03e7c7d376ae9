"""`autograder watch`: polling with conditional requests (ETag / If-None-Match -> 304),
the same queue as `serve`; and both commands run for real as subprocesses."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from github_server import GitHubTestServer, SimClock
from github_server.coursedir import make_course
from test_webhooks import (
    DEADLINE,
    SECRET,
    START,
    WEEK,
    Env,
    FakeGrader,
    _demo_course,
    deliver,
    make_app,
)

from autograder.continuous.webhook import WebhookServer
from autograder.course import Course
from autograder.github.clock import RealClock

pytest_plugins = ["github_server.fixtures"]

REPOS = 100
POLL_S = 60


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    clock = SimClock(START)
    server = GitHubTestServer(tmp_path / "github", clock=clock).start()
    course = Course(
        make_course(tmp_path / "course", server, deadlines={WEEK: DEADLINE.isoformat()})
    )
    grader = FakeGrader(course)
    app = make_app(course, server, clock, grader)
    hook = WebhookServer(intake=app.intake, secret=SECRET, port=0).start()
    environment = Env(tmp_path, server, clock, course, grader, app, hook)
    try:
        yield environment
    finally:
        hook.stop()
        server.stop()


def counted(server: GitHubTestServer) -> int:
    return 5000 - server.rate_remaining


def test_idle_polls_of_100_repos_cost_no_rate_limit(env: Env) -> None:
    for i in range(REPOS):
        env.student(f"s{i:03d}")
    for login in ("s000", "s050", "s099"):
        env.push(login, "work", webhook=False)
    env.server.create_repo("week03-template", is_template=True)
    env.server.create_repo("lecture-notes")
    start = env.app.reconcile()  # at start: every student repo's activity, once
    assert start.repos == REPOS and sorted(start.queued) == [
        (WEEK, "s000"),
        (WEEK, "s050"),
        (WEEK, "s099"),
    ]
    assert start.requests == 2 + REPOS  # two listing pages (102 repos) + one activity log each
    env.clock.advance(seconds=31)
    assert len(env.app.worker.step()) == 3
    env.server.reset_log()
    used = counted(env.server)
    polls = 10
    for _ in range(polls):
        env.clock.advance(seconds=POLL_S)
        report = env.app.poller.poll()
        assert report.queued == [] and report.checked == 0
    log = env.server.requests()
    assert len(log) == 2 * polls and {r.status for r in log} == {304}
    assert counted(env.server) == used  # 304s are free
    per_hour = len(log) / polls * 3600 / POLL_S
    print(
        f"\nidle polling, {REPOS} student repos (+2 others) every {POLL_S} s: "
        f"{per_hour:.0f} requests/hour, {counted(env.server) - used} counted against the limit"
    )


def test_a_push_is_found_by_the_next_poll_and_graded_once(env: Env) -> None:
    for login in ("alice", "bob"):
        env.student(login)
    env.app.reconcile()
    env.server.reset_log()
    used = counted(env.server)
    sha = env.push("alice", "polled", webhook=False)
    env.clock.advance(seconds=POLL_S)
    report = env.app.poller.poll()
    assert report.queued == [(WEEK, "alice")] and report.checked == 1
    assert [(r.status, r.path.rsplit("/", 1)[-1]) for r in env.server.requests("GET")] == [
        (200, "repos"),
        (200, "activity"),
    ]
    assert counted(env.server) - used == 2  # the hook post is not an API call
    assert env.app.poller.poll().queued == []  # the next poll: nothing new
    env.clock.advance(seconds=31)
    (outcome,) = env.app.worker.step()
    assert outcome.sha == sha and env.grader.calls == [(WEEK, "alice", sha)]
    (job,) = env.app.queue.all()
    assert job.received_at == env.repos["alice"].activity[-1].timestamp  # GitHub's push time


def test_webhook_and_poll_of_the_same_push_grade_once(env: Env) -> None:
    env.student("alice")
    env.app.reconcile()
    env.push("alice", "both", webhook=True)
    env.clock.advance(seconds=5)
    assert env.app.poller.poll().queued == []  # already queued by the webhook
    env.clock.advance(seconds=60)
    env.app.worker.step()
    env.clock.advance(seconds=60)
    env.app.poller.poll()
    env.app.worker.step()
    assert len(env.grader.calls) == 1


def test_new_repo_without_pushes_costs_no_activity_request(env: Env) -> None:
    env.student("alice")
    env.app.reconcile()
    env.server.reset_log()
    env.student("newcomer")  # accepted the assignment: the listing changes
    report = env.app.poller.poll()
    assert report.repos == 2 and report.checked == 0 and report.queued == []
    assert not env.server.requests("GET", "/activity$")


def test_test_server_etags(env: Env) -> None:
    import requests

    url = env.server.url(f"/orgs/{env.server.world.org}/repos")
    auth = {"Authorization": f"token {env.server.world.token}"}
    first = requests.get(url, headers=auth, timeout=5)
    etag = first.headers["ETag"]
    again = requests.get(url, headers={**auth, "If-None-Match": etag}, timeout=5)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["x-ratelimit-remaining"] == first.headers["x-ratelimit-remaining"]
    env.student("alice")
    changed = requests.get(url, headers={**auth, "If-None-Match": etag}, timeout=5)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


# -- the commands, as the instructor runs them --------------------------------------------------


def _spawn(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "autograder.cli", *args],
        cwd=cwd,
        env={**os.environ, **env, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out


def test_watch_command_grades_a_push_for_real(tmp_path: Path) -> None:
    server = GitHubTestServer(tmp_path / "github", clock=RealClock()).start()  # type: ignore[arg-type]
    course = _demo_course(tmp_path, server)
    repo = server.create_repo("demo01-bob")
    clone = server.clone(repo, "bob", tmp_path)
    proc = _spawn(
        [
            "--course",
            str(course.root),
            "watch",
            "--interval",
            "5",
            "--runner",
            "process",
            "--debounce",
            "0",
        ],
        tmp_path,
        {"GITHUB_TOKEN": server.world.token},
    )
    try:
        time.sleep(2)
        from tests.conftest import filled

        sha = clone.commit({"demo01.ipynb": nbformat.writes(filled(course))})
        clone.push()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not (
            repo.issues and f"`{sha[:7]}`" in repo.issues[0].body
        ):
            assert proc.poll() is None, proc.communicate()[0]
            time.sleep(0.2)
    finally:
        out = _stop(proc)
        server.stop()
    assert repo.issues, out
    assert "점검 결과 (마감 전)" in repo.issues[0].body and "6 / 6" in repo.issues[0].body
    assert "reconciliation:" in out


def test_serve_command_needs_a_secret_and_answers_pings(tmp_path: Path) -> None:
    server = GitHubTestServer(tmp_path / "github", clock=RealClock()).start()  # type: ignore[arg-type]
    course = _demo_course(tmp_path, server)
    token = {"GITHUB_TOKEN": server.world.token}
    try:
        bare = _spawn(["--course", str(course.root), "serve", "--port", "0"], tmp_path, token)
        out, _ = bare.communicate(timeout=60)
        assert bare.returncode == 2 and "AUTOGRADER_WEBHOOK_SECRET" in out
        proc = _spawn(
            ["--course", str(course.root), "serve", "--port", "0", "--runner", "process"],
            tmp_path,
            {**token, "AUTOGRADER_WEBHOOK_SECRET": SECRET.decode()},
        )
        assert proc.stdout is not None
        url = None
        started = time.monotonic()
        while url is None and time.monotonic() - started < 60:
            line = proc.stdout.readline()
            match = re.search(r"listening on (http://\S+)", line)
            url = match.group(1) if match else None
            assert line or proc.poll() is None
        assert url, "serve never printed its address"
        status, body, elapsed = deliver(url, b'{"zen": "hi"}', event="ping")
        assert (status, body) == (200, {"status": "pong"}) and elapsed < 1
        status, _, _ = deliver(url, b'{"zen": "hi"}', event="ping", secret=b"wrong")
        assert status == 403
        _stop(proc)
    finally:
        server.stop()
