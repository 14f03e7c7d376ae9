"""CLI commands of continuous grading: ``serve`` (push webhooks) and ``watch`` (polling).

Both first reconcile (pushes missed while stopped), then run the worker thread.
Exit codes: 0 stopped with Ctrl-C · 2 bad usage or configuration (no secret, no org).
"""

from __future__ import annotations

import logging
import os
import threading

import click

from autograder.commands import course_of
from autograder.course import Course
from autograder.errors import ConfigError

_course = course_of


def _start(course: Course, runner: str | None, debounce: float, max_wait: float):  # type: ignore[no-untyped-def]
    from autograder.continuous.app import build
    from autograder.continuous.worker import grade_with_runner
    from gpu_runner.runners import get_runner

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    grade = grade_with_runner(course, get_runner(runner or course.config.runner))
    app = build(course, grade=grade, debounce_s=debounce, max_wait_s=max_wait)
    click.echo(f"reconciliation: {app.reconcile()}", err=True)
    app.start_worker()
    return app


_runner = click.option(
    "--runner",
    type=click.Choice(["process", "docker"]),
    help="How jobs run (default: course.toml).",
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
@_runner
@_debounce
@_max_wait
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int, runner: str | None, debounce: float, max_wait: float
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
    app = _start(course, runner, debounce, max_wait)
    server = WebhookServer(intake=app.intake, secret=secret, host=host, port=port)
    click.echo(f"listening on {server.url}", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
        app.stop_worker(timeout=5)


@click.command("watch")
@click.option(
    "--interval",
    type=click.FloatRange(min=5),
    default=60.0,
    show_default=True,
    help="Seconds between polls (idle polls are 304s: no rate limit spent).",
)
@_runner
@_debounce
@_max_wait
@click.pass_context
def watch(
    ctx: click.Context, interval: float, runner: str | None, debounce: float, max_wait: float
) -> None:
    """Poll GitHub for pushes (for graders GitHub cannot reach) and grade each push."""
    course = _course(ctx)
    app = _start(course, runner, debounce, max_wait)
    stop = threading.Event()
    try:
        while not stop.wait(interval):
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


COMMANDS = [serve, watch]
