"""Grading for `serve` and `watch`: one prepared runner for the server's life, several students at once.

`grade_week` is built for a batch: it prepares the runner, grades, closes it.
Push after push that would kill the fork server, throw away the containers
started ahead and redo the image checks every time. `PushGrader` instead
prepares the runner once (in the background, so the server listens at once),
keeps each week's context (sources, hidden inputs, the nbgrader source
gradebook) until the week's sources change, and grades one student per call
from any number of worker threads. The queue never hands out two jobs of one
student at once (`WorkQueue.claim`); recording is serialised here, so two
students finishing together never interleave their gradebook writes.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from autograder.course import Course
from autograder.errors import InfrastructureError
from autograder.gradebook import GradebookStore
from autograder.grading import (
    batch_evaluator,
    error_result,
    grade_files,
    read_listing,
    save_result,
)
from autograder.nbgrader_adapter import open_source_gradebook, source_version
from autograder.pipeline.context import WeekContext, load_week_context
from autograder.recording import recover_week
from autograder.results import SubmissionResult
from gpu_runner.runners.base import Runner

log = logging.getLogger(__name__)


@dataclass
class PushGrader:
    """``grade(week, login) -> (result, graded_now)`` over one prepared runner."""

    course: Course
    runner: Runner
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _prepared: threading.Event = field(default_factory=threading.Event)
    _prepare_error: BaseException | None = None
    _contexts: dict[str, WeekContext] = field(default_factory=dict)
    _recovered: set[str] = field(default_factory=set)

    def prepare(self) -> None:
        """Prepare the runner once; an error is kept and re-raised by every grade."""
        try:
            self.runner.prepare()
            self.runner.expect(None)  # a server: keep sandboxes started ahead
        except BaseException as exc:  # noqa: BLE001 - reported with each push
            self._prepare_error = exc
            log.error("the runner cannot work: %s", exc)
        finally:
            self._prepared.set()

    def prepare_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.prepare, name="prepare-runner", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        self.runner.close()

    def _context(self, week: str) -> WeekContext:
        """The week's context, loaded again only when its sources changed."""
        version = source_version(self.course.week(week))
        with self._lock:
            ctx = self._contexts.get(week)
            if ctx is None or ctx.version != version:
                started = time.monotonic()
                ctx = load_week_context(self.course, week)
                ctx.source_gradebook = open_source_gradebook(self.course)
                self._contexts[week] = ctx
                log.info("%s: week context loaded in %.1f s", week, time.monotonic() - started)
            if week not in self._recovered:
                recover_week(self.course, GradebookStore(self.course), week)
                self._recovered.add(week)
            return ctx

    def __call__(self, week: str, login: str) -> tuple[SubmissionResult, bool]:
        self._prepared.wait()
        if self._prepare_error is not None:
            raise InfrastructureError(f"the runner cannot work: {self._prepare_error}")
        ctx = self._context(week)
        store = GradebookStore(self.course)
        files, problems, meta, digest = read_listing(self.course, week, login)
        previous = store.cached(week).get(login)
        if previous is not None and previous[:2] == (digest, ctx.version):
            if previous[2] == "graded":
                recorded = store.result(week, login)
                if recorded is not None:
                    return recorded, False
        evaluator = batch_evaluator(ctx, self.runner, jobs=1)
        try:
            result = grade_files(
                ctx,
                login=login,
                files=files,
                runner=self.runner,
                meta=meta,
                problems=problems,
                evaluator=evaluator,
            )
        finally:
            if evaluator is not None:
                evaluator.close()
        with self._lock:
            try:
                save_result(self.course, store, result)
            except Exception as exc:  # recording trouble: ours, retried by the queue
                result = error_result(
                    ctx, week=week, login=login, exc=exc, language=ctx.language, digest=digest
                )
                raise InfrastructureError(f"{week}/{login}: recording failed: {exc}") from exc
        return result, True


__all__ = ["PushGrader"]
