"""Entering hand grades without Jupyter: the same nbgrader rows formgrader writes.

`set_hand_grade` is one cell of one submission; `import_hand_grades` a CSV of them,
checked in full before anything is written (one bad row writes nothing).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.course import Course
from autograder.errors import ManualGradeError
from autograder.gradebook import GradebookStore

CSV_COLUMNS = ("student", "cell", "points", "notebook", "extra_credit", "comment")


@dataclass(frozen=True)
class HandGradeEntry:
    student: str
    cell: str
    points: float | None  # None: leave the score as it is (a comment only)
    notebook: str | None = None
    extra_credit: float | None = None
    comment: str | None = None


def _notebook_of(course: Course, week: str, cell: str, notebook: str | None) -> str:
    from autograder.pipeline.context import graded_cells

    w = course.week(week)
    names = [n.removesuffix(".ipynb") for n in w.notebooks]
    if notebook is not None:
        if notebook.removesuffix(".ipynb") not in names:
            raise ManualGradeError(f"{week} has no notebook {notebook!r} (known: {names})")
        return notebook.removesuffix(".ipynb")
    found = [n for n in names if cell in graded_cells(w.source_dir / f"{n}.ipynb", n)]
    if not found:
        raise ManualGradeError(f"{week} has no graded cell {cell!r}")
    if len(found) > 1:
        raise ManualGradeError(f"cell {cell!r} is in several notebooks {found}: give --notebook")
    return found[0]


def _write(gb: Any, course: Course, week: str, entry: HandGradeEntry) -> None:
    from nbgrader.api import MissingEntry

    notebook = _notebook_of(course, week, entry.cell, entry.notebook)
    where = f"{week}/{entry.student}/{notebook}/{entry.cell}"
    try:
        grade = gb.find_grade(entry.cell, notebook, week, entry.student)
    except MissingEntry:
        raise ManualGradeError(f"{where}: no graded submission (grade the week first)") from None
    if entry.points is not None:
        if not math.isfinite(entry.points) or not 0 <= entry.points <= grade.max_score:
            raise ManualGradeError(
                f"{where}: points must be between 0 and {grade.max_score:g}, not {entry.points:g}"
            )
        grade.manual_score = float(entry.points)
        grade.needs_manual_grade = False  # as formgrader does when a score is saved
    if entry.extra_credit is not None:
        if not math.isfinite(entry.extra_credit) or entry.extra_credit < 0:
            raise ManualGradeError(f"{where}: extra credit must be 0 or more")
        grade.extra_credit = float(entry.extra_credit)
    if entry.comment is not None:
        try:
            comment = gb.find_comment(entry.cell, notebook, week, entry.student)
        except MissingEntry:
            raise ManualGradeError(f"{where}: only answer cells take comments") from None
        comment.manual_comment = entry.comment


def set_hand_grades(course: Course, *, week: str, entries: list[HandGradeEntry]) -> int:
    """Write `entries` in one transaction (all or nothing); how many were written."""
    from nbgrader.api import Gradebook

    GradebookStore(course)  # our tables and nbgrader's stamp exist
    course.week(week)
    with Gradebook(course.db_url) as gb:
        try:
            for entry in entries:
                _write(gb, course, week, entry)
        except BaseException:
            gb.db.rollback()
            raise
        gb.db.commit()
    return len(entries)


def _number(value: str, what: str, lineno: int, path: Path) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise ManualGradeError(f"{path}: line {lineno}: {what} {value!r} is not a number") from None


def read_hand_grade_csv(path: Path) -> list[HandGradeEntry]:
    """CSV with ``student``, ``cell`` and ``points`` (``notebook``, ``extra_credit``,
    ``comment`` optional; an empty ``points`` leaves the score and sets the rest)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManualGradeError(f"{path}: {exc}") from None
    reader = csv.DictReader(text.splitlines())
    fields = [(f or "").strip().lower() for f in reader.fieldnames or []]
    missing = [c for c in ("student", "cell", "points") if c not in fields]
    if missing:
        raise ManualGradeError(f"{path}: the header needs the columns {missing}")
    entries = []
    for lineno, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "") for k, v in raw.items()}
        if not row.get("student", "").strip():
            continue
        comment = row.get("comment")
        entries.append(
            HandGradeEntry(
                student=row["student"].strip(),
                cell=row.get("cell", "").strip(),
                points=_number(row.get("points", ""), "points", lineno, path),
                notebook=row.get("notebook", "").strip() or None,
                extra_credit=_number(row.get("extra_credit", ""), "extra_credit", lineno, path),
                comment=comment if comment else None,
            )
        )
    return entries
