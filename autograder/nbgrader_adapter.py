"""Everything traitlets: nbgrader's course directory, release and sanitize steps.

The rest of the project never builds a traitlets `Config`; it calls these
functions with the typed `Course`.
"""

from __future__ import annotations

import filecmp
import hashlib
import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode
from traitlets.config import Config

from autograder.course import Course, Week
from autograder.errors import ReleaseError, StaleReleaseError
from autograder.nbgrader_db import prime_nbgrader_db

log = logging.getLogger(__name__)

RELEASE_IGNORE = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    "hidden",
    "assignment.toml",
    ".DS_Store",
]


def nbgrader_config(
    course: Course,
    *,
    root: Path | None = None,
    db_url: str | None = None,
    week: Week | None = None,
) -> Config:
    """nbgrader's settings for this course, optionally rooted elsewhere (for checks)."""
    cfg = Config()
    cfg.CourseDirectory.root = str(root or course.root)
    cfg.CourseDirectory.source_directory = str(course.solutions_dir)
    cfg.CourseDirectory.release_directory = "assignments" if root else str(course.assignments_dir)
    cfg.CourseDirectory.submitted_directory = str(course.submitted_dir)
    cfg.CourseDirectory.autograded_directory = str(course.autograded_dir)
    cfg.CourseDirectory.feedback_directory = str(course.feedback_dir)
    cfg.CourseDirectory.db_url = db_url or course.db_url
    cfg.CourseDirectory.course_id = ""
    ignore = list(RELEASE_IGNORE)
    if week is not None:
        ignore += week.config.release_ignore
    cfg.CourseDirectory.ignore = ignore
    cfg.GenerateAssignment.force = True
    cfg.GenerateAssignment.create_assignment = True
    cfg.ClearSolutions.enforce_metadata = True
    return cfg


def _generate(course: Course, week: Week, *, root: Path, db_url: str) -> Path:
    from nbgrader.converters import GenerateAssignment
    from nbgrader.converters.base import NbGraderException
    from nbgrader.coursedir import CourseDirectory

    cfg = nbgrader_config(course, root=root, db_url=db_url, week=week)
    coursedir = CourseDirectory(config=cfg)
    converter = GenerateAssignment(coursedir=coursedir, config=cfg)
    converter.log.setLevel(logging.ERROR)
    # nbgrader inserts the assignment into its gradebook before generating
    from nbgrader.api import Gradebook

    prime_nbgrader_db(db_url)  # before nbgrader would run `alembic` from PATH
    with Gradebook(db_url) as gb:
        gb.update_or_create_assignment(week.name)
    try:
        converter.start_for_assignment = None  # type: ignore[attr-defined]
        coursedir.assignment_id = week.name
        converter.start()
    except NbGraderException as exc:
        raise ReleaseError(f"nbgrader could not generate {week.name}: {exc}") from exc
    except Exception as exc:  # nbgrader raises plain exceptions for bad metadata
        raise ReleaseError(f"nbgrader could not generate {week.name}: {exc}") from exc
    out = Path(coursedir.format_path(coursedir.release_directory, ".", week.name))
    if not out.is_dir():
        raise ReleaseError(f"nbgrader produced no release for {week.name}")
    return out


def release_week(course: Course, week_name: str) -> Path:
    """solutions/W -> assignments/W (and the source cells into the gradebook)."""
    week = course.week(week_name)
    course.workspace.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="autograder-release-") as tmp:
        out = _generate(course, week, root=Path(tmp), db_url=course.db_url)
        if week.release_dir.exists():
            shutil.rmtree(week.release_dir)
        week.release_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(out, week.release_dir)
    _normalize_release(week.release_dir)
    return week.release_dir


def _normalize_release(folder: Path) -> None:
    """Drop nondeterministic bits so `release --check` compares like with like."""
    for path in folder.rglob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        nbformat.write(nb, path)


def _diff(a: Path, b: Path) -> list[str]:
    cmp = filecmp.dircmp(a, b)
    problems = [f"only in {a.name}: {n}" for n in cmp.left_only]
    problems += [f"missing in release: {n}" for n in cmp.right_only]
    problems += [f"differs: {n}" for n in cmp.diff_files]
    problems += [f"differs: {n}" for n in cmp.funny_files]
    for sub in cmp.common_dirs:
        problems += [f"{sub}/{p}" for p in _diff(a / sub, b / sub)]
    return problems


def check_releases(course: Course, weeks: list[str] | None = None) -> dict[str, list[str]]:
    """Which committed releases differ from what the sources generate now."""
    stale: dict[str, list[str]] = {}
    for name in weeks or course.week_names():
        week = course.week(name)
        with tempfile.TemporaryDirectory(prefix="autograder-check-") as tmp:
            fresh = generate_release(course, week, Path(tmp))
            _normalize_release(fresh)
            if not week.release_dir.is_dir():
                stale[name] = [
                    f"{week.release_dir} does not exist; run `autograder release {name}`"
                ]
                continue
            problems = _diff(fresh, week.release_dir)
            if problems:
                stale[name] = problems
    return stale


