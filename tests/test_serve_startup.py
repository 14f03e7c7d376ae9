"""`serve` listens at once: reconciliation in the background, retried while GitHub is
unreachable or rate-limited, webhooks accepted and queued all the while; and pushes
graded several at once, never two of one student together."""

from __future__ import annotations

import logging
import re
import threading
import time
from pathlib import Path

import pytest
from github_server import GitHubTestServer
from test_watch import _spawn, _stop, env  # noqa: F401  (the fixture)
from test_webhooks import SECRET, Env, FakeGrader, _demo_course, deliver

from autograder.github.clock import RealClock

pytest_plugins = ["github_server.fixtures"]


def test_rate_limited_reconciliation_retries_while_webhooks_are_queued(
    env: Env,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    for login in ("alice", "bob"):
        env.student(login)
    env.push("alice", "missed while stopped", webhook=False)
    # the org listing answers 429 with Retry-After: 1, twice
    env.server.faults.add("429:1", methods=frozenset({"GET"}), path="/orgs/", times=2)
    caplog.set_level(logging.INFO)
    thread = env.app.start_reconcile(first_delay_s=0.2)
    sha = env.push("bob", "arrives during the outage")  # the webhook: 202 queued
    thread.join(30)
    assert not thread.is_alive() and env.app.reconciled.is_set()
    text = caplog.text
    assert text.count("rate limit is exhausted") == 2, text
    assert "webhooks are still accepted and queued" in text
    assert re.search(r"trying again in 1 s", text)
    assert "reconciliation: 2 repos" in text
    jobs = {j.login: j for j in env.app.queue.all()}
    assert set(jobs) == {"alice", "bob"} and jobs["bob"].sha == sha


def test_serve_listens_at_once_while_github_is_unreachable(tmp_path: Path) -> None:
    server = GitHubTestServer(tmp_path / "github", clock=RealClock()).start()  # type: ignore[arg-type]
    course = _demo_course(tmp_path, server)
    token = server.world.token
    server.stop()  # nothing answers at the course's api_url any more
    started = time.monotonic()
    proc = _spawn(
        ["--course", str(course.root), "serve", "--port", "0", "--runner", "process"],
        tmp_path,
        {"GITHUB_TOKEN": token, "AUTOGRADER_WEBHOOK_SECRET": SECRET.decode()},
    )
    lines: list[str] = []
    url = None
    try:
        assert proc.stdout is not None

        def read() -> None:
            for line in proc.stdout:  # type: ignore[union-attr]
                lines.append(line)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        while url is None and time.monotonic() - started < 60:
            found = [re.search(r"listening on (http://\S+)", x) for x in lines]
            url = next((m.group(1) for m in found if m), None)
            time.sleep(0.05)
        listening_s = time.monotonic() - started
        assert url, "".join(lines)
        status, body, _ = deliver(url, b'{"zen": "hi"}', event="ping")
        assert (status, body) == (200, {"status": "pong"})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("unreachable" in x for x in lines):
            time.sleep(0.1)
    finally:
        out = _stop(proc)
    text = "".join(lines) + out
    assert "GitHub is unreachable" in text and "trying again in" in text, text
    # before: over 40 s of silence (reconciling every repo before binding); now the
    # interpreter's start and imports, a few seconds on a busy machine
    assert listening_s < 30, listening_s


def test_pushes_are_graded_concurrently_but_one_student_never_twice_at_once(
    env: Env,  # noqa: F811
) -> None:
    class Slow(FakeGrader):
        def __init__(self, course: object) -> None:
            super().__init__(course)  # type: ignore[arg-type]
            self.active: dict[str, int] = {}
            self.peak = 0
            self.twice = False
            self.lock = threading.Lock()

        def __call__(self, week: str, login: str):  # type: ignore[no-untyped-def]
            with self.lock:
                self.active[login] = self.active.get(login, 0) + 1
                self.twice |= self.active[login] > 1
                self.peak = max(self.peak, sum(self.active.values()))
            time.sleep(0.5)
            try:
                return super().__call__(week, login)
            finally:
                with self.lock:
                    self.active[login] -= 1

    grader = Slow(env.course)
    env.app.worker.grade = grader
    env.app.worker.workers = 4
    env.app.queue.debounce_s = 0
    for login in ("a1", "a2", "a3", "a4"):
        env.push(login, "first")
    env.app.start_worker(idle_s=0.05)
    time.sleep(0.2)
    env.push("a1", "again while graded")  # coalesced: graded after, not alongside
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(grader.calls) < 5:
        time.sleep(0.1)
        env.clock.advance(seconds=60)  # the per-student rate limit, in simulated time
    env.app.stop_worker(timeout=30)
    assert len(grader.calls) == 5 and [c[1] for c in grader.calls].count("a1") == 2
    assert grader.peak >= 3 and not grader.twice
