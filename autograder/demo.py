"""`autograder demo`: the main job, offline, on the bundled sample classroom."""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.console import Console

from autograder.course import Course
from autograder.feedback import write_feedback
from autograder.grading import BatchReport, grade_week
from autograder.nbgrader_adapter import release_week
from autograder.submissions import collect_local
from gpu_runner.runners import ProcessRunner, Runner, RunnerUnavailable, get_runner


def bundled_course() -> Path:
    """The sample classroom: in the source tree, or packaged inside the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "examples" / "demo-course", here / "_demo_course"):
        if (candidate / "course.toml").is_file():
            return candidate
    raise FileNotFoundError("the bundled demo course is missing from this installation")


def pick_runner(choice: str, image: str, console: Console) -> Runner:
    if choice == "process":
        return ProcessRunner()
    try:
        runner = get_runner("docker", image=image)
        runner.prepare()
        return runner
    except (RunnerUnavailable, ImportError, ModuleNotFoundError) as exc:
        if choice == "docker":
            raise
        console.print(
            f"[yellow]Docker not available ({exc}); using the process runner (trusted demo code only)[/yellow]"
        )
        return ProcessRunner()


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
        release_week(course, week)
        console.print(f"[bold]collect[/bold] {week} from submissions/")
        collect_local(course, week, out / "submissions")
        console.print(f"[bold]grade[/bold] {week}")
        chosen = pick_runner(
            runner, course.week(week).resources.image or course.config.image, console
        )
        week_report = grade_week(course, week, runner=chosen)
        write_feedback(course, week, language=language)
        report.graded += week_report.graded
        report.errors += week_report.errors
        report.skipped += week_report.skipped
        report.wall_s += week_report.wall_s
    return report
