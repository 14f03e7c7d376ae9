"""Pushes from GitHub's API: reconciliation at start, and `watch` polling.

Conditional requests throughout: each URL's ``ETag`` is sent back as
``If-None-Match``; GitHub answers ``304 Not Modified`` without counting it against
the rate limit. A poll lists the org's repos (one request per 100 repos), and only
for a repo whose ``pushed_at`` moved asks its activity log (also conditional) for
pushes newer than the stored cursor; each is queued with GitHub's own push time.
An idle hour at one poll a minute therefore costs ``60 x ceil(repos/100)``
requests, all 304s: none count against the 5,000/h limit.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from autograder.continuous.queue import WorkQueue
from autograder.continuous.routing import RepoRouter
from autograder.errors import GitHubError, GitHubUnavailable
from autograder.github.client import GitHub
from autograder.github.clock import Clock
from autograder.github.repos import StudentRepo

log = logging.getLogger(__name__)

NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')
SKIP = ("branch_deletion",)


@dataclass
class PollReport:
    requests: int = 0
    not_modified: int = 0
    repos: int = 0
    checked: int = 0
    queued: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.repos} repos, {self.checked} activity logs read, {len(self.queued)} queued; "
            f"{self.requests} requests ({self.not_modified} not modified)"
        )


@dataclass
class _Cached:
    etag: str
    data: Any
    link: str


def _rate_limit_wait(headers: dict[str, Any], now: float) -> float | None:
    """Seconds GitHub asks us to wait: Retry-After, else until the limit resets."""
    try:
        if "retry-after" in headers:
            return max(0.0, float(headers["retry-after"]))
        if "x-ratelimit-reset" in headers:
            return max(0.0, float(headers["x-ratelimit-reset"]) - now) + 1.0
    except ValueError:
        pass
    return None


def _time(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@dataclass
class Poller:
    client: GitHub
    queue: WorkQueue
    router: RepoRouter
    clock: Clock
    #: our own login, or how to learn it (asked when first needed, not at start)
    bot: str | Callable[[], str] = ""
    _cache: dict[str, _Cached] = field(default_factory=dict)

    def _bot(self) -> str:
        return self.bot() if callable(self.bot) else self.bot

    def _get(self, url: str, params: dict[str, Any] | None, report: PollReport) -> tuple[Any, str]:
        """GET with If-None-Match; a 304 answers from the cache. Returns (data, Link header)."""
        key = url + ("?" + json.dumps(params, sort_keys=True) if params else "")
        cached = self._cache.get(key)
        headers = {"If-None-Match": cached.etag} if cached else {}

        def fetch() -> tuple[int, dict[str, Any], str]:
            return self.client.gh.requester.requestJson(
                "GET", url, parameters=params, headers=headers
            )

        try:
            status, response_headers, text = self.client.read(fetch, f"poll {url}")
        except GitHubError as exc:
            if isinstance(exc.__cause__, requests.RequestException):
                raise GitHubUnavailable(f"GitHub is unreachable: {exc}") from exc
            raise
        report.requests += 1
        lower = {k.lower(): v for k, v in response_headers.items()}
        if status == 304 and cached is not None:
            report.not_modified += 1
            return cached.data, cached.link
        if status in (403, 429) and (
            "retry-after" in lower or lower.get("x-ratelimit-remaining") == "0"
        ):
            raise GitHubUnavailable(
                f"GitHub's rate limit is exhausted (HTTP {status} on GET {url})",
                wait_s=_rate_limit_wait(lower, self.clock.time()),
            )
        if status >= 400:
            raise GitHubError(f"GET {url}: HTTP {status}")
        data = json.loads(text) if text else None
        link = str(lower.get("link", ""))
        if lower.get("etag"):
            self._cache[key] = _Cached(lower["etag"], data, link)
        return data, link

    def list_repos(self, report: PollReport) -> list[dict[str, Any]]:
        url: str | None = f"/orgs/{self.client.org}/repos"
        params: dict[str, Any] | None = {"type": "all", "per_page": 100}
        listed: list[dict[str, Any]] = []
        while url:
            data, link = self._get(url, params, report)
            listed += [r for r in data or [] if isinstance(r, dict)]
            match = NEXT_LINK.search(link)
            url, params = (match.group(1), None) if match else (None, None)
        return listed

    def poll(
        self, *, full: bool = False, progress: Callable[[int, int, PollReport], None] | None = None
    ) -> PollReport:
        """One pass. `full` reads every student repo's activity (reconciliation at start).

        `progress(done, total, report)` is called after each listed repository."""
        report = PollReport()
        listed = self.list_repos(report)
        for done, item in enumerate(listed, 1):
            if progress is not None:
                progress(done, len(listed), report)
            if item.get("is_template") or item.get("archived"):
                continue
            target = self.router.target(
                str(item.get("full_name", "")),
                int(item["id"]),
                str(item.get("default_branch") or "main"),
            )
            if target is None:
                continue
            report.repos += 1
            pushed_at = item.get("pushed_at")
            before = self.queue.repos.put(target)
            if not full and before == pushed_at:
                continue
            try:
                self.check_activity(target, report)
            except GitHubUnavailable:
                raise  # the whole pass is retried later (cursors keep what was done)
            except GitHubError as exc:
                log.warning("activity of %s: %s", target.full_name, exc)
                continue
            if pushed_at:
                self.queue.repos.set_cursor(target.repo_id, pushed_at=str(pushed_at))
        return report

    def check_activity(self, target: StudentRepo, report: PollReport) -> None:
        """Queue the newest push on the default branch since the cursor, if any."""
        report.checked += 1
        data, _ = self._get(
            f"/repos/{target.full_name}/activity",
            {"ref": f"refs/heads/{target.default_branch}", "direction": "desc", "per_page": 100},
            report,
        )
        if not isinstance(data, list):
            return
        cursor = self.queue.repos.cursor(target.repo_id) or 0
        fresh = [
            a
            for a in data
            if isinstance(a, dict)
            and int(a.get("id", 0)) > cursor
            and a.get("ref") == f"refs/heads/{target.default_branch}"
        ]
        if not fresh:
            return
        newest_id = max(int(a["id"]) for a in fresh)
        bot = self._bot()
        pushes = [
            a
            for a in fresh
            if a.get("activity_type") not in SKIP
            and ((a.get("actor") or {}).get("login", "") != bot or not bot)
        ]
        if pushes:
            newest = max(pushes, key=lambda a: (_time(a["timestamp"]), int(a["id"])))
            now = self.clock.time()
            interval, not_before = self.router.push_timing(target.week, now)
            before = self.queue.get(target.week, target.login)
            job = self.queue.push(
                target,
                sha=newest.get("after"),
                received_at=_time(newest["timestamp"]),
                now=now,
                min_interval_s=interval,
                not_before=not_before,
            )
            if before is None or job.pushes != before.pushes or job.state != before.state:
                report.queued.append((target.week, target.login))
        self.queue.repos.set_cursor(target.repo_id, last_activity_id=newest_id)
