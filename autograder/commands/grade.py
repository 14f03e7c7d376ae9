"""``grade``: a week's collected submissions in parallel, or one ``--submission``.

With ``--submission ... --json`` stdout is one result-contract object whatever
happens (exit 3 when the runner is unavailable, 2 for bad configuration).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from autograder import api
from autograder.commands import (
    console,
    course_of,
    executor_option,
    overrides,
    print_json,
    runner_option,
    summary_table,
)
from autograder.runner_factory import RunnerOverrides


@click.command("grade")
@click.argument("week")
@click.option(
    "--submission",
    type=click.Path(exists=True, path_type=Path),
    help="Grade this notebook or folder only.",
)
@click.option("--student", help="Login for --submission.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the result contract as JSON on stdout."
)
@runner_option()
@executor_option
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), help="Parallel jobs (default: cores and memory)."
)
@click.option("--image", help="Docker runner: grading image for every job (default: course).")
@click.option("--gpus", help='Docker runner: GPU ids, e.g. "0,1", or "none" (default: detected).')
@click.option(
    "--jobs-per-gpu",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Docker runner: jobs packed on one GPU.",
)
@click.option("--force", is_flag=True, help="Regrade unchanged submissions too.")
@click.option(
    "--submitted-at",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z"]),
    help="Submission time for --submission (lateness).",
)
@click.pass_context
def grade(
    ctx: click.Context,
    week: str,
    submission: Path | None,
    student: str | None,
    as_json: bool,
    runner: str | None,
    executor: str | None,
    jobs: int | None,
    image: str | None,
    gpus: str | None,
    jobs_per_gpu: int,
    force: bool,
    submitted_at: datetime | None,
) -> None:
    """Grade collected submissions of WEEK (or one --submission).

    Batch mode grades the workspace's submissions in parallel with a progress
    bar, records each result as it finishes (an interrupted batch resumes),
    and skips unchanged submissions unless --force. Exit 1 if any submission
    hit an infrastructure error.
    """
    chosen = overrides(
        runner=runner, executor=executor, image=image, gpus=gpus, jobs_per_gpu=jobs_per_gpu
    )
    if submission is not None:
        if not student:
            raise click.UsageError("--submission needs --student LOGIN")
        _grade_one(
            ctx, week, submission=submission, student=student, as_json=as_json, runner=chosen,
            submitted_at=submitted_at,
        )  # fmt: skip
        return
    course = course_of(ctx)
    course.week(week)  # a bad course or week is said before the progress bar shows
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=as_json,
    )
    task = progress.add_task(f"grading {week}", total=0)
    with progress:
        report = api.grade(
            course=course,
            week=week,
            runner=chosen,
            jobs=jobs,
            force=force,
            on_start=lambda n, skipped: progress.update(task, total=n),
            on_done=lambda login, result: progress.advance(task),
        )
    if as_json:
        print_json([r.to_dict() for r in report.graded + report.errors])
    else:
        console.print(summary_table(report))
    if report.errors:
        console.print(f"[red]{len(report.errors)} submissions hit an infrastructure error[/red]")
        sys.exit(1)


def _grade_one(
    ctx: click.Context,
    week: str,
    *,
    submission: Path,
    student: str,
    as_json: bool,
    runner: RunnerOverrides,
    submitted_at: datetime | None,
) -> None:
    """`grade --submission`: with --json, stdout is one JSON object whatever happens."""
    from autograder.grading import error_result
    from autograder.runner_factory import runner_error

    language = "ko"
    try:
        course = course_of(ctx)
        language = course.config.language
        result = api.grade_submission(
            course=course,
            week=week,
            submission=submission,
            student=student,
            runner=runner,
            submitted_at=submitted_at,
        )
    except Exception as exc:
        if not as_json:
            raise
        error = runner_error(exc)
        result = error_result(
            None, week=week, login=student, exc=exc, language=language, log_traceback=error is None
        )
        if error is not None:
            console.print(f"[red]error:[/red] {error}")
        print_json(result.to_dict())
        sys.exit(error.exit_code if error is not None else 1)
    if as_json:
        print_json(result.to_dict())
    else:
        from autograder.feedback import to_markdown

        click.echo(
            to_markdown(result, language=course.config.language, title=course.week(week).title)
        )
    sys.exit(1 if result.status == "error" else 0)
