"""Shared fixtures: a released copy of the demo course and submission builders."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

import gpu_runner._fastimport  # noqa: F401
from autograder.course import Course
from autograder.nbgrader_adapter import release_week

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "demo-course"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def docker_available() -> str | None:
    """None when a Docker daemon answers, else why not."""
    if shutil.which("docker") is None:
        return "the docker client is not installed"
    try:
        subprocess.run(["docker", "info"], check=True, capture_output=True, timeout=20)
    except (subprocess.SubprocessError, OSError) as exc:
        return f"no Docker daemon answers ({type(exc).__name__})"
    return None


def require_docker() -> None:
    """Skip outside CI when there is no daemon; in CI (CI=true) a missing daemon fails."""
    reason = docker_available()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"CI=true but Docker is unavailable: {reason}")
    pytest.skip(f"Docker tests skipped: {reason} (they run in CI)")


@pytest.fixture(scope="session")
def demo_course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    root = tmp_path_factory.mktemp("course") / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".autograder", "assignments", "__pycache__"))
    course = Course(root)
    for week in course.week_names():  # demo01, and demo02 (a hand-graded written answer)
        release_week(course, week)
    return course


@pytest.fixture
def fresh_course(tmp_path: Path) -> Course:
    """A private, released copy of the demo course (for tests that write a workspace)."""
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".autograder", "assignments", "__pycache__"))
    course = Course(root)
    for week in course.week_names():  # demo01, and demo02 (a hand-graded written answer)
        release_week(course, week)
    return course


SOLUTIONS = {
    "squares": "def squares(n):\n    return [i * i for i in range(n)]",
    "mean": "def mean(xs):\n    if not xs:\n        raise ValueError('empty')\n    return sum(xs) / len(xs)",
    "count_words": (
        "def count_words(text):\n    counts = {}\n    for w in text.split():\n"
        "        counts[w] = counts.get(w, 0) + 1\n    return counts"
    ),
}


def released(course: Course) -> nbformat.NotebookNode:
    return nbformat.read(course.assignments_dir / "demo01" / "demo01.ipynb", as_version=4)


def filled(course: Course, answers: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """The release with solution cells replaced by `answers` (default: correct ones)."""
    nb = copy.deepcopy(released(course))
    chosen = {**SOLUTIONS, **(answers or {})}
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in chosen:
            cell.source = chosen[gid]
    return nb


def cell_by_id(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


NotebookBytes = Callable[[nbformat.NotebookNode], dict[str, bytes]]


@pytest.fixture
def as_files() -> NotebookBytes:
    return lambda nb: {"demo01.ipynb": nbformat.writes(nb).encode()}
