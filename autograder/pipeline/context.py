"""What a batch needs to know about a week, read once per batch, not once per job."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from autograder.course import Course, Week
from autograder.nbgrader_adapter import RELEASE_IGNORE, source_version, sync_gradebook_source

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)
HINT_LINE = re.compile(r"^\s*#\s*(?:힌트|hint)\s*:\s*(.+)$", re.I | re.M)


@dataclass(frozen=True)
class GradedCell:
    """A graded cell of the source notebook."""

    grade_id: str
    notebook: str
    points: float
    kind: str  # "test" | "answer" (manually graded solution) | "task"
    hidden: bool
    public_source: str
    hint: str


@dataclass
class WeekContext:
    course: Course
    week: Week
    version: str
    cells: dict[str, dict[str, GradedCell]]  # notebook -> grade_id -> cell
    public_files: dict[str, bytes]
    language: str
    max_test_points: float = 0.0
    threshold_points: float = 0.0
    probe_inputs: dict[str, bytes] = field(default_factory=dict)
    #: notebook -> grade_id -> nbgrader checksum of the released locked cell
    release_checksums: dict[str, dict[str, str]] = field(default_factory=dict)
    #: notebook -> grade_id -> nbgrader checksum of the source's test cell (with its hidden
    #: tests): the instructor's own source, graded as a reference check, holds these
    source_test_checksums: dict[str, dict[str, str]] = field(default_factory=dict)
    #: one nbgrader Gradebook shared by every sanitize of a batch (None: one per call);
    #: set by `grade_week` only when there is something to grade
    source_gradebook: Any = None

    @property
    def max_score(self) -> float:
        return self.max_test_points + self.threshold_points


def _ignored(rel: str, patterns: list[str]) -> bool:
    parts = rel.split("/")
    return any(fnmatch.fnmatch(part, pat) for part in parts for pat in patterns)


def graded_cells(path: Path, notebook: str) -> dict[str, GradedCell]:
    """The graded cells of one source notebook, by nbgrader grade id (hand grading too)."""
    nb = nbformat.read(path, as_version=4)
    cells: dict[str, GradedCell] = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if not grade_id or not (meta.get("grade") or meta.get("task")):
            continue
        source = cell.source
        hidden = HIDDEN_BEGIN in source
        public = HIDDEN_BLOCK.sub("", source)
        hint = HINT_LINE.search(public)
        kind = "task" if meta.get("task") else "answer" if meta.get("solution") else "test"
        cells[grade_id] = GradedCell(
            grade_id=grade_id,
            notebook=notebook,
            points=float(meta.get("points", 0) or 0),
            kind=kind,
            hidden=hidden,
            public_source=public,
            hint=hint.group(1).strip() if hint else "",
        )
    return cells


def _source_test_checksums(week: Week) -> dict[str, dict[str, str]]:
    from nbgrader.utils import compute_checksum

    sums: dict[str, dict[str, str]] = {}
    for name in week.notebooks:
        nb = nbformat.read(week.source_dir / name, as_version=4)
        sums[name.removesuffix(".ipynb")] = {
            c.metadata["nbgrader"]["grade_id"]: compute_checksum(c)
            for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")
            and not c.metadata["nbgrader"].get("solution")
            and c.metadata["nbgrader"].get("grade_id")
        }
    return sums


def _release_checksums(course: Course, week: Week) -> dict[str, dict[str, str]]:
    """Checksums of the released locked cells: what an untouched submission holds."""
    import tempfile

    from autograder.nbgrader_adapter import generate_release

    folder = week.release_dir
    with tempfile.TemporaryDirectory(prefix="autograder-ctx-") as tmp:
        if not all((folder / n).is_file() for n in week.notebooks):
            folder = generate_release(course, week, Path(tmp))
        sums: dict[str, dict[str, str]] = {}
        for name in week.notebooks:
            nb = nbformat.read(folder / name, as_version=4)
            sums[name.removesuffix(".ipynb")] = {
                c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"].get("checksum", "")
                for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("locked")
                and c.metadata["nbgrader"].get("grade_id")
            }
    return sums


def load_week_context(course: Course, week_name: str, *, sync: bool = True) -> WeekContext:
    """Parse the week's sources; make sure the gradebook holds the current version."""
    week = course.week(week_name)
    version = source_version(week)
    if sync:
        from autograder.gradebook import GradebookStore

        store = GradebookStore(course)
        if store.assignment_version(week.name) != version:
            sync_gradebook_source(course, week)
            store.set_assignment_version(week.name, version)
    cells = {
        name.removesuffix(".ipynb"): graded_cells(
            week.source_dir / name, name.removesuffix(".ipynb")
        )
        for name in week.notebooks
    }
    patterns = RELEASE_IGNORE + week.config.release_ignore
    public: dict[str, bytes] = {}
    for path in sorted(week.source_dir.rglob("*")):
        rel = path.relative_to(week.source_dir).as_posix()
        if path.is_file() and not rel.endswith(".ipynb") and not _ignored(rel, patterns):
            public[rel] = path.read_bytes()
    inputs: dict[str, bytes] = {}
    if week.config.thresholds:
        from autograder.thresholds import check_threshold

        for threshold in week.config.thresholds:  # an instructor's mistake stops the batch early
            check_threshold(threshold, week_dir=week.source_dir)
    for threshold in week.config.thresholds:
        for rel in threshold.inputs.values():
            inputs[rel] = (week.source_dir / rel).read_bytes()
    return WeekContext(
        course=course,
        week=week,
        version=version,
        cells=cells,
        public_files=public,
        language=course.config.language,
        max_test_points=sum(c.points for nb in cells.values() for c in nb.values()),
        threshold_points=sum(t.points for t in week.config.thresholds),
        probe_inputs=inputs,
        release_checksums=_release_checksums(course, week),
        source_test_checksums=_source_test_checksums(week),
    )
