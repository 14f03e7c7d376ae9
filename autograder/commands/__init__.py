"""Command modules of the CLI, one per concern (pipx's ``commands/<verb>.py``).

`autograder.cli` names each command with its module and short help and imports
the module only when the command runs or shows its own help. A command parses
its options, calls one function of `autograder.api` and renders the report;
the helpers here are what several commands share.
"""

from __future__ import annotations

import gpu_runner._fastimport  # noqa: F401  (before nbformat)

# isort: split
import json
import sys
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

if TYPE_CHECKING:
    from collections.abc import Callable

    from autograder.course import Course
    from autograder.grading import BatchReport
    from autograder.runner_factory import RunnerOverrides

console = Console(stderr=True)


def course_of(ctx: click.Context) -> Course:
    """The course named by the root command's ``--course`` (loaded on first use)."""
    from autograder.course import Course

    obj = ctx.find_root().obj
    if isinstance(obj, Course):
        return obj
    if isinstance(obj, dict) and "course_dir" in obj:
        if obj.get("course") is None:
            obj["course"] = Course(obj["course_dir"])
        course: Course = obj["course"]
        return course
    raise click.UsageError("no course loaded (run inside a course folder or pass --course DIR)")


def print_json(data: object) -> None:
    """UTF-8 on stdout whatever the locale (every string in a result is valid Unicode)."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


def runner_option(help_text: str = "How jobs run (default: course.toml).") -> Callable[..., Any]:
    """``--runner NAME``: its choices are the registered backends (docs/runners.md)."""
    from gpu_runner.runners.registry import runner_names

    return click.option("--runner", type=click.Choice(runner_names()), help=help_text)


executor_option = click.option(
    "--executor", type=click.Choice(["local", "ray"]), help="Where jobs run (default: course.toml)."
)


def overrides(**options: Any) -> RunnerOverrides:
    """The runner options of a command line as `RunnerOverrides` (None: the course's)."""
    from autograder.runner_factory import RunnerOverrides

    return RunnerOverrides(**{k: v for k, v in options.items() if v is not None})


def summary_table(report: BatchReport) -> Any:
    """The end-of-batch table: one row per graded student."""
    from rich.table import Table

    results = report.graded + report.errors
    table = Table(
        title=f"graded {len(results)}, unchanged {len(report.skipped)}, {report.wall_s:.1f} s"
    )
    for col in ("student", "status", "score", "late", "problems", "flags"):
        table.add_column(col)
    for r in sorted(results, key=lambda r: r.student):
        table.add_row(
            r.student,
            r.status,
            f"{r.score:g}/{r.max_score:g}",
            "yes" if r.late_seconds > 0 else "",
            str(len(r.problems)),
            str(len(r.flags)),
        )
    return table
