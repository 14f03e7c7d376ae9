"""CLI commands of hand grading: ``formgrader`` and ``manual``.

Exit codes: 0 ok, 2 bad usage or a hand grade that cannot be entered.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import click

from autograder.commands import course_of


@click.command("formgrader")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8765,
    show_default=True,
    help="Port on 127.0.0.1.",
)
@click.pass_context
def formgrader(ctx: click.Context, port: int) -> None:
    """Open nbgrader's formgrader on the course, on 127.0.0.1 only, with a token.

    Writes <workspace>/formgrader/nbgrader_config.py from course.toml and runs
    `jupyter server` with the formgrader extension until Ctrl-C. The token is
    $AUTOGRADER_FORMGRADER_TOKEN, else a new random one; the URL to open is
    printed. Scores and comments saved there show in export, report, status and
    feedback at once.
    """
    from autograder.manual.formgrader import formgrader_launch

    course = course_of(ctx)
    launch = formgrader_launch(course, port=port)
    click.echo(f"formgrader: {launch.url}")
    click.echo("stop with Ctrl-C")
    try:
        subprocess.run(list(launch.argv), env=launch.env, cwd=launch.cwd, check=False)
    except KeyboardInterrupt:
        pass


@click.command("manual")
@click.argument("week")
@click.argument("student", required=False)
@click.argument("cell", required=False)
@click.option("--points", type=float, help="The hand score of CELL.")
@click.option("--comment", help="The grader's comment on CELL (shown in the feedback).")
@click.option("--extra-credit", type=float, help="Extra credit on CELL.")
@click.option("--notebook", help="Notebook of CELL, when the week has several with that cell.")
@click.option(
    "--import",
    "import_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV with student,cell,points[,notebook,extra_credit,comment] (all or nothing).",
)
@click.pass_context
def manual(
    ctx: click.Context,
    week: str,
    student: str | None,
    cell: str | None,
    points: float | None,
    comment: str | None,
    extra_credit: float | None,
    notebook: str | None,
    import_file: Path | None,
) -> None:
    """Enter hand grades without Jupyter: WEEK STUDENT CELL --points P, or --import FILE.csv.

    Writes the same nbgrader gradebook rows formgrader does, so either way
    works and the last one saved wins.
    """
    from autograder.manual.entry import HandGradeEntry, read_hand_grade_csv, set_hand_grades

    course = course_of(ctx)
    if import_file is not None:
        if student or cell:
            raise click.UsageError("give STUDENT CELL or --import, not both")
        entries = read_hand_grade_csv(import_file)
    else:
        if not (student and cell):
            raise click.UsageError(
                "give STUDENT CELL (and --points, --comment...) or --import FILE"
            )
        if points is None and comment is None and extra_credit is None:
            raise click.UsageError("nothing to enter: give --points, --comment or --extra-credit")
        entries = [
            HandGradeEntry(
                student=student,
                cell=cell,
                points=points,
                notebook=notebook,
                extra_credit=extra_credit,
                comment=comment,
            )
        ]
    count = set_hand_grades(course, week=week, entries=entries)
    click.echo(f"entered {count} hand grades for {week}")
