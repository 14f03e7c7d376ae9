"""Which student's week a push belongs to: ``<prefix>-<login>`` in the course's org.

The longest matching week prefix wins (``week1`` and ``week10`` can coexist). A repo
already known by id (from discovery) keeps its week and login after a rename.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from autograder.continuous.queue import WorkQueue
from autograder.course import Course
from autograder.github.discovery import login_from_repo
from autograder.github.repos import StudentRepo


@dataclass
class RepoRouter:
    course: Course
    queue: WorkQueue
    _prefixes: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        pairs = [(self.course.repo_prefix(w), w) for w in self.course.week_names()]
        self._prefixes = sorted(pairs, key=lambda p: len(p[0]), reverse=True)

    @property
    def org(self) -> str:
        return self.course.config.github.org

    def target(self, full_name: str, repo_id: int, default_branch: str) -> StudentRepo | None:
        owner, _, name = full_name.partition("/")
        if owner.lower() != self.org.lower() or not name:
            return None
        known = self.queue.repos.by_id(repo_id)
        if known is not None:
            return StudentRepo(known.week, known.login, full_name, repo_id, default_branch)
        for prefix, week in self._prefixes:
            login = login_from_repo(name, prefix)
            if login is not None:
                return StudentRepo(week, login, full_name, repo_id, default_branch)
        return None

    def cutoff(self, week: str) -> datetime | None:
        return self.course.cutoff(week)

    def push_timing(self, week: str, now: float) -> tuple[float, float | None]:
        """(min interval between graded runs, not-before) for a push at `now`.

        Before the cutoff the week's check policy applies (its rate limit; a disabled
        check waits for the cutoff); after it, the final run is not rate limited.
        """
        cutoff = self.cutoff(week)
        if cutoff is not None and now >= cutoff.timestamp():
            return 0.0, None
        check = self.course.week(week).config.check
        if not check.enabled:
            return 0.0, cutoff.timestamp() if cutoff is not None else None
        return check.min_interval_minutes * 60.0, None
