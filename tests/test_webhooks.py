"""`autograder serve`: signed push webhooks over real HTTP on 127.0.0.1, a persistent queue,
debounce, rate limit, reconciliation and the final run; real git pushes to the test server.

Most tests inject the grade function (counting calls) and drive the worker with a simulated
clock; `test_end_to_end_demo_course` really grades the demo course with the process runner.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat
import pytest
from github_server import GitHubTestServer, SimClock
from github_server.coursedir import make_course
from github_server.state import Repo

from autograder.continuous.app import Continuous, build
from autograder.continuous.signature import sign, verify_signature
from autograder.continuous.webhook import WebhookServer
from autograder.continuous.worker import grade_with_runner
from autograder.course import Course
from autograder.github.client import connect
from autograder.github.clock import RealClock
from autograder.github.feedback import marker
from autograder.nbgrader_adapter import release_week
from autograder.results import MetricResult, SubmissionResult
from autograder.results import TestResult as Check
from autograder.submissions import load_submission_meta
from gpu_runner.runners import ProcessRunner

pytest_plugins = ["github_server.fixtures"]

SECRET = b"It's a Secret to Everybody"
VECTOR_BODY = b"Hello, World!"
VECTOR_SIG = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
WEEK = "week03"
DEADLINE = datetime(2026, 9, 10, 15, 0, tzinfo=UTC)
START = DEADLINE - timedelta(days=3)
NB = "week03.ipynb"
REPO_ROOT = Path(__file__).resolve().parent.parent


# -- HTTP helpers ----------------------------------------------------------------------------


def post(
    url: str, body: bytes, headers: dict[str, str], timeout: float = 10
) -> tuple[int, dict, float]:
    parts = url.split("/", 3)
    host, port = parts[2].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    started = time.monotonic()
    try:
        conn.request("POST", "/" + parts[3], body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    elapsed = time.monotonic() - started
    return response.status, (json.loads(data) if data else {}), elapsed


def push_payload(
    repo: Repo, *, before: str, after: str, ref: str | None = None, deleted: bool = False
) -> bytes:
    """A push payload in GitHub's shape (the fields the grader reads, and a few more)."""
    return json.dumps(
        {
            "ref": ref or f"refs/heads/{repo.default_branch}",
            "before": before,
            "after": after,
            "created": False,
            "deleted": deleted,
            "forced": False,
            "repository": {
                "id": repo.id,
                "name": repo.name,
                "full_name": repo.full_name,
                "default_branch": repo.default_branch,
                "pushed_at": int(time.time()),
                "owner": {"login": repo.owner},
            },
            "pusher": {"name": "student", "email": "s@example.com"},
            "sender": {"login": "student"},
            "head_commit": None if deleted else {"id": after, "timestamp": "2020-01-01T00:00:00Z"},
            "commits": [],
        }
    ).encode()


def deliver(
    url: str,
    body: bytes,
    *,
    event: str = "push",
    delivery: str | None = None,
    secret: bytes = SECRET,
    signature: str | None = None,
) -> tuple[int, dict, float]:
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "User-Agent": "GitHub-Hookshot/test",
        "X-Hub-Signature-256": signature if signature is not None else sign(secret, body),
    }
    return post(url, body, headers)


def notebook(text: str) -> str:
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(text)]))


# -- the environment ---------------------------------------------------------------------------


@dataclass
class FakeGrader:
    """Stands in for the sandboxed run: records what it was asked to grade."""

    course: Course
    calls: list[tuple[str, str, str | None]] = field(default_factory=list)
    gate: threading.Event | None = None  # when set, grading waits for it (a long job)

    def __call__(self, week: str, login: str) -> tuple[SubmissionResult, bool]:
        meta = load_submission_meta(self.course, week, login)
        sha = meta.sha if meta else None
        self.calls.append((week, login, sha))
        if self.gate is not None:
            assert self.gate.wait(30), "the test never released the grading job"
        return (
            SubmissionResult(
                assignment=week,
                student=login,
                status="graded",
                score=6.0,
                max_score=10.0,
                tests=(
                    Check("squares", NB, 1, 1, "passed"),
                    Check("mean", NB, 0, 1, "failed", message="AssertionError: 2 != 3"),
                    Check("secret_edge", NB, 2, 2, "passed", hidden=True),
                    Check("secret_big", NB, 0, 3, "failed", hidden=True, message="큰 입력"),
                ),
                metrics=(MetricResult("auc", "roc_auc", 0.97, 0.99, 0.9, 3.0, 3.0),),
                sha=sha,
            ),
            True,
        )


