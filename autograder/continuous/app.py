"""Wiring: one queue, router, worker and poller for a course; used by `serve` and `watch`."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import requests
from github import GithubException

from autograder.continuous.intake import Intake
from autograder.continuous.poller import Poller, PollReport
from autograder.continuous.queue import WorkQueue
from autograder.continuous.routing import RepoRouter
from autograder.continuous.store import SCHEMA
from autograder.continuous.worker import GradeFn, Worker
from autograder.course import Course
from autograder.errors import GitHubError, GitHubUnavailable
from autograder.github.client import GitHub, connect
from autograder.github.clock import Clock, RealClock
from autograder.github.retry import RetryPolicy
from autograder.github.store import SCHEMAS as GITHUB_SCHEMAS
from autograder.workspace_db import workspace_engine

log = logging.getLogger(__name__)


@dataclass
class Continuous:
    course: Course
    queue: WorkQueue
    router: RepoRouter
    worker: Worker
    poller: Poller
    intake: Intake
    clock: Clock
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _reconciler: threading.Thread | None = None
    reconciled: threading.Event = field(default_factory=threading.Event)

    def reconcile(self, *, progress_every_s: float = 5.0) -> PollReport:
        """Pick up pushes missed while nothing was listening (every repo's activity).

        Progress goes to the log every `progress_every_s` seconds."""
        self.queue.recover()
        self._learn_bot()
        last = [self.clock.time()]

        def progress(done: int, total: int, report: PollReport) -> None:
            now = self.clock.time()
            if now - last[0] >= progress_every_s:
                last[0] = now
                log.info(
                    "reconciliation: %d/%d repositories, %d pushes queued so far",
                    done,
                    total,
                    len(report.queued),
                )

        report = self.poller.poll(full=True, progress=progress)
        log.info("reconciliation: %s", report)
        self.reconciled.set()
        return report

    def _learn_bot(self) -> None:
        """Our own login, asked once at the start (tried once: failures are retried here)."""
        if self.worker._bot is not None:
            return
        client = self.poller.client
        try:
            self.worker._bot = client.read(lambda: client.gh.get_user().login, "who am I")
        except GitHubError as exc:
            cause = exc.__cause__
            if isinstance(cause, requests.RequestException):
                raise GitHubUnavailable(f"GitHub is unreachable: {exc}") from exc
            if isinstance(cause, GithubException) and cause.status in (403, 429):
                raise GitHubUnavailable(f"GitHub's rate limit is exhausted: {exc}") from exc
            raise

    def reconcile_until_done(
        self, *, first_delay_s: float = 5.0, max_delay_s: float = 300.0
    ) -> PollReport | None:
        """Reconcile, retrying with backoff while GitHub is unreachable or rate-limited.

        Meant for a background thread: webhooks are accepted and queued meanwhile.
        Returns None when stopped before it succeeded."""
        attempt = 0
        while not self._stop.is_set():
            try:
                return self.reconcile()
            except GitHubUnavailable as exc:
                delay = exc.wait_s if exc.wait_s is not None else first_delay_s * 2**attempt
                reason = str(exc)
            except GitHubError as exc:
                delay, reason = first_delay_s * 2**attempt, f"GitHub failed: {exc}"
            delay = min(max(delay, 1.0), max_delay_s)
            log.warning(
                "reconciliation: %s; webhooks are still accepted and queued; "
                "trying again in %.0f s (attempt %d)",
                reason,
                delay,
                attempt + 1,
            )
            attempt += 1
            self._stop.wait(delay)
        return None

    def start_reconcile(self, **options: float) -> threading.Thread:
        """`reconcile_until_done` in a background thread (the server listens meanwhile)."""
        self._stop.clear()
        self._reconciler = threading.Thread(
            target=self.reconcile_until_done, kwargs=options, name="reconcile", daemon=True
        )
        self._reconciler.start()
        return self._reconciler

    def start_worker(self, *, idle_s: float = 1.0) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self.worker.run, args=(self._stop,), kwargs={"idle_s": idle_s}, daemon=True
        )
        self._thread.start()

    def stop_worker(self, timeout: float | None = None) -> None:
        self._stop.set()
        for thread in (self._thread, self._reconciler):
            if thread is not None:
                thread.join(timeout)


def build(
    course: Course,
    *,
    grade: GradeFn,
    client: GitHub | None = None,
    poll_client: GitHub | None = None,
    clock: Clock | None = None,
    debounce_s: float = 30.0,
    max_wait_s: float = 300.0,
    workers: int = 1,
) -> Continuous:
    """Everything continuous grading needs; the worker and the poller get their own client.

    Nothing here talks to GitHub: the server can listen before GitHub answers. The
    poller's client tries each request once (reconciliation and polls back off
    themselves, with a message); `workers` students are graded at once."""
    clock = clock or RealClock()
    queue = WorkQueue(
        workspace_engine(course.db_url, SCHEMA, *GITHUB_SCHEMAS),
        debounce_s=debounce_s,
        max_wait_s=max_wait_s,
    )
    router = RepoRouter(course, queue)
    client = client or connect(course, clock=clock)
    poll_client = poll_client or connect(
        course, clock=clock, policy=RetryPolicy(max_tries=1), timeout=10
    )
    worker = Worker(
        course=course,
        queue=queue,
        router=router,
        client=client,
        grade=grade,
        clock=clock,
        workers=workers,
    )
    poller = Poller(
        client=poll_client, queue=queue, router=router, clock=clock, bot=lambda: worker.bot
    )
    return Continuous(
        course=course,
        queue=queue,
        router=router,
        worker=worker,
        poller=poller,
        intake=Intake(queue=queue, router=router, clock=clock),
        clock=clock,
    )
