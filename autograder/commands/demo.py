"""``demo``: the whole job, offline, on the bundled sample classroom."""

from __future__ import annotations

from pathlib import Path

import click

from autograder.commands import console, summary_table
from gpu_runner.runners.registry import runner_names


@click.command("demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("autograder-demo"),
    show_default=True,
    help="Where to put the demo course.",
)
@click.option(
    "--runner",
    type=click.Choice(["auto", *runner_names()]),
    default="auto",
    show_default=True,
    help="auto: Docker when a daemon and the grading image are there, else process.",
)
@click.option(
    "--language", type=click.Choice(["ko", "en"]), default=None, help="Feedback language."
)
def demo(out: Path, runner: str, language: str | None) -> None:
    """Run the whole job offline on the bundled sample classroom.

    Copies the sample course to --out, releases it, collects the sample
    submissions from local folders, grades them (Docker when a daemon and the
    grading image are there, else the process runner), writes feedback and
    prints a summary. No network, no token.
    """
    from autograder.demo import run_demo

    report = run_demo(out=out, runner=runner, language=language, console=console)
    console.print(summary_table(report))
    console.print(f"feedback: {out / '.autograder' / 'feedback'}")