@dataclass
class Env:
    tmp: Path
    server: GitHubTestServer
    clock: SimClock
    course: Course
    grader: FakeGrader
    app: Continuous
    hook: WebhookServer
    clones: dict = field(default_factory=dict)
    repos: dict = field(default_factory=dict)

    def restart(self) -> None:
        """A new process: fresh objects over the same workspace database."""
        self.hook.stop()
        self.app = make_app(self.course, self.server, self.clock, self.grader)
        self.hook = WebhookServer(intake=self.app.intake, secret=SECRET, port=0).start()

    def student(self, login: str) -> Repo:
        if login not in self.repos:
            self.repos[login] = self.server.create_repo(f"{WEEK}-{login}")
            self.clones[login] = self.server.clone(self.repos[login], login, self.tmp / "clones")
        return self.repos[login]

    def push(self, login: str, text: str, *, webhook: bool = True) -> str:
        """A real git push to the test server, then (like GitHub) the signed webhook."""
        repo = self.student(login)
        before = repo.git.head("main") or "0" * 40
        sha = self.clones[login].commit({NB: notebook(text)})
        self.clones[login].push()
        if webhook:
            status, body, _ = deliver(self.hook.url, push_payload(repo, before=before, after=sha))
            assert status == 202 and body["status"] == "queued", body
        return sha

    def issues(self, login: str) -> list:
        return self.repos[login].issues


def make_app(course: Course, server: GitHubTestServer, clock: SimClock, grade) -> Continuous:
    client = connect(course, token=server.world.token, clock=clock)
    poll_client = connect(course, token=server.world.token, clock=clock)
    return build(
        course,
        grade=grade,
        client=client,
        poll_client=poll_client,
        clock=clock,
        debounce_s=30,
        max_wait_s=300,
    )


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
        environment.app.stop_worker(timeout=10)
        environment.hook.stop()
        server.stop()


def nothing_happened(env: Env) -> None:
    env.clock.advance(hours=1)
    assert env.app.worker.step() == []
    assert env.app.queue.all() == [] and env.app.queue.delivery_count() == 0
    assert env.grader.calls == []


# -- signature and refusals ----------------------------------------------------------------------


def test_official_test_vector_verifies() -> None:
    assert sign(SECRET, VECTOR_BODY) == VECTOR_SIG
    assert verify_signature(SECRET, VECTOR_BODY, VECTOR_SIG)
    assert not verify_signature(SECRET, VECTOR_BODY + b" ", VECTOR_SIG)
    assert not verify_signature(b"It's a secret to everybody", VECTOR_BODY, VECTOR_SIG)
    assert not verify_signature(SECRET, VECTOR_BODY, None)
    assert not verify_signature(SECRET, VECTOR_BODY, VECTOR_SIG.replace("sha256=", "sha1="))
    assert not verify_signature(b"", VECTOR_BODY, sign(b"", VECTOR_BODY))


def test_official_vector_over_http_passes_the_signature_but_is_not_json(env: Env) -> None:
    status, body, elapsed = deliver(env.hook.url, VECTOR_BODY, signature=VECTOR_SIG)
    assert status == 400 and body == {"error": "body is not JSON"}  # not 403: it verified
    assert elapsed < 1
    nothing_happened(env)


