"""`collect WEEK` from GitHub: each student's default branch as of deadline + grace.

Per repo: one activity request decides the commit (server-side push times); an
unchanged SHA is not downloaded again; otherwise the tarball of that exact SHA is
fetched, checked (`archive.py`) and stored with `store_submission`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests
from github import GithubException

from autograder.course import Course
from autograder.errors import GitHubError
from autograder.github.activity import Decision, head_as_of, ref_history
from autograder.github.archive import ArchiveLimits, Extracted, extract_tarball, human_size
from autograder.github.client import GitHub, connect
from autograder.github.clock import utc
from autograder.github.discovery import discover
from autograder.github.repos import StudentRepo
from autograder.github.retry import describe
from autograder.roster import load_roster, roster_file
from autograder.submissions import (
    SubmissionMeta,
    load_submission_meta,
    store_submission,
    submission_files,
)

log = logging.getLogger(__name__)
DEFAULT_LIMITS = ArchiveLimits()


@dataclass(frozen=True)
class Collected:
    login: str
    repo: str
    status: str  # collected | unchanged | never_pushed | failed
    sha: str | None = None
    submitted_at: datetime | None = None
    time_source: str = ""
    late: bool = False
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class CollectReport:
    week: str
    cutoff: datetime | None
    students: tuple[Collected, ...] = ()
    missing: tuple[str, ...] = ()  # on the roster, no repo found
    not_on_roster: tuple[str, ...] = ()

    def count(self, status: str) -> int:
        return sum(1 for s in self.students if s.status == status)

    @property
    def ok(self) -> bool:
        return self.count("failed") == 0

    def __str__(self) -> str:
        lines = []
        for item in self.students:
            when = item.submitted_at.isoformat() if item.submitted_at else "-"
            late = " LATE" if item.late else ""
            sha = (item.sha or "")[:7]
            lines.append(
                f"  {item.login:<24} {item.status:<12} {sha:<7} {when} "
                f"({item.time_source or '-'}){late}"
            )
            lines += [f"      ! {problem}" for problem in item.problems]
        lines += [
            f"  {login:<24} no repository found (not accepted, or renamed)"
            for login in self.missing
        ]
        lines += [
            f"  {login:<24} has a repo but is not on the roster" for login in self.not_on_roster
        ]
        return "\n".join([*lines, self.summary()])

    def summary(self) -> str:
        parts = [
            f"{self.count(s)} {s}" for s in ("collected", "unchanged", "never_pushed", "failed")
        ]
        late = sum(1 for s in self.students if s.late and s.status in ("collected", "unchanged"))
        return (
            f"{self.week}: " + ", ".join(parts) + f", {late} late, "
            f"{len(self.missing)} without a repo"
        )


@dataclass
class _Run:
    client: GitHub
    course: Course
    week: str
    cutoff: datetime | None
    limits: ArchiveLimits
    bot: str = ""
    session: requests.Session = field(default_factory=requests.Session)


def collect_week(
    *,
    course: Course,
    week: str,
    roster: Path | None = None,
    client: GitHub | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
    force: bool = False,
) -> CollectReport:
    """Collect every student's submission of `week`; one failure never stops the batch."""
    client = client or connect(course)
    cutoff = course.cutoff(week)
    path = roster_file(course, roster)
    entries = load_roster(path) if path else None
    found = discover(client, week=week, prefix=course.repo_prefix(week), roster=entries)
    run = _Run(client, course, week, cutoff, limits)
    try:
        run.bot = client.read(lambda: client.gh.get_user().login, "who am I")
    except GithubException:
        run.bot = ""
    results = []
    for repo in found.repos:
        try:
            results.append(_collect_one(run, repo, force=force))
        except (GitHubError, GithubException, requests.RequestException, OSError) as exc:
            log.warning("collect %s (%s) failed: %s", repo.login, repo.full_name, describe(exc))
            results.append(
                Collected(repo.login, repo.full_name, "failed", problems=(describe(exc),))
            )
        except Exception as exc:  # a bug of ours with one repo's content: the others go on
            log.exception("collect %s (%s) failed", repo.login, repo.full_name)
            error = f"{type(exc).__name__}: {exc}"[:300]
            results.append(Collected(repo.login, repo.full_name, "failed", problems=(error,)))
    return CollectReport(week, cutoff, tuple(results), found.missing, found.not_on_roster)


