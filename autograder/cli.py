"""The command line: a thin layer over the keyword-only Python API.

Library code raises `AutograderError`s; only this module prints and exits.
Exit codes: 0 ok · 1 some submissions hit an infrastructure error ·
2 bad usage or configuration · 3 runner unavailable · 4 stale release.
"""

from __future__ import annotations

import gpu_runner._fastimport  # noqa: F401  (before nbformat)

# isort: split
import json
import sys
from datetime import datetime
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from autograder import __version__
from autograder.course import Course
from autograder.errors import AutograderError, ConfigError, RunnerUnavailableError
from gpu_runner.runners.base import Runner

console = Console(stderr=True)


def _course(ctx: click.Context) -> Course:
    from autograder.commands import course_of

    return course_of(ctx)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except AutograderError as exc:
            console.print(f"[red]error:[/red] {exc}")
            sys.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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


def make_runner(
    name: str,
    course: Course | None = None,
    *,
    image: str | None = None,
    gpus: str | None = None,
    jobs_per_gpu: int = 1,
) -> Runner:
    """The runner `name`, configured from the course and the command line."""
    from gpu_runner.runners import get_runner

    if name == "docker":
        default_image = course.config.image if course else "autograder-grading:latest"
        return get_runner(
            "docker", image=image, default_image=default_image, gpus=gpus, jobs_per_gpu=jobs_per_gpu
        )
    return get_runner(name)


# -- release ---------------------------------------------------------------------


@cli.command()
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
    from autograder.nbgrader_adapter import check_releases, release_week

    course = _course(ctx)
    names = list(weeks) or course.week_names()
    if not names:
        raise ConfigError(f"no weeks found in {course.solutions_dir}")
    if check:
        stale = check_releases(course, names)
        for week in names:
            if week in stale:
                console.print(f"[red]stale[/red] {week}: " + "; ".join(stale[week][:5]))
            else:
                console.print(f"[green]fresh[/green] {week}")
        if stale:
            sys.exit(4)
        return
    for week in names:
        out = release_week(course, week)
        console.print(f"released {week} -> {out.relative_to(course.root)}")


# -- collect ---------------------------------------------------------------------


@cli.command()
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
    course = _course(ctx)
    if source is not None:
        from autograder.submissions import collect_local

        metas = collect_local(course, week, source)
        console.print(f"collected {len(metas)} submissions of {week} from {source}")
        return
    from autograder.github import collect_week

    report = collect_week(course=course, week=week)
    console.print(str(report))


# -- grade -----------------------------------------------------------------------


def _summary(results: list, skipped: int, wall: float) -> Table:
    table = Table(title=f"graded {len(results)}, unchanged {skipped}, {wall:.1f} s")
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


@cli.command()
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
@click.option(
    "--runner",
    type=click.Choice(["process", "docker"]),
    help="How jobs run (default: course.toml).",
)
@click.option(
    "--executor", type=click.Choice(["local", "ray"]), help="Where jobs run (default: course.toml)."
)
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
    from autograder.grading import grade_week

    if submission is not None:
        if not student:
            raise click.UsageError("--submission needs --student LOGIN")
        _grade_one(
            ctx,
            week,
            submission=submission,
            student=student,
            as_json=as_json,
            runner=runner,
            executor=executor,
            image=image,
            gpus=gpus,
            jobs_per_gpu=jobs_per_gpu,
            submitted_at=submitted_at,
        )
        return
    course = _course(ctx)
    runner_obj = _runner_for(
        course, week, runner, executor, image=image, gpus=gpus, jobs_per_gpu=jobs_per_gpu
    )
    if jobs is None and _uses_ray(course, executor):
        runner_obj.prepare()
        res = course.week(week).resources  # size the pool to the cluster, not this host
        jobs = runner_obj.capacity(cpus=res.cpus, gpus=res.gpus)  # type: ignore[attr-defined]
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
        report = grade_week(
            course,
            week,
            runner=runner_obj,
            jobs=jobs,
            force=force,
            on_start=lambda n, skipped: progress.update(task, total=n),
            on_done=lambda login, result: progress.advance(task),
        )
    results = report.graded + report.errors
    if as_json:
        _print_json([r.to_dict() for r in results])
    else:
        console.print(_summary(results, len(report.skipped), report.wall_s))
    if report.errors:
        console.print(f"[red]{len(report.errors)} submissions hit an infrastructure error[/red]")
        sys.exit(1)


