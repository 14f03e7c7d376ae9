"""CLI commands of continuous grading: ``serve`` (push webhooks) and ``watch`` (polling).

``serve`` listens at once. Reconciliation (pushes missed while stopped) runs in the
background with its progress in the log; while GitHub is unreachable or rate-limited
it says so and tries again with backoff, and webhooks are accepted and queued all
the while. Pushes are graded several at once (``--jobs``, default: what the
machine's cores and memory hold, or the Ray cluster's capacity) through one runner
prepared for the server's life.
Exit codes: 0 stopped with Ctrl-C · 2 bad usage or configuration (no secret, no org) ·
3 runner unavailable (Ray cannot start).
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING, Any

import click

from autograder.commands import course_of, executor_option, overrides, runner_option
from autograder.errors import ConfigError

if TYPE_CHECKING:
    from autograder.course import Course
    from autograder.runner_factory import RunnerOverrides

_course = course_of


def _start(
    course: Course,
    runner: RunnerOverrides,
    jobs: int | None,
    debounce: float,
    max_wait: float,
) -> tuple[Any, Any]:
    """The app and its grader, built without a word to GitHub (nothing blocks here)."""
    from autograder.continuous.app import build
    from autograder.continuous.grader import PushGrader
    from autograder.grading import default_jobs
    from autograder.runner_factory import build_runner, pool_size

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    runner_obj = build_runner(course, runner)
    jobs = pool_size(course, runner_obj, jobs=jobs)
    if jobs is None:
        weeks = [course.week(w).resources for w in course.week_names()]
        jobs = course.config.jobs or default_jobs(max((r.memory_mb for r in weeks), default=2048))
    grader = PushGrader(course, runner_obj)
    grader.prepare_in_background()
    app = build(course, grade=grader, debounce_s=debounce, max_wait_s=max_wait, workers=jobs)
    click.echo(f"grading up to {jobs} pushes at once", err=True)
    return app, grader


_jobs = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Pushes graded at once (default: cores and memory, or the Ray cluster).",
)
_debounce = click.option(
    "--debounce",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds of quiet after a push before grading (pushes in between coalesce).",
)
_max_wait = click.option(
    "--max-wait",
    type=click.FloatRange(min=0),
    default=300.0,
    show_default=True,
    help="Grade at most this long after the first of a burst of pushes.",
)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@runner_option()
@executor_option
@_jobs
@_debounce
@_max_wait
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    runner: str | None,
    executor: str | None,
    jobs: int | None,
    debounce: float,
    max_wait: float,
) -> None:
    """Receive GitHub push webhooks on POST /webhook and grade each push.

    The secret comes from AUTOGRADER_WEBHOOK_SECRET (the hook's secret on GitHub).
    Before the deadline feedback follows the week's [check] policy; after it the
    final grading runs once. Put it behind HTTPS (a reverse proxy).
    """
    from autograder.continuous.signature import SECRET_ENV
    from autograder.continuous.webhook import WebhookServer

    secret = os.environ.get(SECRET_ENV, "").encode()
    if not secret:
        raise ConfigError(f"set {SECRET_ENV} to the webhook's secret")
    course = _course(ctx)
    app, grader = _start(
        course, overrides(runner=runner, executor=executor), jobs, debounce, max_wait
    )
    server = WebhookServer(intake=app.intake, secret=secret, host=host, port=port)
    click.echo(f"listening on {server.url}", err=True)
    app.start_reconcile()
    app.start_worker()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
        app.stop_worker(timeout=5)
        grader.close()


@click.command("watch")
@click.option(
    "--interval",
    type=click.FloatRange(min=5),
    default=60.0,
    show_default=True,
    help="Seconds between polls (idle polls are 304s: no rate limit spent).",
)
@runner_option()
@executor_option
@_jobs
@_debounce
@_max_wait
@click.pass_context
def watch(
    ctx: click.Context,
    interval: float,
    runner: str | None,
    executor: str | None,
    jobs: int | None,
    debounce: float,
    max_wait: float,
) -> None:
    """Poll GitHub for pushes (for graders GitHub cannot reach) and grade each push."""
    course = _course(ctx)
    app, grader = _start(
        course, overrides(runner=runner, executor=executor), jobs, debounce, max_wait
    )
    app.start_reconcile()
    app.start_worker()
    stop = threading.Event()
    try:
        while not stop.wait(interval):
            if not app.reconciled.is_set():
                continue  # the reconciliation reads every repo first (and says how far)
            try:
                report = app.poller.poll()
            except Exception as exc:  # noqa: BLE001 - keep polling through a bad pass
                click.echo(f"poll failed: {exc}", err=True)
                continue
            if report.queued:
                click.echo(f"poll: {report}", err=True)
    except KeyboardInterrupt:
        pass
    finally:
        app.stop_worker(timeout=5)
        grader.close()
