"""CLI commands of the reports: ``report``, ``export``, ``status``.

Exit codes: 0 ok, 2 bad usage (click), the `AutograderError` codes otherwise.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from autograder import api
from autograder.commands import course_of

LANGUAGE = click.option(
    "--language", type=click.Choice(["ko", "en"]), help="Override course.toml's language."
)


_course = course_of


def all_weeks_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--all-weeks``, and its old spelling ``--course`` kept as a hidden alias.

    The old name clashed with the root ``autograder --course DIR``; both still
    parse (``autograder --course DIR export --course`` too), only the new is shown.
    """

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        f = click.option("--course", "all_weeks_alias", is_flag=True, hidden=True)(f)
        return click.option("--all-weeks", "all_weeks", is_flag=True, help=help_text)(f)

    return decorate


def _weeks(week: str | None, all_weeks: bool) -> str | None:
    if all_weeks and week:
        raise click.UsageError("give WEEK or --all-weeks, not both")
    if not all_weeks and not week:
        raise click.UsageError("give WEEK, or --all-weeks for the whole course")
    return week


@click.command("report")
@click.argument("week", required=False)
@all_weeks_option("Every week on one page, plus the gradebook.")
@LANGUAGE
@click.option("--leaderboard", is_flag=True, help="Add an anonymised leaderboard per threshold.")
@click.option(
    "--no-feedback-html", is_flag=True, help="Do not write per-student HTML feedback pages."
)
@click.pass_context
def report(
    ctx: click.Context,
    week: str | None,
    all_weeks: bool,
    all_weeks_alias: bool,
    language: str | None,
    leaderboard: bool,
    no_feedback_html: bool,
) -> None:
    """Write a self-contained HTML report with plots for WEEK (or --all-weeks).

    Files go to <workspace>/reports/WEEK/report.html with the plots as PNGs
    beside it (they are also embedded, so the HTML is one portable file), and
    per-student feedback pages to <workspace>/feedback/WEEK/<login>.html.
    """
    files = api.report(
        course=_course(ctx),
        week=_weeks(week, all_weeks or all_weeks_alias),
        language=language,
        leaderboard=leaderboard,
        feedback_html=not no_feedback_html,
    )
    click.echo(f"report: {files.html}")
    for path in files.plots:
        click.echo(f"plot:   {path}")
    if files.feedback:
        click.echo(f"feedback pages: {len(files.feedback)} in {files.feedback[0].parent}")


@click.command("export")
@click.argument("week", required=False)
@all_weeks_option("Whole-course gradebook for the LMS.")
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="File to write ('-' for stdout); default <workspace>/reports/WEEK.csv or course.csv.",
)
@click.pass_context
def export(
    ctx: click.Context,
    week: str | None,
    all_weeks: bool,
    all_weeks_alias: bool,
    fmt: str,
    output: Path | None,
) -> None:
    """Export grades as CSV: nbgrader's columns plus ours (WEEK), or one row per student (--all-weeks)."""
    from autograder.reports.week_report import reports_dir

    course = _course(ctx)
    chosen = _weeks(week, all_weeks or all_weeks_alias)
    text = api.export(course=course, week=chosen)
    if output is not None and str(output) == "-":
        click.echo(text, nl=False)
        return
    path = output or reports_dir(course) / f"{chosen or 'course'}.{fmt}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(f"wrote {path}")


@click.command("status")
@click.argument("week")
@LANGUAGE
@click.pass_context
def status(ctx: click.Context, week: str, language: str | None) -> None:
    """Every student of WEEK: collected?, graded?, score, late, feedback posted?, problems."""
    from autograder.reports import gather_week, status_table

    course = _course(ctx)
    data = gather_week(course, week)
    console = Console(width=None if sys.stdout.isatty() else 160)
    console.print(status_table(data, language=language or course.config.language))
