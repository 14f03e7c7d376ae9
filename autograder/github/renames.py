"""Finding a student's repository after a rename, the way GitHub itself does.

GitHub answers the old name of a renamed repository with ``301 Moved Permanently`` to
``/repositories/{id}`` for reads and ``307`` for writes. PyGithub follows a 301 (for the
path only, dropping the query) and never a 307, so a repo is always resolved once with
a GET before anything else is sent: the completed object carries the canonical URL
and name, and every later call (writes included, with their queries) goes straight to
it. The repo id, once seen, finds the repo even when the old name has since been taken.
"""

from __future__ import annotations

from github import GithubException
from github.Repository import Repository

from autograder.github.client import GitHub
from autograder.github.repos import RepoStore, StudentRepo


def _load(client: GitHub, ref: str | int) -> Repository | None:
    repo = client.gh.get_repo(ref)
    try:
        client.read(lambda: repo.id, f"get repo {ref}")  # completes it: follows a 301
    except GithubException as exc:
        if exc.status == 404:
            return None
        raise
    return repo


def resolve_repo(
    client: GitHub, full_name: str, *, repo_id: int | None = None
) -> Repository | None:
    """The repository now known as `full_name` or, failing that, by `repo_id`; None if gone.

    When both are known and disagree (the old name was taken by a new repo), the id wins.
    """
    repo = _load(client, full_name)
    if repo is not None and (repo_id is None or repo.id == repo_id):
        return repo
    if repo_id is not None:
        return _load(client, repo_id) or repo
    return repo


def resolve_student_repo(client: GitHub, week: str, login: str, full_name: str) -> Repository:
    """A student's repo for a write (cutoff, restore, feedback), renames followed; the new
    name is remembered. Raises `GithubException` (404) when it is gone."""
    known = RepoStore(client.engine)
    remembered = known.get(week, login)
    repo = resolve_repo(client, full_name, repo_id=remembered.repo_id if remembered else None)
    if repo is None:
        raise GithubException(404, {"message": f"no repository {full_name}"}, None)
    if remembered is None or remembered.full_name != repo.full_name:
        known.put(StudentRepo(week, login, repo.full_name, repo.id, repo.default_branch))
    return repo


def repo_by_id_or_name(client: GitHub, week: str, login: str, full_name: str) -> Repository:
    """A handle that reaches the student's repo whatever it is called now, for the cost of
    no request when its id is known: ``/repositories/{id}/...`` is where GitHub's own
    redirect points, for reads and writes. Without a known id, `resolve_student_repo`."""
    remembered = RepoStore(client.engine).get(week, login)
    if remembered is not None:
        return client.gh.get_repo(remembered.repo_id)  # lazy: nothing is fetched here
    return resolve_student_repo(client, week, login, full_name)
