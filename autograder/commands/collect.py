"""``collect``: submissions of a week into the workspace (GitHub, or a local folder)."""

from __future__ import annotations

from pathlib import Path

import click

from autograder import api
from autograder.commands import console, course_of


@click.command("collect")
@click.argument("week")
@click.option(
    "--from",
    "source",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Local folder DIR/<login>/<files> instead of GitHub.",
)
@click.pass_context
def collect(ctx: click.Context, week: str, source: Path | None) -> None:
    """Collect submissions into the workspace (from GitHub, or --from DIR)."""
    report = api.collect(course=course_of(ctx), week=week, source=source)
    if isinstance(report, list):
        console.print(f"collected {len(report)} submissions of {week} from {source}")
    else:
        console.print(str(report))