def _runner_for(
    course: Course,
    week: str,
    runner: str | None,
    executor: str | None,
    *,
    image: str | None,
    gpus: str | None,
    jobs_per_gpu: int,
) -> Runner:
    runner_obj = make_runner(
        runner or course.config.runner, course, image=image, gpus=gpus, jobs_per_gpu=jobs_per_gpu
    )
    if _uses_ray(course, executor):
        from gpu_runner.executors import wrap_executor

        runner_obj = wrap_executor("ray", runner_obj, **course.config.ray.options())
    return runner_obj


def _uses_ray(course: Course, executor: str | None) -> bool:
    return executor == "ray" or (executor is None and course.config.executor == "ray")


def _print_json(data: object) -> None:
    """UTF-8 on stdout whatever the locale (every string in a result is valid Unicode)."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


def _exit_code(exc: Exception) -> int:
    """The documented exit code of an error (3: no runner, as RunnerUnavailableError)."""
    from gpu_runner.runners import RunnerUnavailable

    if isinstance(exc, AutograderError):
        return exc.exit_code
    return RunnerUnavailableError.exit_code if isinstance(exc, RunnerUnavailable) else 1


def _grade_one(
    ctx: click.Context,
    week: str,
    *,
    submission: Path,
    student: str,
    as_json: bool,
    runner: str | None,
    executor: str | None,
    image: str | None,
    gpus: str | None,
    jobs_per_gpu: int,
    submitted_at: datetime | None,
) -> None:
    """`grade --submission`: with --json, stdout is one JSON object whatever happens."""
    from autograder.grading import error_result, grade_single
    from autograder.submissions import read_given

    language = "ko"
    try:
        course = _course(ctx)
        language = course.config.language
        runner_obj = _runner_for(
            course, week, runner, executor, image=image, gpus=gpus, jobs_per_gpu=jobs_per_gpu
        )
        files, problems = read_given(submission)
        result = grade_single(
            course,
            week,
            login=student,
            files=files,
            runner=runner_obj,
            submitted_at=submitted_at,
            problems=problems,
        )
    except Exception as exc:
        if not as_json:
            raise
        result = error_result(None, week=week, login=student, exc=exc, language=language)
        _print_json(result.to_dict())
        sys.exit(_exit_code(exc))
    if as_json:
        _print_json(result.to_dict())
    else:
        from autograder.feedback import to_markdown

        click.echo(
            to_markdown(result, language=course.config.language, title=course.week(week).title)
        )
    sys.exit(1 if result.status == "error" else 0)


# -- feedback --------------------------------------------------------------------


@cli.command()
@click.argument("week")
@click.option("--post", is_flag=True, help="Also post each as an issue in the student's repo.")
@click.option(
    "--language", type=click.Choice(["ko", "en"]), help="Override course.toml's language."
)
@click.pass_context
def feedback(ctx: click.Context, week: str, post: bool, language: str | None) -> None:
    """Render feedback (Markdown) for every graded submission of WEEK."""
    from autograder.feedback import write_feedback

    course = _course(ctx)
    paths = write_feedback(course, week, language=language)
    console.print(f"wrote {len(paths)} feedback files to {course.feedback_dir / week}")
    if post:
        from autograder.github import post_feedback

        console.print(str(post_feedback(course=course, week=week)))


# -- demo ------------------------------------------------------------------------


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("autograder-demo"),
    show_default=True,
    help="Where to put the demo course.",
)
@click.option(
    "--runner", type=click.Choice(["auto", "process", "docker"]), default="auto", show_default=True
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
    console.print(_summary(report.graded + report.errors, len(report.skipped), report.wall_s))
    console.print(f"feedback: {out / '.autograder' / 'feedback'}")


def _register_optional() -> None:
    """Commands of optional parts, registered when their modules are present."""
    import importlib

    for module in (
        "autograder.commands.github",
        "autograder.commands.image",
        "autograder.commands.manual",
        "autograder.commands.report",
        "autograder.commands.serve",
        "autograder.commands.similarity",
    ):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        for command in getattr(mod, "COMMANDS", ()):
            cli.add_command(command)


_register_optional()


def main() -> None:
    cli(prog_name="autograder")


if __name__ == "__main__":
    main()