@pytest.mark.parametrize("case", ["tampered", "wrong_secret", "missing", "sha1", "empty"])
def test_bad_signatures_are_refused_before_parsing(env: Env, case: str) -> None:
    repo = env.student("alice")
    body = push_payload(repo, before="0" * 40, after="a" * 40)
    kwargs: dict = {}
    if case == "tampered":
        kwargs["signature"] = sign(SECRET, body)
        body = body.replace(b"alice", b"mallory")
    elif case == "wrong_secret":
        kwargs["secret"] = b"not the secret"
    elif case == "missing":
        kwargs["signature"] = ""
    elif case == "sha1":
        kwargs["signature"] = "sha1=" + sign(SECRET, body)[7:47]
    elif case == "empty":
        body = b"{not json"
        kwargs["signature"] = "sha256="
    status, answer, _ = deliver(env.hook.url, body, **kwargs)
    assert status == 403 and answer == {"error": "bad or missing signature"}
    nothing_happened(env)


def test_missing_signature_header_entirely(env: Env) -> None:
    body = b'{"zen": "Keep it logically awesome."}'
    status, _, _ = post(env.hook.url, body, {"X-GitHub-Event": "ping", "X-GitHub-Delivery": "d-1"})
    assert status == 403
    nothing_happened(env)


def test_thirty_megabyte_body_is_refused_unread(env: Env) -> None:
    size = 30 * 1024 * 1024
    with socket.create_connection((env.hook.host, env.hook.port), timeout=5) as sock:
        started = time.monotonic()
        sock.sendall(
            (
                "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"X-GitHub-Event: push\r\nX-GitHub-Delivery: big\r\n"
                f"X-Hub-Signature-256: sha256={'0' * 64}\r\nContent-Length: {size}\r\n\r\n"
            ).encode()
            + b"{" * 65536  # only 64 KB of the 30 MB are ever sent
        )
        reply = sock.recv(4096).decode()
        elapsed = time.monotonic() - started
        assert reply.startswith("HTTP/1.1 413"), reply
        assert "Connection: close" in reply
    assert elapsed < 1
    nothing_happened(env)


def test_chunked_body_without_length_is_refused(env: Env) -> None:
    with socket.create_connection((env.hook.host, env.hook.port), timeout=5) as sock:
        sock.sendall(
            b"POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"2\r\n{}\r\n0\r\n\r\n"
        )
        assert sock.recv(4096).decode().startswith("HTTP/1.1 411")
    nothing_happened(env)


def test_ping_other_events_and_ignored_pushes(env: Env) -> None:
    status, body, _ = deliver(env.hook.url, b'{"zen": "hi", "hook_id": 1}', event="ping")
    assert (status, body) == (200, {"status": "pong"})
    status, body, _ = deliver(env.hook.url, b'{"action": "opened"}', event="issues")
    assert status == 202 and body["status"] == "ignored"
    alice = env.student("alice")
    other = env.server.create_repo("week03-bob", owner="someone-else")
    stray = env.server.create_repo("lecture-notes")
    cases = {
        "deleted": push_payload(alice, before="a" * 40, after="0" * 40, deleted=True),
        "branch": push_payload(alice, before="a" * 40, after="b" * 40, ref="refs/heads/draft"),
        "other org": push_payload(other, before="a" * 40, after="b" * 40),
        "not a student repo": push_payload(stray, before="a" * 40, after="b" * 40),
        "template": push_payload(
            env.server.create_repo("week03-template", is_template=True),
            before="a" * 40,
            after="b" * 40,
        ),
    }
    for name, payload in cases.items():
        status, body, _ = deliver(env.hook.url, payload)
        assert status == 202 and body["status"] == "ignored", (name, body)
    status, body, _ = deliver(env.hook.url, b"[1, 2]")
    assert status == 400
    env.clock.advance(hours=1)
    assert env.app.worker.step() == [] and env.app.queue.all() == []
    assert env.grader.calls == []
    assert env.app.queue.delivery_count() == 1 + len(cases)  # the ping and the ignored pushes


def test_non_post_and_unknown_paths(env: Env) -> None:
    status, _, _ = post(env.hook.url.replace("/webhook", "/other"), b"{}", {})
    assert status == 404
    conn = http.client.HTTPConnection(env.hook.host, env.hook.port, timeout=5)
    conn.request("GET", "/healthz")
    response = conn.getresponse()
    assert response.status == 200 and json.loads(response.read())["status"] == "ok"
    conn.close()


# -- the queue ------------------------------------------------------------------------------------


