"""CLI commands of the GitHub side: ``publish``, ``provision``, ``run``.

The core's ``collect WEEK`` (without ``--from``) and ``feedback WEEK --post`` call
`autograder.github.collect_week` / `post_feedback` and may print with the
``echo_*`` helpers below. Every command takes the `Course` from ``ctx.obj``.
Exit codes: 0 ok, 1 some students failed (see the summary), 2 bad usage/config.
"""

from __future__ import annotations

from pathlib import Path

import click

from autograder.commands import course_of
from autograder.github import (
    CollectReport,
    PostReport,
    provision_week,
    publish_week,
    run_week,
)


def echo_collect_report(report: CollectReport) -> None:
    click.echo(str(report))


def echo_post_report(report: PostReport) -> None:
    click.echo(str(report))


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


def _sibling(ctx: click.Context, name: str) -> click.Command:
    root = ctx.find_root()
    group = root.command
    command = group.get_command(root, name) if isinstance(group, click.Group) else None
    if command is None:
        raise click.UsageError(f"`{name}` command is not available")
    return command


@click.command("run")
@click.argument("week")
@click.option(
    "--roster",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="roster CSV (default: course.toml's roster)",
)
@click.pass_context
def run(ctx: click.Context, week: str, roster: Path | None) -> None:
    """Collect, grade, render and post feedback for WEEK; safe to run again."""
    course = _course(ctx)
    report = run_week(
        course=course,
        week=week,
        roster=roster,
        grade=lambda: ctx.invoke(_sibling(ctx, "grade"), week=week),
        render=lambda: ctx.invoke(_sibling(ctx, "feedback"), week=week),
    )
    echo_collect_report(report.collect)
    echo_post_report(report.post)
    if not report.ok:
        ctx.exit(1)


COMMANDS = (publish, provision, run)
