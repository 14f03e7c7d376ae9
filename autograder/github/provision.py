"""`provision WEEK --roster FILE`: a private repo per student from the week's template.

For courses after the GitHub Classroom shutdown. Idempotent: existing repos are
kept, collaborators already at the wanted permission are left alone. ``cutoff``
switches every student to read access at the deadline (what Classroom never
managed); ``restore`` gives write access back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import requests
from github import GithubException
from github.Repository import Repository

from autograder.course import Course
from autograder.errors import CourseError, GitHubError
from autograder.github.client import GitHub, connect
from autograder.github.discovery import template_name
from autograder.github.renames import resolve_student_repo
from autograder.github.repos import RepoStore, StudentRepo
from autograder.github.retry import describe
from autograder.roster import load_roster

log = logging.getLogger(__name__)

# what GET .../collaborators/{login}/permission answers for each permission we set
GRANTED = {"push": {"write", "maintain", "admin"}, "pull": {"read", "triage"}}


@dataclass(frozen=True)
class Provisioned:
    login: str
    repo: str
    created: bool
    permission_changed: bool
    error: str = ""


@dataclass(frozen=True)
class ProvisionReport:
    week: str
    permission: str
    students: tuple[Provisioned, ...]

    @property
    def ok(self) -> bool:
        return not any(s.error for s in self.students)

    def summary(self) -> str:
        created = sum(s.created for s in self.students)
        changed = sum(s.permission_changed for s in self.students)
        failed = sum(bool(s.error) for s in self.students)
        return (
            f"{self.week}: {len(self.students)} students, {created} repos created, "
            f"{changed} set to {self.permission}, {failed} failed"
        )


def _ensure_repo(
    client: GitHub, template: Repository, name: str, existing: dict[str, Repository]
) -> tuple[Repository, bool]:
    if name.lower() in existing:
        return existing[name.lower()], False
    org = client.gh.get_organization(client.org)
    client.pacer.acquire()
    try:
        repo = org.create_repo_from_template(name, template, private=True)
    except GithubException as exc:
        if exc.status != 422:  # 422: it exists after all (an earlier attempt got through)
            raise
        repo = client.gh.get_repo(f"{client.org}/{name}")
        client.read(lambda: repo.id, f"get {name}")
    return repo, True


def _student_repo(
    client: GitHub, week: str, login: str, name: str, existing: dict[str, Repository]
) -> Repository:
    """The student's repo for a cutoff or restore: by the name, else by the id remembered
    or through GitHub's redirect from the old name (a rename never escapes the cutoff)."""
    remembered = RepoStore(client.engine).get(week, login)
    listed = existing.get(name.lower())
    if listed is not None and (remembered is None or remembered.repo_id == listed.id):
        return listed
    try:
        return resolve_student_repo(client, week, login, f"{client.org}/{name}")
    except GithubException as exc:
        if exc.status == 404:
            raise CourseError(f"no repo {name}") from None
        raise


def provision_week(
    *,
    course: Course,
    week: str,
    roster: Path,
    client: GitHub | None = None,
    cutoff: bool = False,
    restore: bool = False,
) -> ProvisionReport:
    if cutoff and restore:
        raise CourseError("choose --cutoff or --restore, not both")
    entries = load_roster(roster)
    client = client or connect(course)
    prefix = course.repo_prefix(week)
    permission = "pull" if cutoff else "push"
    template = client.gh.get_repo(f"{client.org}/{template_name(prefix)}")
    try:
        client.read(lambda: template.id, "get template")
    except GithubException as exc:
        if exc.status == 404:
            raise CourseError(
                f"template {template.full_name} not found: run `autograder publish {week}` first"
            ) from None
        raise
    org = client.gh.get_organization(client.org)
    existing = {
        r.name.lower(): r
        for r in client.read(lambda: list(org.get_repos(type="all")), "list organization repos")
    }
    known = RepoStore(client.engine)
    results = []
    for entry in entries:
        name = f"{prefix}-{entry.login}"
        try:
            if cutoff or restore:
                repo, created = _student_repo(client, week, entry.login, name, existing), False
            else:
                repo, created = _ensure_repo(client, template, name, existing)
            current = client.read(
                partial(repo.get_collaborator_permission, entry.login), f"permission on {name}"
            )
            changed = current not in GRANTED[permission]
            if changed:
                client.write(
                    partial(repo.add_to_collaborators, entry.login, permission),
                    f"add {entry.login} to {name}",
                )
            known.put(StudentRepo(week, entry.login, repo.full_name, repo.id, repo.default_branch))
            results.append(Provisioned(entry.login, repo.full_name, created, changed))
        except (GitHubError, GithubException, CourseError, requests.RequestException) as exc:
            error = str(exc) if isinstance(exc, CourseError) else describe(exc)
            log.warning("provision %s: %s", entry.login, error)
            results.append(Provisioned(entry.login, f"{client.org}/{name}", False, False, error))
    return ProvisionReport(week, permission, tuple(results))
