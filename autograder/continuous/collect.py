"""Collect one student's repo with the GitHub side's own code (`autograder.github.collect`).

`collect_week` works on a whole week; continuous grading needs one repo at a time,
so this calls the same per-repo step (``_collect_one``: activity API -> head as of
the cutoff -> checked tarball -> workspace) for a single `StudentRepo`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from autograder.continuous.queue import Target
from autograder.course import Course
from autograder.github.client import GitHub
from autograder.github.collect import DEFAULT_LIMITS, Collected, _collect_one, _Run
from autograder.github.discovery import StudentRepo
from autograder.github.store import RepoMap
from autograder.submissions import load_submission_meta, store_submission, submission_files


def collect_student(
    *,
    course: Course,
    client: GitHub,
    target: Target,
    bot: str = "",
    received_at: float | None = None,
    received_sha: str | None = None,
) -> Collected:
    """Collect `target`'s submission as of the week's cutoff (the head, before the deadline).

    When the activity API is unavailable the colleague's code times the submission by
    the collection; if our webhook saw that very commit arrive, its receive time (ours,
    not the student's) is the better trusted time and replaces it.
    """
    run = _Run(client, course, target.week, course.cutoff(target.week), DEFAULT_LIMITS, bot=bot)
    repo = StudentRepo(target.login, target.repo, target.repo_id, target.default_branch)
    RepoMap(client.engine).put(
        target.week, target.login, target.repo_id, target.repo, target.default_branch
    )
    collected = _collect_one(run, repo, force=False)
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
            late = run.cutoff is not None and when > run.cutoff
            collected = replace(collected, submitted_at=when, time_source="webhook", late=late)
    return collected
