"""An optional per-week leaderboard: each student's best value on one threshold.

Anonymised by default: a student appears as a stable alias derived from the
login and a course secret (`salt`), so the board can be posted without names and
a student who knows their own alias can find themselves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int  # ties share a rank
    name: str  # the login, or its alias when anonymised
    value: float
    points: float
    max_points: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "name": self.name,
            "value": self.value,
            "points": self.points,
            "max_points": self.max_points,
        }


def alias(login: str, *, salt: str) -> str:
    """A stable, non-reversible display name for `login` (without the salt)."""
    digest = hashlib.sha256(f"{salt}\0{login}".encode()).hexdigest()
    return f"#{digest[:6]}"


def leaderboard(
    entries: Iterable[tuple[str, Mapping[str, Any]]],
    *,
    metric_id: str,
    anonymise: bool = True,
    salt: str = "",
    limit: int | None = None,
) -> list[LeaderboardRow]:
    """Best result per student for `metric_id`, best first.

    `entries` are (login, metric dict) pairs: the contract's ``metrics`` entries
    (`MetricResult.to_dict()`), any number per student (every graded submission).
    Results without a value (invalid predictions) are left out.
    """
    best: dict[str, Mapping[str, Any]] = {}
    for login, entry in entries:
        if entry.get("id") != metric_id or entry.get("value") is None:
            continue
        lower = entry.get("direction") == "lower"
        current = best.get(login)
        if current is None or _better(entry["value"], current["value"], lower):
            best[login] = entry
    ordered = sorted(
        best.items(),
        key=lambda item: (
            item[1]["value"] if item[1].get("direction") == "lower" else -item[1]["value"],
            item[0],
        ),
    )
    rows: list[LeaderboardRow] = []
    for position, (login, entry) in enumerate(ordered, start=1):
        tied = rows and rows[-1].value == float(entry["value"])
        rows.append(
            LeaderboardRow(
                rank=rows[-1].rank if tied else position,
                name=alias(login, salt=salt) if anonymise else login,
                value=float(entry["value"]),
                points=float(entry.get("points", 0.0)),
                max_points=float(entry.get("max_points", 0.0)),
            )
        )
    return rows[:limit] if limit is not None else rows


def _better(value: float, than: float, lower: bool) -> bool:
    return value < than if lower else value > than