def test_push_is_graded_and_feedback_follows_the_check_policy(env: Env) -> None:
    sha = env.push("alice", "answer = 1")
    assert env.app.worker.step() == []  # debounced: not yet
    env.clock.advance(seconds=31)
    (outcome,) = env.app.worker.step()
    assert outcome.status == "graded" and not outcome.final and outcome.posted
    assert env.grader.calls == [(WEEK, "alice", sha)]
    meta = load_submission_meta(env.course, WEEK, "alice")
    assert meta is not None and meta.sha == sha and meta.time_source == "push"
    (issue,) = env.issues("alice")
    body = issue.body
    assert marker(WEEK, "alice") in body
    assert "점검 결과 (마감 전)" in body and f"`{sha[:7]}`" in body
    assert "`squares`" in body and "AssertionError: 2 != 3" in body  # public tests in full
    assert "1 / 2 통과" in body  # hidden tests as a count
    assert "secret_edge" not in body and "secret_big" not in body and "큰 입력" not in body
    assert "roc_auc" in body  # thresholds shown by default
    assert "10분" in body


def test_hidden_policy_hides_thresholds_and_score(env: Env) -> None:
    toml = env.course.solutions_dir / WEEK / "assignment.toml"
    toml.write_text(
        toml.read_text()
        + '\n[check]\nhidden_tests = "hidden"\nthresholds = "hidden"\npublic_tests = "count"\n'
    )
    env.app.course._weeks.clear()  # re-read assignment.toml
    env.push("alice", "x")
    env.clock.advance(seconds=31)
    env.app.worker.step()
    body = env.issues("alice")[0].body
    assert "1 / 2 통과" in body  # public tests as a count
    assert "`squares`" not in body and "roc_auc" not in body and "0.97" not in body
    assert "마감 후에 공개" in body and "현재 점수" not in body


def test_redelivered_delivery_is_graded_once(env: Env) -> None:
    repo = env.student("alice")
    sha = env.push("alice", "answer = 1", webhook=False)
    payload = push_payload(repo, before="0" * 40, after=sha)
    first = deliver(env.hook.url, payload, delivery="delivery-1")
    again = deliver(env.hook.url, payload, delivery="delivery-1")
    assert first[0] == 202 and first[1]["status"] == "queued"
    assert again[0] == 200 and again[1]["status"] == "duplicate"
    env.clock.advance(minutes=1)
    env.app.worker.step()
    later = deliver(env.hook.url, payload, delivery="delivery-1")  # redelivered after grading
    assert later[1]["status"] == "duplicate"
    env.clock.advance(hours=1)
    env.app.worker.step()
    assert env.grader.calls == [(WEEK, "alice", sha)]
    assert len(env.issues("alice")) == 1 and env.issues("alice")[0].comments == []


def test_ten_quick_pushes_grade_once(env: Env) -> None:
    shas = []
    for i in range(10):
        shas.append(env.push("alice", f"answer = {i}"))
        env.clock.advance(seconds=5)
        assert env.app.worker.step() == []  # each push moves the debounce
    (job,) = env.app.queue.all()
    assert job.pushes == 10 and job.sha == shas[-1]
    env.clock.advance(seconds=30)
    (outcome,) = env.app.worker.step()
    assert outcome.sha == shas[-1]
    assert env.grader.calls == [(WEEK, "alice", shas[-1])]
    assert len(env.issues("alice")) == 1
    assert len(env.server.requests("GET", "/tarball/")) == 1


def test_debounce_is_capped_for_non_stop_pushers(env: Env) -> None:
    for i in range(12):  # a push every 29 s for 5.5 minutes
        env.push("alice", f"v{i}")
        env.clock.advance(seconds=29)
        env.app.worker.step()
    assert len(env.grader.calls) == 1  # graded at the 300 s cap, not starved


