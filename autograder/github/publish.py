"""`publish WEEK`: the week's release (``assignments/WEEK``) becomes the template repo.

The template repo ``<prefix>-template`` is created as a private template when
missing. Files are compared by git blob SHA (computed locally), so an unchanged
release costs no write; a changed one is one commit through the git data API
(blobs, one full tree, commit, ref update), which also removes stale files.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from github import GithubException, InputGitTreeElement
from github.Repository import Repository

from autograder.course import Course
from autograder.errors import CourseError
from autograder.github.client import GitHub, connect
from autograder.github.discovery import template_name

SKIP_PARTS = frozenset({".ipynb_checkpoints", "__pycache__", ".git", ".DS_Store"})


@dataclass(frozen=True)
class PublishReport:
    week: str
    repo: str
    created: bool
    changed: bool
    commit: str
    files: int

    def summary(self) -> str:
        what = "created" if self.created else ("updated" if self.changed else "already up to date")
        return f"{self.week}: template {self.repo} {what} ({self.files} files, {self.commit[:7]})"


def blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def release_files(folder: Path) -> dict[str, tuple[bytes, str]]:
    """path -> (content, git mode) of a release folder; symlinks are refused."""
    if not folder.is_dir():
        raise CourseError(f"{folder} does not exist: run `autograder release` first")
    files = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if SKIP_PARTS & set(rel.parts):
            continue
        if path.is_symlink():
            raise CourseError(f"{path}: symlinks cannot be published")
        if path.is_file():
            mode = "100755" if path.stat().st_mode & 0o111 else "100644"
            files[rel.as_posix()] = (path.read_bytes(), mode)
    if not files:
        raise CourseError(f"{folder} is empty")
    return files


def _template(client: GitHub, name: str, week: str) -> tuple[Repository, bool]:
    org = client.gh.get_organization(client.org)
    try:
        repo = client.gh.get_repo(f"{client.org}/{name}")
        client.read(lambda: repo.is_template, "get template")  # lazy: this is the GET
        if not repo.is_template:
            client.write(lambda: repo.edit(is_template=True), "mark as template")
        return repo, False
    except GithubException as exc:
        if exc.status != 404:
            raise
    client.pacer.acquire()
    repo = org.create_repo(
        name,
        private=True,
        is_template=True,
        auto_init=True,
        description=f"{week} starter (published by autograder)",
    )
    return repo, True


def publish_week(
    *, course: Course, week: str, client: GitHub | None = None, message: str | None = None
) -> PublishReport:
    course.week(week)
    files = release_files(course.assignments_dir / week)
    client = client or connect(course)
    name = template_name(course.repo_prefix(week))
    repo, created = _template(client, name, week)
    branch = client.read(lambda: repo.default_branch, "default branch")
    ref = client.read(lambda: repo.get_git_ref(f"heads/{branch}"), "get ref")
    head = client.read(lambda: ref.object.sha, "head")
    tree = client.read(lambda: repo.get_git_tree(head, recursive=True), "get tree")
    remote = {e.path: (e.sha, e.mode) for e in tree.tree if e.type == "blob"}
    local = {path: (blob_sha(data), mode) for path, (data, mode) in files.items()}
    if remote == local:
        return PublishReport(week, repo.full_name, created, False, head, len(files))
    known = {sha for sha, _ in remote.values()}
    elements = []
    for path, (data, mode) in files.items():
        sha = local[path][0]
        if sha not in known:
            blob = client.write(
                partial(repo.create_git_blob, base64.b64encode(data).decode(), "base64"),
                f"upload {path}",
            )
            sha = blob.sha
        elements.append(InputGitTreeElement(path, mode, "blob", sha=sha))
    new_tree = client.write(lambda: repo.create_git_tree(elements), "create tree")
    parent = repo.get_git_commit(head)
    commit = client.write(
        lambda: repo.create_git_commit(message or f"Publish {week}", new_tree, [parent]),
        "create commit",
    )
    client.write(lambda: ref.edit(commit.sha), "move branch")
    return PublishReport(week, repo.full_name, created, True, commit.sha, len(files))
