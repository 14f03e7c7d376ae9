"""The course folder: where things live, read once.

``Course(root)`` is the one place that knows the layout of DESIGN.md::

    course.toml  solutions/W/  assignments/W/  <workspace>/
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

from autograder.config import (
    AssignmentConfig,
    CourseConfig,
    Resources,
    load_assignment_config,
    load_course_config,
)
from autograder.errors import CourseError

WEEK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
LOGIN_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")


@dataclass(frozen=True)
class Week:
    """One assignment: its source folder and merged configuration."""

    name: str
    source_dir: Path
    release_dir: Path
    config: AssignmentConfig
    resources: Resources

    @property
    def hidden_dir(self) -> Path:
        return self.source_dir / "hidden"

    @cached_property
    def notebooks(self) -> tuple[str, ...]:
        if self.config.notebooks:
            missing = [n for n in self.config.notebooks if not (self.source_dir / n).is_file()]
            if missing:
                raise CourseError(f"{self.source_dir}: notebooks listed but missing: {missing}")
            return tuple(self.config.notebooks)
        found = sorted(p.name for p in self.source_dir.glob("*.ipynb"))
        if not found:
            raise CourseError(f"{self.source_dir}: no notebooks (*.ipynb) in the week's folder")
        return tuple(found)

    @property
    def title(self) -> str:
        return self.config.title or self.name


class Course:
    def __init__(self, root: Path | str = ".") -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise CourseError(f"course folder {self.root} does not exist")
        self.config: CourseConfig = load_course_config(self.root)
        self._weeks: dict[str, Week] = {}

    # -- layout -----------------------------------------------------------
    @property
    def solutions_dir(self) -> Path:
        return self.root / "solutions"

    @property
    def assignments_dir(self) -> Path:
        return self.root / "assignments"

    @property
    def workspace(self) -> Path:
        return (self.root / self.config.workspace).resolve()

    @property
    def submitted_dir(self) -> Path:
        return self.workspace / "submitted"

    @property
    def autograded_dir(self) -> Path:
        return self.workspace / "autograded"

    @property
    def results_dir(self) -> Path:
        return self.workspace / "results"

    @property
    def feedback_dir(self) -> Path:
        return self.workspace / "feedback"

    @property
    def db_url(self) -> str:
        if self.config.gradebook_url:
            return self.config.gradebook_url
        return f"sqlite:///{self.workspace / 'gradebook.db'}"

    def submission_dir(self, week: str, login: str) -> Path:
        return self.submitted_dir / login / week

    def result_path(self, week: str, login: str) -> Path:
        return self.results_dir / week / f"{login}.json"

    def feedback_path(self, week: str, login: str, suffix: str = ".md") -> Path:
        return self.feedback_dir / week / f"{login}{suffix}"

    # -- weeks ------------------------------------------------------------
    def week_names(self) -> list[str]:
        if not self.solutions_dir.is_dir():
            return []
        return sorted(
            p.name
            for p in self.solutions_dir.iterdir()
            if p.is_dir() and WEEK_NAME.match(p.name) and any(p.glob("*.ipynb"))
        )

    def week(self, name: str) -> Week:
        if name in self._weeks:
            return self._weeks[name]
        if not WEEK_NAME.match(name):
            raise CourseError(f"invalid week name {name!r}")
        source = self.solutions_dir / name
        if not source.is_dir():
            known = ", ".join(self.week_names()) or "none"
            raise CourseError(f"no week {name!r} in {self.solutions_dir} (known: {known})")
        config = load_assignment_config(source)
        base = self.config.resources
        resources = base if config.resources is None else config.resources
        if resources.image is None:
            resources = resources.model_copy(update={"image": self.config.image})
        week = Week(name, source, self.assignments_dir / name, config, resources)
        self._weeks[name] = week
        return week

    def cutoff(self, week: str) -> datetime | None:
        """The week's deadline + the late policy's grace; None when the week has no deadline.

        The one place this is computed: collection decides the on-time commit by it,
        continuous grading schedules the final run at it, and the late penalty counts
        from it.
        """
        return self.config.late_policy.cutoff(self.week(week).config.deadline)

    def repo_prefix(self, week: str) -> str:
        return self.config.repo_prefix.get(week, week)

    def submitted_logins(self, week: str) -> list[str]:
        if not self.submitted_dir.is_dir():
            return []
        return sorted(p.name for p in self.submitted_dir.iterdir() if (p / week).is_dir())
