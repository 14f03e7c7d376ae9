"""The benchmark's course and submissions: built from the repo's own notebooks.

A throw-away course folder holds two weeks, ``demo01`` (the trivial demo
notebook from examples/demo-course) and ``week03`` (sklearn regression,
classification, ROC), both released with nbgrader. Submissions are the
release with its solution cells filled in three ways, in a fixed rotation:

- correct: the instructor's solution (``### BEGIN/END SOLUTION`` bodies);
- partial: demo01 with a wrong ``mean``; week03 = tests/course_cases/week03/mistake.ipynb;
- broken: the first solution cell raises, so everything after it fails.

Every tool in the bench grades exactly these files.
"""

from __future__ import annotations

import copy
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import gpu_runner._fastimport  # noqa: F401  (before nbformat)

# isort: split
import nbformat

from autograder.course import Course
from autograder.nbgrader_adapter import release_week

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "demo-course"
KINDS = ("correct", "partial", "broken")
SOLUTION = re.compile(r"[ \t]*### BEGIN SOLUTION\n(.*?)[ \t]*### END SOLUTION\n?", re.S)

COURSE_TOML = """\
name = "bench"
language = "ko"
workspace = ".autograder"
runner = "process"
image = "autograder-grading:bench"  # compare.py builds this tag
"""


@dataclass(frozen=True)
class Submission:
    login: str
    week: str
    kind: str
    notebook: str  # file name
    data: bytes


def make_course(root: Path, weeks: tuple[str, ...] = ("demo01", "week03")) -> Course:
    """A released course with the chosen weeks under `root` (created)."""
    if root.exists():
        shutil.rmtree(root)
    (root / "solutions").mkdir(parents=True)
    (root / "course.toml").write_text(COURSE_TOML)
    sources = {"demo01": DEMO / "solutions" / "demo01", "week03": REPO / "solutions" / "week03"}
    for week in weeks:
        shutil.copytree(
            sources[week],
            root / "solutions" / week,
            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"),
        )
    course = Course(root)
    for week in weeks:
        release_week(course, week)
    return course


def _source_solutions(course: Course, week: str) -> dict[str, str]:
    nb = nbformat.read(course.solutions_dir / week / f"{week}.ipynb", as_version=4)
    out = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id"):
            out[meta["grade_id"]] = SOLUTION.sub(lambda m: m.group(1), cell.source)
    return out


def _filled(course: Course, week: str, answers: dict[str, str]) -> nbformat.NotebookNode:
    nb = nbformat.read(course.assignments_dir / week / f"{week}.ipynb", as_version=4)
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


def variants(course: Course, week: str) -> dict[str, bytes]:
    """kind -> notebook bytes for one week."""
    good = _source_solutions(course, week)
    first = next(iter(good))
    if week == "demo01":
        partial = _filled(course, week, {**good, "mean": "def mean(xs):\n    return 0"})
    else:
        partial = nbformat.read(
            REPO / "tests" / "course_cases" / week / "mistake.ipynb", as_version=4
        )
    broken = _filled(course, week, {**good, first: "raise RuntimeError('not done yet')"})
    nbs = {"correct": _filled(course, week, good), "partial": partial, "broken": broken}
    return {k: nbformat.writes(v).encode() for k, v in nbs.items()}


def make_submissions(course: Course, week: str, n: int) -> list[Submission]:
    made = variants(course, week)
    return [
        Submission(
            login=f"s{i:04d}",
            week=week,
            kind=KINDS[i % 3],
            notebook=f"{week}.ipynb",
            data=made[KINDS[i % 3]],
        )
        for i in range(n)
    ]


def place_in_workspace(course: Course, subs: list[Submission]) -> None:
    """Write submissions where `autograder grade WEEK` finds them (no metadata file)."""
    for sub in subs:
        folder = course.submission_dir(sub.week, sub.login)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / sub.notebook).write_bytes(sub.data)