def require_fresh_releases(course: Course, weeks: list[str] | None = None) -> None:
    stale = check_releases(course, weeks)
    if stale:
        lines = [f"{w}: {', '.join(p[:5])}" for w, p in stale.items()]
        raise StaleReleaseError(
            "stale releases (run `autograder release WEEK`):\n" + "\n".join(lines)
        )


def source_version(week: Week) -> str:
    """Hash of everything in the week's source folder: the assignment version."""
    digest = hashlib.sha256()
    for path in sorted(week.source_dir.rglob("*")):
        if (
            path.is_file()
            and "__pycache__" not in path.parts
            and ".ipynb_checkpoints" not in path.parts
        ):
            digest.update(path.relative_to(week.source_dir).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def generate_release(course: Course, week: Week, root: Path) -> Path:
    """The release as nbgrader generates it now, under `root` (nothing else touched)."""
    return _generate(course, week, root=root, db_url=f"sqlite:///{root}/release.db")


def sync_gradebook_source(course: Course, week: Week) -> None:
    """Put the week's current source cells into the gradebook (what sanitize restores)."""
    course.workspace.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="autograder-sync-") as tmp:
        _generate(course, week, root=Path(tmp), db_url=course.db_url)


# -- sanitize ------------------------------------------------------------------


@dataclass
class SanitizeReport:
    restored: list[str] = field(default_factory=list)
    readded: list[str] = field(default_factory=list)


def _overwrite_cells_class() -> Any:
    from nbgrader.preprocessors import OverwriteCells

    class RecordingOverwriteCells(OverwriteCells):  # type: ignore[misc]
        """nbgrader's OverwriteCells, recording what it restored.

        With `shared_gradebook` set it reads the source cells through that one
        Gradebook (one engine, warm statement cache) instead of opening a new
        one per notebook; its ``close`` only drops this thread's session.
        """

        report: SanitizeReport
        shared_gradebook: Any = None

        def report_change(self, name: str, attr: str, old: Any, new: Any) -> None:
            self.report.restored.append(f"{name}:{attr}")

        def preprocess(self, nb: NotebookNode, resources: Any) -> Any:
            if self.shared_gradebook is None:
                return super().preprocess(nb, resources)
            self.notebook_id = resources["nbgrader"]["notebook"]
            self.assignment_id = resources["nbgrader"]["assignment"]
            self.db_url = resources["nbgrader"]["db_url"]
            self.gradebook = self.shared_gradebook
            with self.gradebook:  # as OverwriteCells.preprocess, minus the new Gradebook
                nb, resources = super(OverwriteCells, self).preprocess(nb, resources)
                if self.add_missing_cells:
                    nb, resources = self.add_missing_grade_cells(nb, resources)
                    nb, resources = self.add_missing_task_cells(nb, resources)
            return nb, resources

    return RecordingOverwriteCells


@contextmanager
def _quiet() -> Iterator[None]:
    logger = logging.getLogger("traitlets")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def open_source_gradebook(course: Course) -> Any:
    """One nbgrader Gradebook for a whole batch of `sanitize_notebook` calls (thread-safe:
    each thread gets its own session)."""
    from nbgrader.api import Gradebook

    prime_nbgrader_db(course.db_url)
    return Gradebook(course.db_url)


def sanitize_notebook(
    nb: NotebookNode,
    *,
    course: Course,
    week: str,
    notebook_id: str,
    gradebook: Any = None,
) -> tuple[NotebookNode, SanitizeReport]:
    """nbgrader's sanitize preprocessors: clear outputs, dedupe ids, restore locked cells.

    `gradebook` (from `open_source_gradebook`) is reused instead of opening one per call.
    """
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearOutput,
        DeduplicateIds,
        OverwriteKernelspec,
    )

    report = SanitizeReport()
    resources: dict[str, Any] = {
        "nbgrader": {"notebook": notebook_id, "assignment": week, "db_url": course.db_url}
    }
    overwrite = _overwrite_cells_class()(add_missing_cells=True)
    overwrite.report = SanitizeReport()
    overwrite.shared_gradebook = gradebook
    before = {
        c.metadata.get("nbgrader", {}).get("grade_id")
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id")
    }
    steps = [ClearOutput(), DeduplicateIds(), OverwriteKernelspec(), overwrite, CheckCellMetadata()]
    with _quiet():
        for step in steps:
            step.log.setLevel(logging.CRITICAL)
            nb, resources = step.preprocess(nb, resources)
            if isinstance(step, DeduplicateIds):
                # DeduplicateIds empties the metadata of the earlier copies; an
                # empty dict would then fail nbgrader's metadata validation
                for cell in nb.cells:
                    if cell.metadata.get("nbgrader") == {}:
                        del cell.metadata["nbgrader"]
    after = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    report.readded = [g for g in after if g and g not in before]
    return nb, report