def collect_repo(
    *,
    course: Course,
    client: GitHub,
    week: str,
    repo: StudentRepo,
    bot: str = "",
    limits: ArchiveLimits = DEFAULT_LIMITS,
    force: bool = False,
) -> Collected:
    """Collect one student's repo as of the week's cutoff: the step `collect_week` runs per repo.

    Activity API -> head as of the cutoff -> checked tarball -> workspace. `bot` is the
    token's own login (its pushes, such as the template's first commit, do not count).
    Raises on a GitHub or network failure; `collect_week` turns that into a ``failed`` row.
    """
    run = _Run(client, course, week, course.cutoff(week), limits, bot=bot)
    try:
        return _collect_one(run, repo, force=force)
    finally:
        run.session.close()


def _decide(run: _Run, repo: StudentRepo) -> tuple[Decision | None, str]:
    pushes = ref_history(run.client, repo.full_name, repo.default_branch, run.cutoff)
    if pushes is not None:
        return head_as_of(pushes, run.cutoff, ignore_actor=run.bot), "push"
    # no activity history: the head now, timed by this collection
    client = run.client
    gh_repo = client.gh.get_repo(repo.full_name)
    branch = client.read(lambda: gh_repo.get_branch(repo.default_branch), "get branch")
    now = utc(client.clock)
    late = run.cutoff is not None and now > run.cutoff
    return Decision(branch.commit.sha, now, late=late), "collection"


def _collect_one(run: _Run, repo: StudentRepo, *, force: bool) -> Collected:
    decision, time_source = _decide(run, repo)
    notes = (repo.note,) if repo.note else ()
    if decision is None:
        return Collected(repo.login, repo.full_name, "never_pushed", problems=notes)
    old = load_submission_meta(run.course, run.week, repo.login)
    if (
        not force
        and old is not None
        and old.sha == decision.sha
        and old.time_source == time_source == "push"
    ):
        if old.repo != repo.full_name:  # renamed: same commit, only the metadata moves
            folder = run.course.submission_dir(run.week, repo.login)
            problems = tuple(dict.fromkeys([*old.problems, *notes]))
            old = replace(old, repo=repo.full_name, problems=problems)
            store_submission(run.course, old, submission_files(folder))
        return Collected(
            repo.login,
            repo.full_name,
            "unchanged",
            decision.sha,
            old.submitted_at,
            old.time_source,
            decision.late,
            old.problems,
        )
    try:
        extracted = extract_tarball(_download(run, repo, decision.sha), run.limits)
    except _TooLarge as exc:  # the student's fault: refused with a note, not a system failure
        extracted = Extracted(problems=[str(exc)], refused=True)
    problems = tuple([*notes, *extracted.problems])
    now = utc(run.client.clock)
    meta = SubmissionMeta(
        login=repo.login,
        week=run.week,
        source="github",
        submitted_at=decision.pushed_at,
        time_source=time_source,
        repo=repo.full_name,
        sha=decision.sha,
        pushed_at=decision.pushed_at if time_source == "push" else None,
        collected_at=now,
        problems=problems,
    )
    store_submission(run.course, meta, extracted.files)
    return Collected(
        repo.login,
        repo.full_name,
        "collected",
        decision.sha,
        decision.pushed_at,
        time_source,
        decision.late,
        problems,
    )


class _TooLarge(Exception):
    pass


def _download(run: _Run, repo: StudentRepo, sha: str) -> bytes:
    client = run.client
    gh_repo = client.gh.get_repo(repo.full_name)
    location = client.read(lambda: gh_repo.get_archive_link("tarball", sha), "tarball link")
    if urlsplit(location).scheme not in ("http", "https"):
        raise GitHubError(f"{repo.full_name}: unexpected archive location")

    def fetch() -> bytes:
        # the redirect target is pre-authorised (codeload); the token is never sent there
        with run.session.get(location, stream=True, timeout=60) as response:
            response.raise_for_status()
            chunks, size = [], 0
            for chunk in response.iter_content(1 << 16):
                size += len(chunk)
                if size > run.limits.max_download_bytes:
                    raise _TooLarge(
                        f"the repository archive is over "
                        f"{human_size(run.limits.max_download_bytes)}; not collected "
                        "(remove data files and push again)"
                    )
                chunks.append(chunk)
            return b"".join(chunks)

    return client.read(fetch, f"download {repo.full_name}@{sha[:7]}")
