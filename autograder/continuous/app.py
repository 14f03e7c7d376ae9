"""Wiring: one queue, router, worker and poller for a course; used by `serve` and `watch`."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from autograder.continuous.intake import Intake
from autograder.continuous.poller import Poller, PollReport
from autograder.continuous.queue import WorkQueue
from autograder.continuous.routing import RepoRouter
from autograder.continuous.store import open_engine
from autograder.continuous.worker import GradeFn, Worker
from autograder.course import Course
from autograder.github.client import GitHub, connect
from autograder.github.clock import Clock, RealClock

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

    def reconcile(self) -> PollReport:
        """Pick up pushes missed while nothing was listening (every repo's activity)."""
        self.queue.recover()
        report = self.poller.poll(full=True)
        log.info("reconciliation: %s", report)
        return report

    def start_worker(self, *, idle_s: float = 1.0) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self.worker.run, args=(self._stop,), kwargs={"idle_s": idle_s}, daemon=True
        )
        self._thread.start()

    def stop_worker(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


def build(
    course: Course,
    *,
    grade: GradeFn,
    client: GitHub | None = None,
    poll_client: GitHub | None = None,
    clock: Clock | None = None,
    debounce_s: float = 30.0,
    max_wait_s: float = 300.0,
) -> Continuous:
    """Everything continuous grading needs; the worker and the poller get their own client."""
    clock = clock or RealClock()
    queue = WorkQueue(open_engine(course.db_url), debounce_s=debounce_s, max_wait_s=max_wait_s)
    router = RepoRouter(course, queue)
    client = client or connect(course, clock=clock)
    poll_client = poll_client or connect(course, clock=clock)
    worker = Worker(
        course=course, queue=queue, router=router, client=client, grade=grade, clock=clock
    )
    poller = Poller(client=poll_client, queue=queue, router=router, clock=clock, bot=worker.bot)
    return Continuous(
        course=course,
        queue=queue,
        router=router,
        worker=worker,
        poller=poller,
        intake=Intake(queue=queue, router=router, clock=clock),
        clock=clock,
    )