def test_rate_limit_coalesces_later_pushes(env: Env) -> None:
    env.push("alice", "one")
    env.clock.advance(seconds=31)
    env.app.worker.step()
    env.clock.advance(minutes=1)
    env.push("alice", "two")
    env.clock.advance(minutes=2)
    third = env.push("alice", "three")
    env.clock.advance(minutes=2)
    assert env.app.worker.step() == []  # 5 min after the first run: rate limited
    (job,) = env.app.queue.all()
    assert job.state == "pending" and job.pushes == 2
    env.clock.advance(minutes=6)
    (outcome,) = env.app.worker.step()
    assert [c[2] for c in env.grader.calls][1:] == [third] == [outcome.sha]
    (issue,) = env.issues("alice")  # the same issue, edited, with one comment per revision
    assert len(issue.comments) == 1


def test_two_students_are_independent(env: Env) -> None:
    env.push("alice", "a")
    env.push("bob", "b")
    env.clock.advance(seconds=31)
    assert {o.login for o in env.app.worker.step()} == {"alice", "bob"}


def test_queue_survives_a_restart(env: Env) -> None:
    sha = env.push("alice", "before the crash")
    env.restart()  # the webhook was answered; the process died before grading
    env.clock.advance(seconds=31)
    assert env.app.reconcile().queued == []  # already queued: not queued twice
    (outcome,) = env.app.worker.step()
    assert outcome.sha == sha and env.grader.calls == [(WEEK, "alice", sha)]


def test_job_left_running_by_a_crash_is_retried(env: Env) -> None:
    env.push("alice", "x")
    env.clock.advance(seconds=31)
    job = env.app.queue.claim(env.clock.time())
    assert job is not None and env.app.queue.all()[0].state == "running"
    env.restart()
    env.app.reconcile()
    (outcome,) = env.app.worker.step()
    assert outcome.status == "graded" and len(env.grader.calls) == 1


def test_push_while_down_is_picked_up_by_reconciliation(env: Env) -> None:
    env.push("alice", "seen")
    env.clock.advance(seconds=31)
    env.app.worker.step()
    env.hook.stop()  # the grader is down
    env.clock.advance(minutes=20)
    missed = env.push("alice", "pushed while the grader was down", webhook=False)
    env.push("bob", "also missed", webhook=False)
    env.clock.advance(minutes=20)
    env.restart()
    report = env.app.reconcile()
    assert sorted(report.queued) == [(WEEK, "alice"), (WEEK, "bob")]
    env.clock.advance(seconds=31)
    env.app.worker.step()
    assert (WEEK, "alice", missed) in env.grader.calls
    assert len(env.grader.calls) == 3
    meta = load_submission_meta(env.course, WEEK, "alice")
    assert meta is not None and meta.time_source == "push"
    again = env.app.reconcile()  # nothing new since: nothing queued
    assert again.queued == []


def test_failed_job_is_retried_with_backoff(env: Env) -> None:
    sha = env.push("alice", "x")
    env.server.faults.add("502", methods=frozenset({"GET"}), path="/tarball/", times=1000)
    env.clock.advance(seconds=31)
    (outcome,) = env.app.worker.step()
    assert outcome.status == "failed" and "502" in outcome.error
    (job,) = env.app.queue.all()
    assert job.state == "pending" and job.attempts == 1 and job.due_at > env.clock.time()
    assert env.grader.calls == [] and env.issues("alice") == []  # never the student's fault
    env.server.faults.clear()
    assert env.app.worker.step() == []  # backing off
    env.clock.advance(minutes=2)
    (outcome,) = env.app.worker.step()
    assert outcome.status == "graded" and env.grader.calls == [(WEEK, "alice", sha)]


def test_server_answers_while_a_grading_job_runs(env: Env) -> None:
    env.app.queue.debounce_s = 0
    env.grader.gate = threading.Event()
    env.app.start_worker(idle_s=0.05)
    env.push("alice", "slow to grade")
    deadline = time.monotonic() + 20
    while not env.grader.calls and time.monotonic() < deadline:
        time.sleep(0.05)
    assert env.grader.calls, "the worker never started grading"
    timings = []
    for i in range(10):  # bob pushes while alice's job is being graded
        status, body, elapsed = deliver(
            env.hook.url,
            push_payload(env.student("bob"), before="0" * 40, after=f"{i:040d}"),
        )
        assert status == 202, body
        timings.append(elapsed)
    env.grader.gate.set()
    print(f"\nwebhook answer while grading: max {max(timings) * 1000:.1f} ms")
    assert max(timings) < 1.0
    env.app.stop_worker(timeout=30)


