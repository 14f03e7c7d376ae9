"""`autograder demo`: the main job, offline, on the bundled sample classroom."""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.console import Console

from autograder import api
from autograder.course import Course
from autograder.errors import RunnerUnavailableError
from autograder.grading import BatchReport
from autograder.runner_factory import RunnerOverrides, build_runner
from gpu_runner.runners import Runner


def bundled_course() -> Path:
    """The sample classroom: in the source tree, or packaged inside the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "examples" / "demo-course", here / "_demo_course"):
        if (candidate / "course.toml").is_file():
            return candidate
    raise FileNotFoundError("the bundled demo course is missing from this installation")


def pick_runner(choice: str, course: Course, week: str, console: Console) -> Runner:
    """`choice` (``process``, ``docker``), or ``auto``: Docker when it works here, else process."""
    if choice != "auto":
        return build_runner(course, RunnerOverrides(runner=choice), week=week)
    try:
        runner = build_runner(course, RunnerOverrides(runner="docker"), week=week)
        runner.prepare()
        return runner
    except RunnerUnavailableError as exc:
        console.print(
            f"[yellow]Docker not available ({exc}); using the process runner "
            "(trusted demo code only)[/yellow]"
        )
        return build_runner(course, RunnerOverrides(runner="process"), week=week)


def run_demo(
    *, out: Path, runner: str = "auto", language: str | None = None, console: Console
) -> BatchReport:
    source = bundled_course()
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(source, out, ignore=shutil.ignore_patterns(".autograder", "__pycache__"))
    course = Course(out)
    report = BatchReport()
    for week in course.week_names():
        console.print(f"[bold]release[/bold] {week}")
        api.release(course=course, weeks=[week])
        console.print(f"[bold]collect[/bold] {week} from submissions/")
        api.collect(course=course, week=week, source=out / "submissions")
        console.print(f"[bold]grade[/bold] {week}")
        chosen = pick_runner(runner, course, week, console)
        week_report = api.grade(course=course, week=week, runner=chosen)
        api.feedback(course=course, week=week, language=language)
        report.graded += week_report.graded
        report.errors += week_report.errors
        report.skipped += week_report.skipped
        report.wall_s += week_report.wall_s
    return report
