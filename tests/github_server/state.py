"""What the test server knows: users, repos (real bare git), issues, comments, activity."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .clock import SimClock
from .gitstore import BareRepo


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Activity:
    id: int
    before: str
    after: str
    ref: str
    timestamp: float
    activity_type: str
    actor: str


@dataclass
class Comment:
    id: int
    issue_number: int
    body: str
    user: str
    created_at: float
    updated_at: float


@dataclass
class Issue:
    number: int
    title: str
    body: str
    user: str
    labels: list[str]
    state: str
    created_at: float
    updated_at: float
    comments: list[Comment] = field(default_factory=list)


@dataclass
class Repo:
    id: int
    owner: str
    name: str
    git: BareRepo
    private: bool = True
    is_template: bool = False
    default_branch: str = "main"
    created_at: float = 0.0
    pushed_at: float | None = None
    collaborators: dict[str, str] = field(default_factory=dict)  # login -> pull|push|admin...
    issues: list[Issue] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # name -> color
    activity: list[Activity] = field(default_factory=list)
    old_names: list[str] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


class World:
    """All server state, behind one lock."""

    def __init__(self, root: Path, clock: SimClock, org: str, bot: str, token: str) -> None:
        self.root = root
        self.clock = clock
        self.org = org
        self.bot = bot
        self.token = token
        self.lock = threading.RLock()
        self.repos: dict[int, Repo] = {}
        self.ids = itertools.count(1000)
        self.hook_url = ""
        self.activity_enabled = True
        self.classroom_gone = True

    def next_id(self) -> int:
        return next(self.ids)

    def repo(self, owner: str, name: str) -> Repo | None:
        for repo in self.repos.values():
            if repo.owner.lower() == owner.lower() and repo.name.lower() == name.lower():
                return repo
        return None

    def renamed_from(self, owner: str, name: str) -> Repo | None:
        for repo in self.repos.values():
            if repo.owner.lower() == owner.lower() and name.lower() in (
                n.lower() for n in repo.old_names
            ):
                return repo
        return None

    def by_path(self, path: Path) -> Repo | None:
        for repo in self.repos.values():
            if repo.git.path.resolve() == path.resolve():
                return repo
        return None

    def create_repo(
        self,
        name: str,
        *,
        owner: str | None = None,
        private: bool = True,
        is_template: bool = False,
    ) -> Repo:
        with self.lock:
            owner = owner or self.org
            if self.repo(owner, name):
                raise ValueError(f"repo {owner}/{name} exists")
            rid = self.next_id()
            skeleton = self.root / "skeleton.git"
            if not skeleton.exists():
                BareRepo(skeleton, self.hook_url)
            bare = BareRepo(self.root / f"repo-{rid}.git", self.hook_url, skeleton)
            repo = Repo(
                id=rid,
                owner=owner,
                name=name,
                git=bare,
                private=private,
                is_template=is_template,
                created_at=self.clock.time(),
            )
            self.repos[rid] = repo
            return repo

    def rename(self, repo: Repo, new_name: str) -> None:
        with self.lock:
            repo.old_names.append(repo.name)
            repo.name = new_name

    def record_push(self, repo: Repo, before: str, after: str, ref: str, actor: str) -> Activity:
        """A ref moved (a real git push, or a write through the API): log it at server time."""
        from .gitstore import ZERO_SHA

        with self.lock:
            if before == ZERO_SHA:
                kind = "branch_creation"
            elif after == ZERO_SHA:
                kind = "branch_deletion"
            elif repo.git.is_ancestor(before, after):
                kind = "push"
            else:
                kind = "force_push"
            item = Activity(
                id=self.next_id(),
                before=before,
                after=after,
                ref=ref,
                timestamp=self.clock.time(),
                activity_type=kind,
                actor=actor or self.bot,
            )
            repo.activity.append(item)
            repo.pushed_at = item.timestamp
            return item

    def all_issues(self) -> list[tuple[Repo, Issue]]:
        return [(r, i) for r in self.repos.values() for i in r.issues]
