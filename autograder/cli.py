"""The command line: a thin layer over the keyword-only Python API (`autograder.api`).

Library code raises `AutograderError`s; only the CLI prints and exits.
Exit codes: 0 ok · 1 some submissions hit an infrastructure error ·
2 bad usage or configuration · 3 runner unavailable · 4 stale release.

Commands are named here with their module and short help, and a module is
imported only when its command runs or shows its own help, so ``--help`` and
the commands that need no GitHub, SQLAlchemy or nbgrader start fast.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from autograder import __version__
from autograder.errors import AutograderError

#: command -> (``module:attribute``, short help shown by ``autograder --help``);
#: tests/test_cli.py checks each short help against the command's own.
COMMANDS: dict[str, tuple[str, str]] = {
    "collect": (
        "autograder.commands.collect:collect",
        "Collect submissions into the workspace (from GitHub, or --from DIR).",
    ),
    "demo": (
        "autograder.commands.demo:demo",
        "Run the whole job offline on the bundled sample classroom.",
    ),
    "export": (
        "autograder.commands.report:export",
        "Export grades as CSV: nbgrader's columns plus ours (WEEK), or one row per student "
        "(--all-weeks).",
    ),
    "feedback": (
        "autograder.commands.feedback:feedback",
        "Render feedback (Markdown) for every graded submission of WEEK.",
    ),
    "formgrader": (
        "autograder.commands.manual:formgrader",
        "Open nbgrader's formgrader on the course, on 127.0.0.1 only, with a token.",
    ),
    "grade": (
        "autograder.commands.grade:grade",
        "Grade collected submissions of WEEK (or one --submission).",
    ),
    "image": (
        "autograder.commands.image:image",
        "Build and inspect the grading images (docker/Dockerfile, docker/Dockerfile.gpu).",
    ),
    "manual": (
        "autograder.commands.manual:manual",
        "Enter hand grades without Jupyter: WEEK STUDENT CELL --points P, or --import FILE.csv.",
    ),
    "provision": (
        "autograder.commands.github:provision",
        "Create each student's private repo from the template and add the student.",
    ),
    "publish": (
        "autograder.commands.github:publish",
        "Push assignments/WEEK to the week's template repository (idempotent).",
    ),
    "release": (
        "autograder.commands.release:release",
        "Generate the student version: solutions/WEEK -> assignments/WEEK.",
    ),
    "report": (
        "autograder.commands.report:report",
        "Write a self-contained HTML report with plots for WEEK (or --all-weeks).",
    ),
    "run": (
        "autograder.commands.github:run",
        "Collect, grade, render and post feedback for WEEK; safe to run again.",
    ),
    "serve": (
        "autograder.commands.serve:serve",
        "Receive GitHub push webhooks on POST /webhook and grade each push.",
    ),
    "similarity": (
        "autograder.commands.similarity:similarity",
        "Compare the students' own code (and unusual outputs) of WEEK, pair by pair.",
    ),
    "status": (
        "autograder.commands.report:status",
        "Every student of WEEK: collected?, graded?, score, late, feedback posted?, problems.",
    ),
    "watch": (
        "autograder.commands.serve:watch",
        "Poll GitHub for pushes (for graders GitHub cannot reach) and grade each push.",
    ),
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is needed.

    The listing (``autograder --help``) comes from `COMMANDS`' short helps; an
    error of the library's tree, or a runner's, ends in one line and its exit code.
    """

    def __init__(self, *args: object, lazy: dict[str, tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in self.lazy:
            return None
        module, _, attribute = self.lazy[cmd_name][0].partition(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = [n for n in self.list_commands(ctx) if not self._hidden(n)]
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = [(name, self._short_help(name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _hidden(self, name: str) -> bool:
        command = self.commands.get(name)
        return bool(command is not None and command.hidden)

    def _short_help(self, name: str, limit: int) -> str:
        if name in self.commands:
            return self.commands[name].get_short_help_str(limit)
        return click.utils.make_default_short_help(self.lazy[name][1], limit)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            error = exc if isinstance(exc, AutograderError) else _library_error(exc)
            if error is None:
                raise
            click.echo(click.style("error:", fg="red") + f" {error}", err=True)
            sys.exit(error.exit_code)


def _library_error(exc: Exception) -> AutograderError | None:
    """A runner's error in the library's tree (imports the runner side only on failure)."""
    from autograder.runner_factory import runner_error

    return runner_error(exc)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--course",
    "course_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Course folder (holds course.toml, solutions/, assignments/).",
)
@click.version_option(__version__, prog_name="autograder")
@click.pass_context
def cli(ctx: click.Context, course_dir: Path) -> None:
    """Grade nbgrader notebook assignments in sandboxed containers.

    Typical week: release WEEK → publish WEEK → collect WEEK → grade WEEK →
    feedback WEEK --post. `autograder demo` runs the whole job offline on a
    bundled sample classroom.
    """
    ctx.obj = {"course_dir": course_dir, "course": None}


def main() -> None:
    cli(prog_name="autograder")


if __name__ == "__main__":
    main()
