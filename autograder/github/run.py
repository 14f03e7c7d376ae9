"""`run WEEK`: collect -> grade -> feedback -> post, each stage resumable.

Grading and rendering belong to the core; they are passed in as callables
(`autograder.api.run` hands in its `grade` and `feedback`), so this module only
orders the stages; a stage that raises stops the run before posting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from autograder.course import Course
from autograder.github.client import GitHub, connect
from autograder.github.collect import CollectReport, collect_week
from autograder.github.feedback import PostReport, post_feedback


@dataclass(frozen=True)
class RunReport:
    collect: CollectReport
    post: PostReport

    @property
    def ok(self) -> bool:
        return self.collect.ok and self.post.ok


def run_week(
    *,
    course: Course,
    week: str,
    grade: Callable[[], None],
    render: Callable[[], None],
    roster: Path | None = None,
    client: GitHub | None = None,
) -> RunReport:
    client = client or connect(course)
    collected = collect_week(course=course, week=week, roster=roster, client=client)
    grade()
    render()
    posted = post_feedback(course=course, week=week, client=client)
    return RunReport(collected, posted)