def test_final_grading_after_the_deadline_runs_once(env: Env) -> None:
    env.push("alice", "early work")
    env.clock.advance(seconds=31)
    env.app.worker.step()
    env.app.reconcile()  # discovery remembers every student repo
    env.student("carol")  # a repo with no pushes
    env.clock.set(DEADLINE - timedelta(minutes=5))
    on_time = env.push("bob", "just in time")
    env.clock.set(DEADLINE + timedelta(minutes=1))
    env.push("alice", "too late", webhook=True)
    env.app.reconcile()
    outcomes = env.app.worker.step()
    finals = {o.login: o for o in outcomes}
    assert set(finals) == {"alice", "bob", "carol"} and all(o.final for o in outcomes)
    assert finals["carol"].status == "never_pushed"
    assert finals["bob"].sha == on_time
    assert "점검 결과" not in env.issues("bob")[0].body  # the full feedback now
    assert "secret_big" in env.issues("bob")[0].body  # hidden tests listed (hint only)
    assert "큰 입력" in env.issues("bob")[0].body
    calls = len(env.grader.calls)
    env.clock.advance(hours=2)
    assert env.app.worker.step() == []
    assert len(env.grader.calls) == calls
    assert all(j.final_done for j in env.app.queue.all() if j.login != "carol")


# -- end to end: the demo course, really graded ------------------------------------------------------


def _demo_course(tmp: Path, server: GitHubTestServer) -> Course:
    root = tmp / "demo"
    shutil.copytree(
        REPO_ROOT / "examples" / "demo-course",
        root,
        ignore=shutil.ignore_patterns(".autograder", "assignments", "submissions", "__pycache__"),
    )
    toml = root / "course.toml"
    text = toml.read_text().replace('org = "demo-course"', f'org = "{server.world.org}"')
    toml.write_text(text + f'api_url = "{server.api_url}"\n')
    week = root / "solutions" / "demo01" / "assignment.toml"
    future = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0).isoformat()
    week.write_text(
        week.read_text().replace('deadline = "2026-09-08T23:59:00+09:00"', f'deadline = "{future}"')
        + "\n[check]\nmin_interval_minutes = 0\n"
    )
    course = Course(root)
    release_week(course, "demo01")
    return course


def test_end_to_end_demo_course(tmp_path: Path) -> None:
    """A real push -> signed webhook -> collect -> ProcessRunner grading -> posted issue."""
    from tests.conftest import filled

    clock = RealClock()
    server = GitHubTestServer(tmp_path / "github", clock=clock).start()  # type: ignore[arg-type]
    course = _demo_course(tmp_path, server)
    client = connect(course, token=server.world.token, clock=clock)
    app = build(
        course,
        grade=grade_with_runner(course, ProcessRunner()),
        client=client,
        poll_client=connect(course, token=server.world.token, clock=clock),
        clock=clock,
        debounce_s=0.2,
    )
    hook = WebhookServer(intake=app.intake, secret=SECRET, port=0).start()
    app.reconcile()
    app.start_worker(idle_s=0.05)
    try:
        repo = server.create_repo("demo01-alice")
        clone = server.clone(repo, "alice", tmp_path)
        wrong = filled(course, {"mean": "def mean(xs):\n    return 0"})
        latencies = []
        tweaked = filled(
            course, {"squares": "def squares(n):\n    return [i**2 for i in range(n)]"}
        )
        for attempt, nb in enumerate([wrong, filled(course), tweaked]):
            before = repo.git.head("main") or "0" * 40
            started = time.monotonic()
            sha = clone.commit({"demo01.ipynb": nbformat.writes(nb)})
            clone.push()
            status, body, elapsed = deliver(hook.url, push_payload(repo, before=before, after=sha))
            assert status == 202 and body["status"] == "queued" and elapsed < 1
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                if any(o.sha == sha and o.posted for o in app.worker.outcomes):
                    break
                time.sleep(0.05)
            else:
                pytest.fail(f"no feedback for push {attempt}: {app.queue.all()}")
            latencies.append(time.monotonic() - started)
        (issue,) = repo.issues
        body = issue.body
        assert f"`{sha[:7]}`" in body
        print("\n" + body + "\n" + "\n---\n".join(c.body for c in issue.comments))
        assert "점검 결과 (마감 전)" in body and "6 / 6" in body  # the last push is all correct
        assert "### 숨김 테스트\n\n3 / 3 통과" in body  # demo tests hold hidden parts: counted
        assert "→ 6/6" in issue.comments[0].body  # the regrade comment notifies the student
        assert len(issue.comments) == 2  # one per regrade
        first = [o for o in app.worker.outcomes if o.status == "graded"]
        assert len(first) == 3
        print(
            f"\npush-to-feedback (demo01, process runner): median "
            f"{statistics.median(latencies):.2f} s over {len(latencies)} pushes "
            f"({', '.join(f'{x:.2f}' for x in latencies)})"
        )
    finally:
        app.stop_worker(timeout=60)
        hook.stop()
        server.stop()


