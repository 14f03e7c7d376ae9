"""The feedback outbox: what must be posted, and how far each post got.

A row is one revision of one student's feedback. Before a write that cannot be
repeated blindly (creating an issue or a comment) the row records it as
``in_flight``; after a crash such a row is reconciled by looking for the hidden
marker on GitHub before anything is written again. That is what makes posting
exactly-once across crashes, timeouts and failed responses to writes that did
happen.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, insert, select, update

from autograder.deliveries import DONE, ISSUE_DONE, PENDING, SUPERSEDED, outbox

__all__ = ["DONE", "ISSUE_DONE", "PENDING", "SUPERSEDED", "Outbox", "OutboxRow", "body_hash"]


@dataclass(frozen=True)
class OutboxRow:
    id: int
    week: str
    login: str
    repo: str
    body_hash: str
    body: str
    title: str
    score: str | None
    comment: str | None
    state: str
    in_flight: str | None
    issue_number: int | None
    attempts: int


def body_hash(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


class Outbox:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _rows(self, *where: ColumnElement[bool]) -> list[OutboxRow]:
        with self.engine.begin() as conn:
            rows = conn.execute(select(outbox).where(*where).order_by(outbox.c.id)).all()
        return [
            OutboxRow(
                r.id,
                r.week,
                r.login,
                r.repo,
                r.body_hash,
                r.body,
                r.title,
                r.score,
                r.comment,
                r.state,
                r.in_flight,
                r.issue_number,
                r.attempts,
            )
            for r in rows
        ]

    def history(self, week: str, login: str) -> list[OutboxRow]:
        return self._rows(outbox.c.week == week, outbox.c.login == login)

    def pending(self, week: str) -> list[OutboxRow]:
        return self._rows(outbox.c.week == week, outbox.c.state.in_((PENDING, ISSUE_DONE)))

    def get(self, row_id: int) -> OutboxRow:
        return self._rows(outbox.c.id == row_id)[0]

    def enqueue(
        self,
        *,
        week: str,
        login: str,
        repo: str,
        title: str,
        body: str,
        score: str | None,
        comment_for: str,
        now: float,
    ) -> OutboxRow | None:
        """Queue a revision unless it is the latest one already; returns the new row."""
        digest = body_hash(body)
        history = self.history(week, login)
        if history and history[-1].body_hash == digest and history[-1].state != SUPERSEDED:
            return None
        comment = None
        posted = [r for r in history if r.state in (DONE, ISSUE_DONE) or r.issue_number]
        if posted:
            comment = comment_for
        with self.engine.begin() as conn:
            conn.execute(
                update(outbox)
                .where(
                    outbox.c.week == week,
                    outbox.c.login == login,
                    outbox.c.state == PENDING,
                    outbox.c.in_flight.is_(None),
                )
                .values(state=SUPERSEDED)
            )
            result = conn.execute(
                insert(outbox).values(
                    week=week,
                    login=login,
                    repo=repo,
                    body_hash=digest,
                    body=body,
                    title=title,
                    score=score,
                    comment=comment,
                    state=PENDING,
                    in_flight=None,
                    issue_number=None,
                    attempts=0,
                    created_at=now,
                )
            )
            assert result.inserted_primary_key is not None
            row_id = result.inserted_primary_key[0]
        return self.get(row_id)

    def known_issue(self, week: str, login: str) -> int | None:
        numbers = [r.issue_number for r in self.history(week, login) if r.issue_number]
        return numbers[-1] if numbers else None

    def last_posted_score(self, week: str, login: str) -> str | None:
        done = [r for r in self.history(week, login) if r.state == DONE]
        return done[-1].score if done else None

    def mark(self, row_id: int, **values: object) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.id == row_id).values(**values))
