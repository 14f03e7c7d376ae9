"""Collect one student's repo for continuous grading, with the GitHub side's `collect_repo`.

`collect_repo` is the same per-repo step `collect week` runs (activity API -> head as of
the cutoff -> checked tarball -> workspace); this adds what only continuous grading
knows: the time our webhook saw the push arrive.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from autograder.course import Course
from autograder.github.client import GitHub
from autograder.github.collect import Collected, collect_repo
from autograder.github.repos import RepoStore, StudentRepo
from autograder.submissions import load_submission_meta, store_submission, submission_files


def collect_student(
    *,
    course: Course,
    client: GitHub,
    target: StudentRepo,
    bot: str = "",
    received_at: float | None = None,
    received_sha: str | None = None,
) -> Collected:
    """Collect `target`'s submission as of the week's cutoff (the head, before the deadline).

    When the activity API is unavailable, `collect_repo` times the submission by the
    collection; if our webhook saw that very commit arrive, its receive time (ours,
    not the student's) is the better trusted time and replaces it.
    """
    RepoStore(client.engine).put(target)
    collected = collect_repo(course=course, client=client, week=target.week, repo=target, bot=bot)
    if (
        collected.status == "collected"
        and collected.time_source == "collection"
        and received_at is not None
        and received_sha == collected.sha
    ):
        meta = load_submission_meta(course, target.week, target.login)
        if meta is not None:
            when = datetime.fromtimestamp(received_at, UTC)
            folder = course.submission_dir(target.week, target.login)
            meta = replace(meta, submitted_at=when, pushed_at=when, time_source="webhook")
            store_submission(course, meta, submission_files(folder))
            cutoff = course.cutoff(target.week)
            late = cutoff is not None and when > cutoff
            collected = replace(collected, submitted_at=when, time_source="webhook", late=late)
    return collected
