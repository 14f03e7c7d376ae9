"""The graded result of one submission: the JSON contract of DESIGN.md.

Frozen data with ``to_dict`` / ``from_dict``; rendering lives in `feedback`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from gpu_runner.textsafe import display_text, valid_text

SCHEMA_VERSION = 1
MESSAGE_CHARS = 500  # one test's or metric's message
NOTE_CHARS = 500  # one problem or flag
MAX_NOTES = 50  # problems (and flags) listed; the rest are counted


def _normalize(obj: object, *, rendered: dict[str, int]) -> None:
    """Make every string field of a frozen result valid Unicode; `rendered` fields (shown
    to people) also lose control and invisible characters and are capped."""
    for f in fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        if isinstance(value, str):
            clean = (
                display_text(value, rendered[f.name]) if f.name in rendered else valid_text(value)
            )
            if clean != value:
                object.__setattr__(obj, f.name, clean)


def _notes(values: tuple[str, ...]) -> tuple[str, ...]:
    clean = [display_text(str(v), NOTE_CHARS) for v in values]
    if len(clean) > MAX_NOTES:
        clean = [*clean[: MAX_NOTES - 1], f"… (+{len(clean) - MAX_NOTES + 1})"]
    return tuple(clean)


TEST_STATUSES = ("passed", "failed", "error", "timeout", "not_run", "manual")
#: where a hand-graded cell stands (``TestResult.manual``): "" for an autograded cell;
#: "pending" (no score yet), "graded" (scored by hand), "review" (scored, but the
#: answer changed since: the score is kept until the grader looks again)
MANUAL_STATES = ("", "pending", "graded", "review")


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest test class

    id: str
    notebook: str
    points: float
    max_points: float
    status: str  # one of TEST_STATUSES
    hidden: bool = False
    message: str = ""
    # hand grading (a compatible superset of the contract: written only when set)
    manual: str = ""  # one of MANUAL_STATES
    extra_credit: float = 0.0
    comment: str = ""  # the grader's comment (formgrader or `autograder manual`)
    checksum: str = ""  # nbgrader checksum of a hand-graded answer cell (blank ones too)

    def __post_init__(self) -> None:
        _normalize(
            self,
            rendered={"message": MESSAGE_CHARS, "id": 200, "notebook": 200, "comment": 2000},
        )

    @property
    def pending(self) -> bool:
        return self.manual == "pending"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "notebook": self.notebook,
            "points": float(self.points),
            "max_points": float(self.max_points),
            "status": self.status,
            "hidden": self.hidden,
            "message": self.message,
        }
        if self.manual:
            data["manual"] = self.manual
        if self.extra_credit:
            data["extra_credit"] = float(self.extra_credit)
        if self.comment:
            data["comment"] = self.comment
        if self.checksum:
            data["checksum"] = self.checksum
        return data


@dataclass(frozen=True)
class MetricResult:
    id: str
    metric: str
    value: float | None
    target: float
    floor: float
    points: float
    max_points: float
    direction: str = "higher"
    message: str = ""
    details: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _normalize(self, rendered={"message": MESSAGE_CHARS, "id": 200, "metric": 200})

    @property
    def reached(self) -> bool:
        """The value meets the target (higher or lower is better, as `direction` says)."""
        if self.value is None:
            return False
        return (
            self.value >= self.target if self.direction == "higher" else self.value <= self.target
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "metric": self.metric,
            "value": self.value,
            "target": self.target,
            "floor": self.floor,
            "points": float(self.points),
            "max_points": float(self.max_points),
            "direction": self.direction,
            "message": self.message,
            "details": dict(self.details),
        }


@dataclass(frozen=True)
class Penalty:
    reason: str
    points: float  # negative

    def __post_init__(self) -> None:
        _normalize(self, rendered={"reason": NOTE_CHARS})

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "points": float(self.points)}


@dataclass(frozen=True)
class SubmissionResult:
    assignment: str
    student: str
    status: str  # "graded" | "error"
    score: float
    max_score: float
    tests: tuple[TestResult, ...] = ()
    metrics: tuple[MetricResult, ...] = ()
    penalties: tuple[Penalty, ...] = ()
    problems: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    runtime_s: float = 0.0
    # our own bookkeeping, outside the contract's required keys
    submitted_at: str | None = None
    late_seconds: float = 0.0
    sha: str | None = None
    run_status: str = ""
    runner: str = ""
    content_hash: str = ""
    assignment_version: str = ""
    #: the grader's comments on cells that are not graded: (cell, text)
    comments: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        _normalize(self, rendered={"student": 100, "assignment": 200})
        object.__setattr__(self, "problems", _notes(tuple(self.problems)))
        object.__setattr__(self, "flags", _notes(tuple(self.flags)))
        object.__setattr__(
            self,
            "comments",
            tuple((display_text(c, 200), display_text(x, 2000)) for c, x in self.comments),
        )

    @property
    def pending_points(self) -> float:
        """Points of hand-graded cells nobody has scored yet."""
        return float(sum(t.max_points for t in self.tests if t.manual == "pending"))

    @property
    def provisional(self) -> bool:
        """The score can still change: a hand-graded cell is pending or to be reviewed."""
        return self.status == "graded" and any(
            t.manual in ("pending", "review") for t in self.tests
        )

    def to_dict(self) -> dict[str, Any]:
        manual: dict[str, Any] = {}
        if any(t.manual for t in self.tests):
            manual = {"provisional": self.provisional, "pending_points": self.pending_points}
        if self.comments:
            manual["comments"] = [{"cell": c, "comment": x} for c, x in self.comments]
        return {
            "schema_version": SCHEMA_VERSION,
            "assignment": self.assignment,
            "student": self.student,
            "status": self.status,
            "score": round(float(self.score), 4),
            "max_score": round(float(self.max_score), 4),
            "tests": [t.to_dict() for t in self.tests],
            "metrics": [m.to_dict() for m in self.metrics],
            "penalties": [p.to_dict() for p in self.penalties],
            "problems": list(self.problems),
            "flags": list(self.flags),
            "runtime_s": round(float(self.runtime_s), 3),
            "submitted_at": self.submitted_at,
            "late_seconds": self.late_seconds,
            "sha": self.sha,
            "run_status": self.run_status,
            "runner": self.runner,
            "content_hash": self.content_hash,
            "assignment_version": self.assignment_version,
            **manual,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        return cls(
            assignment=data["assignment"],
            student=data["student"],
            status=data["status"],
            score=float(data["score"]),
            max_score=float(data["max_score"]),
            tests=tuple(TestResult(**t) for t in data.get("tests", [])),
            metrics=tuple(MetricResult(**m) for m in data.get("metrics", [])),
            penalties=tuple(Penalty(**p) for p in data.get("penalties", [])),
            problems=tuple(data.get("problems", [])),
            flags=tuple(data.get("flags", [])),
            runtime_s=float(data.get("runtime_s", 0.0)),
            submitted_at=data.get("submitted_at"),
            late_seconds=float(data.get("late_seconds", 0.0)),
            sha=data.get("sha"),
            run_status=data.get("run_status", ""),
            runner=data.get("runner", ""),
            content_hash=data.get("content_hash", ""),
            assignment_version=data.get("assignment_version", ""),
            comments=tuple((str(c["cell"]), str(c["comment"])) for c in data.get("comments", [])),
        )
