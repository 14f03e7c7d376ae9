"""The command line's shell: lazy commands, the runner registry, errors as exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from autograder.cli import COMMANDS, cli
from autograder.course import Course
from autograder.errors import ConfigError, RunnerUnavailableError
from autograder.runner_factory import RunnerOverrides, build_runner, runner_error
from gpu_runner.runners import ProcessRunner, RunnerUnavailable, UnknownRunner
from gpu_runner.runners.registry import BUILTIN, GROUP, runner_names
from tests.conftest import REPO


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
    )


def test_lazy_short_helps_are_the_commands_own() -> None:
    for name, (_, short) in COMMANDS.items():
        command = cli.get_command(click.Context(cli), name)
        assert command is not None, name
        for limit in (45, 60, 80, 120):
            assert click.utils.make_default_short_help(short, limit) == (
                command.get_short_help_str(limit)
            ), name


def test_help_imports_no_command_module() -> None:
    code = (
        "import sys; from autograder.cli import main; sys.argv = ['autograder', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('autograder.commands', 'autograder.course', 'github', "
        "'sqlalchemy', 'requests', 'nbformat', 'pydantic', 'rich') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=True,
    ).stdout
    assert "HEAVY []" in out, out
    for name in COMMANDS:
        assert f"  {name} " in out


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for name in COMMANDS:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)


def test_builtin_runners_are_registered_in_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["project"]["entry-points"][GROUP] == BUILTIN
    assert runner_names()[:2] == ["process", "docker"]


def test_grade_choices_come_from_the_registry() -> None:
    grade = cli.get_command(click.Context(cli), "grade")
    assert grade is not None
    (option,) = [p for p in grade.params if p.name == "runner"]
    assert isinstance(option.type, click.Choice)
    assert list(option.type.choices) == runner_names()


def test_build_runner_honours_the_course(demo_course: Course) -> None:
    runner = build_runner(demo_course, RunnerOverrides(runner="process"))
    assert isinstance(runner, ProcessRunner)
    with pytest.raises(ConfigError, match="unknown runner 'nope'"):
        build_runner(demo_course, RunnerOverrides(runner="nope"))


def test_runner_errors_map_to_the_error_tree() -> None:
    assert isinstance(runner_error(RunnerUnavailable("no daemon")), RunnerUnavailableError)
    assert isinstance(runner_error(UnknownRunner("x")), ConfigError)
    assert runner_error(ValueError("other")) is None


def test_bad_runner_name_is_a_usage_error() -> None:
    proc = _run("grade", "demo01", "--runner", "nope")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "'nope' is not one of" in proc.stderr


def test_course_with_unknown_runner_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "course.toml").write_text('runner = "nope"\n')
    (tmp_path / "solutions").mkdir()
    proc = _run("--course", str(tmp_path), "grade", "w1")
    assert proc.returncode == 2, proc.stderr
    assert "runner" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_docker_daemon_exits_3_without_traceback(demo_course: Course) -> None:
    env = {"DOCKER_HOST": "unix:///nonexistent"}
    week = demo_course.week_names()[0]
    notebook = next((demo_course.root / "assignments" / week).glob("*.ipynb"))
    one = _run(
        "--course", str(demo_course.root), "grade", week, "--runner", "docker",
        "--submission", str(notebook), "--student", "alice", "--json", env=env,
    )  # fmt: skip
    assert one.returncode == 3, one.stderr
    assert '"status": "error"' in one.stdout
    assert "Traceback" not in one.stderr and "no Docker daemon" in one.stderr


def test_export_all_weeks_and_its_old_spelling(demo_course: Course) -> None:
    for flag in ("--all-weeks", "--course"):
        result = CliRunner().invoke(
            cli, ["--course", str(demo_course.root), "export", flag, "-o", "-"]
        )
        assert result.exit_code == 0, result.output
        assert result.output.startswith("login,")
    result = CliRunner().invoke(cli, ["--course", str(demo_course.root), "export"])
    assert result.exit_code == 2 and "--all-weeks" in result.output


def test_the_api_is_keyword_only() -> None:
    import inspect

    from autograder import api

    names = ("release", "stale_releases", "collect", "grade", "grade_submission")
    for name in (*names, "feedback", "report", "export", "run"):
        params = inspect.signature(getattr(api, name)).parameters.values()
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params), name
