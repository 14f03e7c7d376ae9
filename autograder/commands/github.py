"""CLI commands of the GitHub side: ``publish``, ``provision``, ``run``.

``run`` calls `autograder.api.run` (collect -> grade -> feedback -> post).
Exit codes: 0 ok, 1 some students failed (see the summary), 2 bad usage/config,
3 runner unavailable.
"""

from __future__ import annotations

from pathlib import Path

import click

from autograder import api
from autograder.commands import course_of, executor_option, overrides, runner_option
from autograder.github import provision_week, publish_week

_course = course_of


@click.command("publish")
@click.argument("week")
@click.option("--message", "-m", default=None, help="commit message in the template repo")
@click.pass_context
def publish(ctx: click.Context, week: str, message: str | None) -> None:
    """Push assignments/WEEK to the week's template repository (idempotent)."""
    report = publish_week(course=_course(ctx), week=week, message=message)
    click.echo(report.summary())


@click.command("provision")
@click.argument("week")
@click.option(
    "--roster",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="CSV with a login column (student_id, name, section optional)",
)
@click.option("--cutoff", is_flag=True, help="switch students to read access (deadline)")
@click.option("--restore", is_flag=True, help="give students write access back")
@click.pass_context
def provision(ctx: click.Context, week: str, roster: Path, cutoff: bool, restore: bool) -> None:
    """Create each student's private repo from the template and add the student."""
    report = provision_week(
        course=_course(ctx), week=week, roster=roster, cutoff=cutoff, restore=restore
    )
    for item in report.students:
        if item.error:
            click.echo(f"  {item.login:<24} FAILED: {item.error}")
    click.echo(report.summary())
    if not report.ok:
        ctx.exit(1)


@click.command("run")
@click.argument("week")
@click.option(
    "--roster",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="roster CSV (default: course.toml's roster)",
)
@runner_option()
@executor_option
@click.pass_context
def run(
    ctx: click.Context,
    week: str,
    roster: Path | None,
    runner: str | None,
    executor: str | None,
) -> None:
    """Collect, grade, render and post feedback for WEEK; safe to run again.

    Stops before posting when a submission hit an infrastructure error.
    """
    report = api.run(
        course=_course(ctx),
        week=week,
        roster=roster,
        runner=overrides(runner=runner, executor=executor),
    )
    click.echo(str(report.collect))
    click.echo(f"graded {len(report.grade.graded)}, unchanged {len(report.grade.skipped)}")
    click.echo(str(report.post))
    if not report.ok:
        ctx.exit(1)