def _week03_course(tmp: Path, server: GitHubTestServer) -> Course:
    root = tmp / "ml-course"
    shutil.copytree(REPO_ROOT / "solutions" / "week03", root / "solutions" / "week03")
    (root / "course.toml").write_text(
        f'language = "ko"\nrunner = "process"\n\n[github]\norg = "{server.world.org}"\n'
        f'api_url = "{server.api_url}"\n'
    )
    toml = root / "solutions" / "week03" / "assignment.toml"
    future = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0).isoformat()
    text = re.sub(r'deadline = "[^"]*"', f'deadline = "{future}"', toml.read_text())
    toml.write_text(text + "\n[check]\nmin_interval_minutes = 0\n")
    course = Course(root)
    release_week(course, "week03")
    return course


PUSHES = 3


@pytest.mark.slow  # a benchmark: ~1-2 min alone, several under a loaded machine
def test_push_to_feedback_latency_week03(tmp_path: Path) -> None:
    """The closing note's figure: week 3 (regression, classification, ROC), process runner."""
    clock = RealClock()
    server = GitHubTestServer(tmp_path / "github", clock=clock).start()  # type: ignore[arg-type]
    course = _week03_course(tmp_path, server)
    app = build(
        course,
        grade=grade_with_runner(course, ProcessRunner()),
        client=connect(course, token=server.world.token, clock=clock),
        poll_client=connect(course, token=server.world.token, clock=clock),
        clock=clock,
        debounce_s=0.2,
    )
    hook = WebhookServer(intake=app.intake, secret=SECRET, port=0).start()
    app.start_worker(idle_s=0.05)
    solution = nbformat.read(course.solutions_dir / "week03" / "week03.ipynb", as_version=4)
    try:
        repo = server.create_repo("week03-kim")
        clone = server.clone(repo, "kim", tmp_path)
        latencies, graded = [], []
        for attempt in range(PUSHES):
            nb = nbformat.from_dict(solution)
            nb.cells.append(nbformat.v4.new_code_cell(f"# push {attempt}"))  # new content
            before = repo.git.head("main") or "0" * 40
            started = time.monotonic()
            sha = clone.commit({"week03.ipynb": nbformat.writes(nb)})
            clone.push()
            status, _, _ = deliver(hook.url, push_payload(repo, before=before, after=sha))
            assert status == 202
            deadline = time.monotonic() + course.week("week03").resources.total_timeout_s + 120
            while not any(o.sha == sha and o.posted for o in app.worker.outcomes):
                assert time.monotonic() < deadline, app.queue.all()
                time.sleep(0.05)
            latencies.append(time.monotonic() - started)
            graded.append(next(o for o in app.worker.outcomes if o.sha == sha).status)
        assert graded == ["graded"] * PUSHES
        body = repo.issues[0].body
        assert "점검 결과 (마감 전)" in body and "regression_r2" in body
        print(
            f"\npush-to-feedback (week03, process runner): median "
            f"{statistics.median(latencies):.2f} s over {len(latencies)} pushes "
            f"({', '.join(f'{x:.2f}' for x in latencies)})"
        )
    finally:
        app.stop_worker(timeout=120)
        hook.stop()
        server.stop()
