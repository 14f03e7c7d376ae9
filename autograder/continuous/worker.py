"""The worker: take due jobs, collect one repo, grade it, post feedback; schedule finals.

`Worker.run` claims due jobs and processes up to ``workers`` of them at once (a
thread each; the queue never hands out two jobs of one student, so one student is
never graded twice at the same time); `step` does everything due now, one job after
the other, and is what tests call with a simulated clock. Grading is injected
(`GradeFn`): `grade_with_runner` is the real one (`PushGrader`: one prepared runner
for the server's life, cached when unchanged).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace

from autograder.continuous.collect import collect_student
from autograder.continuous.queue import Job, WorkQueue
from autograder.continuous.routing import RepoRouter
from autograder.course import Course
from autograder.errors import GitHubError
from autograder.feedback import FINAL, FileSink, Sink, View, render_feedback
from autograder.github.client import GitHub
from autograder.github.clock import Clock
from autograder.github.collect import Collected
from autograder.github.feedback import GitHubIssueSink
from autograder.results import SubmissionResult

log = logging.getLogger(__name__)

# (week, login) -> (the result, whether it was graded now rather than taken from the cache)
GradeFn = Callable[[str, str], tuple[SubmissionResult, bool]]
CollectFn = Callable[[Job], Collected]


def grade_with_runner(course: Course, runner: object) -> GradeFn:
    """Grade one collected submission (unchanged ones come from the cache).

    The runner is prepared once, in the background (`PushGrader`), and kept."""
    from autograder.continuous.grader import PushGrader

    grader = PushGrader(course, runner)  # type: ignore[arg-type]
    grader.prepare_in_background()
    return grader


@dataclass(frozen=True)
class Outcome:
    week: str
    login: str
    status: str  # graded | cached | never_pushed | failed
    final: bool
    sha: str | None = None
    posted: bool = False
    error: str = ""
    latency_s: float | None = None  # trusted push time -> feedback posted


@dataclass
class Worker:
    course: Course
    queue: WorkQueue
    router: RepoRouter
    client: GitHub
    grade: GradeFn
    clock: Clock
    collect: CollectFn | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    #: jobs processed at once by `run` (each one student; never two of one student)
    workers: int = 1
    #: where each rendered result goes (default: the workspace file, then the issue)
    sinks: list[Sink] = field(default_factory=list)
    _bot: str | None = None

    def __post_init__(self) -> None:
        if not self.sinks:
            self.sinks = [FileSink(self.course), GitHubIssueSink(self.course, self.client)]

    @property
    def bot(self) -> str:
        """Our own login (its pushes are ignored); "" until GitHub could tell us."""
        if self._bot is None:
            try:
                self._bot = self.client.read(lambda: self.client.gh.get_user().login, "who am I")
            except Exception:  # noqa: BLE001 - without it, bot pushes are merely not ignored
                return ""  # asked again next time: GitHub may be back
        return self._bot

    # -- scheduling ------------------------------------------------------------------------
    def schedule_finals(self, now: float) -> int:
        scheduled = 0
        for week in self.course.week_names():
            cutoff = self.router.cutoff(week)
            if cutoff is None or now < cutoff.timestamp() or self.queue.final_scheduled(week):
                continue
            targets = {t.login: t for t in self.queue.repos.all(week)}
            for job in self.queue.all():
                if job.week == week:
                    targets.setdefault(job.login, job.target)
            scheduled += self.queue.schedule_final(week, list(targets.values()), now=now)
        return scheduled

    def step(self) -> list[Outcome]:
        """Schedule due finals, then run every job that is due now."""
        done = []
        self.schedule_finals(self.clock.time())
        while (job := self.queue.claim(self.clock.time())) is not None:
            done.append(self.process(job))
        return done

    def run(self, stop: threading.Event, *, idle_s: float = 1.0) -> None:
        self.queue.recover()
        if self.workers <= 1:
            while not stop.is_set():
                try:
                    self.step()
                except Exception:  # noqa: BLE001 - the loop must survive a bad step
                    log.exception("continuous worker step failed")
                stop.wait(idle_s)
            return
        with ThreadPoolExecutor(self.workers, thread_name_prefix="grade") as pool:
            running: set[Future[Outcome]] = set()
            while not stop.is_set():
                try:
                    self.schedule_finals(self.clock.time())
                    while len(running) < self.workers:
                        job = self.queue.claim(self.clock.time())
                        if job is None:
                            break
                        running.add(pool.submit(self.process, job))
                except Exception:  # noqa: BLE001 - the loop must survive a bad step
                    log.exception("continuous worker step failed")
                if running:
                    _, running = wait(running, timeout=idle_s, return_when=FIRST_COMPLETED)
                    running = set(running)
                else:
                    stop.wait(idle_s)
            wait(running)

    # -- one job ------------------------------------------------------------------------------
    def _collect(self, job: Job) -> Collected:
        if self.collect is not None:
            return self.collect(job)
        return collect_student(
            course=self.course,
            client=self.client,
            target=job.target,
            bot=self.bot,
            received_at=job.received_at,
            received_sha=job.sha,
        )

    def _render(self, result: SubmissionResult, week: str, final: bool) -> str:
        config = self.course.week(week)
        view = FINAL if final else View.before_deadline(config.config.check, config.config.deadline)
        return render_feedback(
            result, view=view, language=self.course.config.language, title=config.title
        )

    def _post(self, result: SubmissionResult, body: str) -> bool:
        """The body to every sink, in memory (the workspace file, then the issue); True
        when the student was notified."""
        notified = [sink.publish(result, body) for sink in self.sinks]
        return any(notified)

    def process(self, job: Job) -> Outcome:
        now = self.clock.time()
        cutoff = self.router.cutoff(job.week)
        final = cutoff is not None and now >= cutoff.timestamp()
        try:
            collected = self._collect(job)
            if collected.status == "failed":
                raise GitHubError("; ".join(collected.problems) or "collect failed")
            if collected.status == "never_pushed":
                self.queue.finish(job, now=self.clock.time(), graded=False, sha=None, final=final)
                return self._done(Outcome(job.week, job.login, "never_pushed", final))
            result, graded = self.grade(job.week, job.login)
            if collected.sha and result.sha != collected.sha:  # same content, newer commit
                result = replace(result, sha=collected.sha)
            posted = self._post(result, self._render(result, job.week, final))
        except Exception as exc:  # noqa: BLE001 - a fault of ours: retried, never the student's
            log.warning("continuous job %s/%s failed: %s", job.week, job.login, exc)
            self.queue.fail(job, now=self.clock.time(), error=f"{type(exc).__name__}: {exc}")
            return self._done(Outcome(job.week, job.login, "failed", final, error=str(exc)))
        finished = self.clock.time()
        self.queue.finish(job, now=finished, graded=graded, sha=collected.sha, final=final)
        latency = None if job.received_at is None else round(finished - job.received_at, 3)
        status = "graded" if graded else "cached"
        return self._done(
            Outcome(job.week, job.login, status, final, collected.sha, posted, latency_s=latency)
        )

    def _done(self, outcome: Outcome) -> Outcome:
        self.outcomes.append(outcome)
        log.info(
            "%s/%s: %s%s%s",
            outcome.week,
            outcome.login,
            outcome.status,
            " (final)" if outcome.final else "",
            f", feedback {outcome.latency_s:.1f} s after the push" if outcome.latency_s else "",
        )
        return outcome
