"""The students' own code of a week: answer cells and added cells, in notebook order.

Test cells and locked cells are the release's, not the student's, and are left out;
the skeleton the release puts inside answer cells (``def mean(xs):``, ``# YOUR CODE
HERE``) is removed later at the fingerprint level (`fingerprint.skeleton_hashes`), so
a line the student kept from the release never counts. Cell boundaries do not
matter downstream: the cells of a submission are read as one stream, so splitting
or merging cells changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograder.course import Course

MAX_CELL_CHARS = 200_000  # a pasted data dump is not code worth comparing


@dataclass(frozen=True)
class CodeCell:
    """One code cell of a submission: where it is (for the side-by-side view) and its source."""

    notebook: str
    index: int  # position among the notebook's cells, 1-based as Jupyter shows them
    source: str

    @property
    def label(self) -> str:
        return f"{self.notebook} [{self.index}]"


@dataclass(frozen=True)
class Submission:
    """What the comparison sees of one student: own code cells and notebook outputs."""

    login: str
    cells: tuple[CodeCell, ...]
    notebooks: tuple[NotebookNode, ...] = ()

    @property
    def has_code(self) -> bool:
        return any(c.source.strip() for c in self.cells)


def _is_release_cell(cell: NotebookNode) -> bool:
    """Tests and locked cells: the release owns them (sanitize restores them anyway)."""
    meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
    if meta.get("solution"):
        return False
    return bool(meta.get("grade") or meta.get("locked"))


def own_cells(nb: NotebookNode, notebook: str) -> list[CodeCell]:
    cells = []
    for i, cell in enumerate(nb.get("cells", []), start=1):
        if cell.get("cell_type") != "code" or _is_release_cell(cell):
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        if not isinstance(source, str) or not source.strip():
            continue
        cells.append(CodeCell(notebook, i, source[:MAX_CELL_CHARS]))
    return cells


def release_sources(course: Course, week: str) -> list[str]:
    """Every code cell of the week's release: what every student starts from."""
    w = course.week(week)
    sources = []
    for name in w.notebooks:
        path = w.release_dir / name
        if not path.is_file():  # not released yet: the source with solutions would be wrong
            continue
        nb = nbformat.read(path, as_version=4)
        sources += [c.source for c in nb.cells if c.cell_type == "code"]
    return sources


def _read(path: Path) -> NotebookNode | None:
    try:
        return nbformat.read(path, as_version=4)
    except Exception:  # a damaged notebook: nothing to compare, never a crash
        return None


def read_submission(course: Course, week: str, login: str) -> Submission:
    """The student's expected notebooks (any ``*.ipynb`` when none has the expected name)."""
    folder = course.submission_dir(week, login)
    expected = list(course.week(week).notebooks)
    paths = [
        folder / n for n in expected if (folder / n).is_file() and not (folder / n).is_symlink()
    ]
    if not paths:
        paths = sorted(p for p in folder.glob("*.ipynb") if p.is_file() and not p.is_symlink())
    cells: list[CodeCell] = []
    notebooks = []
    for path in paths:
        nb = _read(path)
        if nb is None:
            continue
        notebooks.append(nb)
        cells += own_cells(nb, path.name)
    return Submission(login, tuple(cells), tuple(notebooks))


def read_week(course: Course, week: str, logins: list[str] | None = None) -> list[Submission]:
    return [
        read_submission(course, week, login) for login in logins or course.submitted_logins(week)
    ]
