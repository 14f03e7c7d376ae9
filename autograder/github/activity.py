"""Server-side push times from the repository activity API, and the head as of a deadline.

Commit dates are written by the student's machine and prove nothing; the activity
log records when GitHub received each push. The head of the default branch as of
the cutoff is the ``after`` of the newest activity at or before it, so a force-push
after the deadline cannot replace what was there on time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from github import GithubException

from autograder.github.client import GitHub

ZERO_SHA = "0" * 40
NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')


@dataclass(frozen=True)
class Push:
    before: str
    after: str
    ref: str
    at: datetime
    kind: str
    actor: str


@dataclass(frozen=True)
class Decision:
    sha: str
    pushed_at: datetime
    late: bool


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def ref_history(
    client: GitHub, full_name: str, branch: str, cutoff: datetime | None
) -> list[Push] | None:
    """Activities on ``refs/heads/<branch>``, newest first; None when the API is unavailable.

    Stops paging once an activity at or before the cutoff is seen: nothing older matters.
    """
    url: str | None = f"/repos/{full_name}/activity"
    params: dict[str, object] | None = {
        "ref": f"refs/heads/{branch}",
        "direction": "desc",
        "per_page": 100,
    }
    pushes: list[Push] = []
    while url:

        def fetch(
            url: str = url, params: dict[str, object] | None = params
        ) -> tuple[dict[str, object], object]:
            return client.api("GET", url, params=params)

        try:
            headers, data = client.read(fetch, f"activity of {full_name}")
        except GithubException as exc:
            if exc.status in (403, 404, 410, 422, 501):
                return None
            raise
        if not isinstance(data, list):
            return None
        for item in data:
            pushes.append(
                Push(
                    item.get("before") or ZERO_SHA,
                    item.get("after") or ZERO_SHA,
                    item.get("ref", ""),
                    _parse_time(item["timestamp"]),
                    item.get("activity_type", "push"),
                    (item.get("actor") or {}).get("login", ""),
                )
            )
        if cutoff is not None and any(p.at <= cutoff for p in pushes):
            break
        match = NEXT_LINK.search(str(headers.get("link", "")))
        url, params = (match.group(1), None) if match else (None, None)
    pushes.sort(key=lambda p: p.at, reverse=True)
    return pushes


def head_as_of(
    pushes: list[Push], cutoff: datetime | None, *, ignore_actor: str = ""
) -> Decision | None:
    """The submission: the on-time head if any, else the newest (late) head, else None."""
    relevant = [p for p in pushes if p.actor != ignore_actor or not ignore_actor]
    if not relevant:
        return None
    if cutoff is not None:
        on_time = [p for p in relevant if p.at <= cutoff]
        if on_time and on_time[0].after != ZERO_SHA:
            return Decision(on_time[0].after, on_time[0].at, late=False)
        later = [p for p in relevant if p.at > cutoff and p.after != ZERO_SHA]
        if not later:
            return None
        return Decision(later[0].after, later[0].at, late=True)
    newest = relevant[0]
    if newest.after == ZERO_SHA:
        return None
    return Decision(newest.after, newest.at, late=False)
