"""``feedback``: render every graded submission's feedback; ``--post`` as GitHub issues."""

from __future__ import annotations

import click

from autograder import api
from autograder.commands import console, course_of


@click.command("feedback")
@click.argument("week")
@click.option("--post", is_flag=True, help="Also post each as an issue in the student's repo.")
@click.option(
    "--language", type=click.Choice(["ko", "en"]), help="Override course.toml's language."
)
@click.pass_context
def feedback(ctx: click.Context, week: str, post: bool, language: str | None) -> None:
    """Render feedback (Markdown) for every graded submission of WEEK."""
    course = course_of(ctx)
    report = api.feedback(course=course, week=week, post=post, language=language)
    console.print(f"wrote {len(report.written)} feedback files to {course.feedback_dir / week}")
    if report.posted is not None:
        console.print(str(report.posted))
