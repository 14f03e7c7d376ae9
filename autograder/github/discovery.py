"""Which repo is whose: the org's ``<prefix>-<login>`` repos joined with the roster.

GitHub Classroom names a student's repo ``<prefix>-<login>``; logins may contain
hyphens, so a name is split on the *known* prefix only. Repos remembered from an
earlier run (by id) are still found after a student renames theirs. The Classroom
REST API is shut down (410 Gone); it is only ever used as optional enrichment.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from github import GithubException

from autograder.course import LOGIN_NAME
from autograder.github.client import GitHub
from autograder.github.repos import RepoStore, StudentRepo
from autograder.roster import RosterEntry

log = logging.getLogger(__name__)

TEMPLATE_SUFFIX = "template"


@dataclass(frozen=True)
class Discovery:
    repos: tuple[StudentRepo, ...]
    missing: tuple[str, ...]  # roster logins without a repo
    not_on_roster: tuple[str, ...]  # repos matching the prefix whose login is not on the roster


def template_name(prefix: str) -> str:
    return f"{prefix}-{TEMPLATE_SUFFIX}"


def login_from_repo(name: str, prefix: str) -> str | None:
    """``week03-kim-min`` with prefix ``week03`` -> ``kim-min``; None if not a student repo."""
    head = f"{prefix}-".lower()
    if not name.lower().startswith(head):
        return None
    login = name[len(head) :]
    if login.lower() == TEMPLATE_SUFFIX or not LOGIN_NAME.match(login):
        return None
    return login


def discover(
    client: GitHub, *, week: str, prefix: str, roster: list[RosterEntry] | None = None
) -> Discovery:
    org = client.read(lambda: client.gh.get_organization(client.org), "get organization")
    listed = client.read(lambda: list(org.get_repos(type="all")), "list organization repos")
    known = RepoStore(client.engine)
    remembered = known.all(week)
    by_login: dict[str, StudentRepo] = {}
    by_id = {r.id: r for r in listed}
    for repo in listed:
        if repo.is_template:
            continue
        login = login_from_repo(repo.name, prefix)
        if login is not None:
            by_login[login.lower()] = StudentRepo(
                week, login, repo.full_name, repo.id, repo.default_branch
            )
    # repos renamed since we last saw them: follow the remembered id
    for old in remembered:
        if old.login.lower() in by_login or old.repo_id not in by_id:
            continue
        repo = by_id[old.repo_id]
        by_login[old.login.lower()] = StudentRepo(
            week,
            old.login,
            repo.full_name,
            repo.id,
            repo.default_branch,
            note=f"repo renamed from {old.full_name} to {repo.full_name}",
        )
    # renamed before we ever saw them: GitHub still answers the old name (301)
    for entry in roster or []:
        if entry.login.lower() not in by_login:
            moved = _renamed_away(client, week, prefix, entry.login)
            if moved is not None:
                by_login[entry.login.lower()] = moved
    roster_by_login = {e.login.lower(): e for e in roster or []}
    found: list[StudentRepo] = []
    missing: list[str] = []
    if roster:
        for entry in roster:
            match = by_login.get(entry.login.lower())
            if match is None:
                missing.append(entry.login)
            else:
                found.append(replace(match, login=entry.login, student=entry))
        extra = sorted(r.login for k, r in by_login.items() if k not in roster_by_login)
    else:
        found = sorted(by_login.values(), key=lambda r: r.login.lower())
        extra = []
    for student in found:
        known.put(student)
    return Discovery(tuple(found), tuple(missing), tuple(extra))


def _renamed_away(client: GitHub, week: str, prefix: str, login: str) -> StudentRepo | None:
    """The repo GitHub redirects ``<prefix>-<login>`` to, when it was renamed away."""
    from autograder.github.renames import resolve_repo

    old_name = f"{client.org}/{prefix}-{login}"
    repo = resolve_repo(client, old_name)
    if repo is None or repo.full_name.lower() == old_name.lower():
        return None
    return StudentRepo(
        week,
        login,
        repo.full_name,
        repo.id,
        repo.default_branch,
        note=f"repo renamed from {old_name} to {repo.full_name}",
    )


def classroom_accepted(client: GitHub, assignment_id: int) -> list[dict[str, object]] | None:
    """Accepted assignments from the Classroom API, or None once it is gone (410) or absent."""
    items: list[dict[str, object]] = []
    page = 1
    while True:
        try:
            _, data = client.api(
                "GET",
                f"/assignments/{assignment_id}/accepted_assignments",
                params={"page": page, "per_page": 100},
            )
        except GithubException as exc:
            if exc.status in (404, 410):
                log.info("GitHub Classroom API unavailable (HTTP %s); using repo names", exc.status)
                return None
            raise
        if not isinstance(data, list):
            return None
        items.extend(data)
        if len(data) < 100:
            return items
        page += 1
