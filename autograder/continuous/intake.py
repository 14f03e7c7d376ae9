"""What a verified delivery turns into: an entry in the queue, or a recorded reason not to.

Called only after the signature checked out. The delivery id is recorded in the
same step as the push, so a redelivery (same ``X-GitHub-Delivery``) is done once.
The push time kept is the moment *we* received it (the payload's commit dates are
written by the student's machine); reconciliation later uses GitHub's activity times.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from autograder.continuous.queue import WorkQueue
from autograder.continuous.routing import RepoRouter
from autograder.github.clock import Clock

ZERO_SHA = "0" * 40
EVENTS = ("push", "ping")


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, object]


@dataclass
class Intake:
    queue: WorkQueue
    router: RepoRouter
    clock: Clock

    def handle(self, *, event: str, delivery: str, body: bytes) -> Answer:
        now = self.clock.time()
        if not delivery or len(delivery) > 100:
            return Answer(400, {"error": "missing or invalid X-GitHub-Delivery"})
        if event not in EVENTS:
            return Answer(202, {"status": "ignored", "reason": f"event {event!r} is not handled"})
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return Answer(400, {"error": "body is not JSON"})
        if not isinstance(payload, dict):
            return Answer(400, {"error": "body is not a JSON object"})
        if event == "ping":
            fresh = self.queue.record_delivery(
                delivery, event=event, now=now, repo=None, outcome="pong"
            )
            return Answer(200, {"status": "pong" if fresh else "duplicate"})
        return self._push(payload, delivery, now)

    def _push(self, payload: dict[str, object], delivery: str, now: float) -> Answer:
        repository = payload.get("repository")
        if not isinstance(repository, dict):
            return Answer(400, {"error": "push without a repository"})
        full_name = str(repository.get("full_name", ""))
        branch = str(repository.get("default_branch") or "main")
        try:
            repo_id = int(repository.get("id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return Answer(400, {"error": "push without a repository id"})
        after = str(payload.get("after") or "")
        reason = None
        target = None
        if payload.get("deleted") or after == ZERO_SHA:
            reason = "branch deleted"
        elif payload.get("ref") != f"refs/heads/{branch}":
            reason = f"not the default branch ({branch})"
        else:
            target = self.router.target(full_name, repo_id, branch)
            if target is None:
                reason = "not a student repository of this course"
        outcome = reason or f"queued {target.week}/{target.login}"  # type: ignore[union-attr]
        if not self.queue.record_delivery(
            delivery, event="push", now=now, repo=full_name, outcome=outcome
        ):
            return Answer(200, {"status": "duplicate", "delivery": delivery})
        if reason is not None or target is None:
            return Answer(202, {"status": "ignored", "reason": reason})
        interval, not_before = self.router.push_timing(target.week, now)
        self.queue.repos.put(target)
        job = self.queue.push(
            target,
            sha=after,
            received_at=now,
            now=now,
            min_interval_s=interval,
            not_before=not_before,
        )
        return Answer(
            202,
            {
                "status": "queued",
                "week": target.week,
                "login": target.login,
                "due_in_s": round(max(0.0, job.due_at - now), 1),
            },
        )
