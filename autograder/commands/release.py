"""``release``: solutions/WEEK -> assignments/WEEK (nbgrader's generate_assignment)."""

from __future__ import annotations

import click

from autograder import api
from autograder.commands import console, course_of
from autograder.errors import StaleReleaseError


@click.command("release")
@click.argument("weeks", nargs=-1)
@click.option(
    "--check", is_flag=True, help="Exit 4 when a committed release is stale; write nothing."
)
@click.pass_context
def release(ctx: click.Context, weeks: tuple[str, ...], check: bool) -> None:
    """Generate the student version: solutions/WEEK -> assignments/WEEK.

    Uses nbgrader's generate_assignment: solutions stripped, hidden tests
    removed, outputs cleared, checksums set, public data copied; hidden/ and
    assignment.toml are never released. Without WEEK, every week.
    """
    course = course_of(ctx)
    if check:
        names = list(weeks) or course.week_names()
        stale = api.stale_releases(course=course, weeks=names)
        for week in names:
            if week in stale:
                console.print(f"[red]stale[/red] {week}: " + "; ".join(stale[week][:5]))
            else:
                console.print(f"[green]fresh[/green] {week}")
        if stale:
            raise StaleReleaseError(
                f"{len(stale)} stale releases: run `autograder release WEEK` and commit"
            )
        return
    for week, out in api.release(course=course, weeks=list(weeks)).items():
        console.print(f"released {week} -> {out.relative_to(course.root)}")
