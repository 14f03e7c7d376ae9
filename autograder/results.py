"""The graded result of one submission: the JSON contract of DESIGN.md.

Frozen data with ``to_dict`` / ``from_dict``; rendering lives in `feedback`.

Problems, flags, penalty reasons and test messages are facts (`Message`: a catalog
code and its parameters), rendered in the course language only at the JSON edge
(`to_dict`). The stored result (`result_file.result_text`) keeps the facts too, under
``facts``, so readers (reports) count reasons by code; ``grade --json`` prints the
contract without them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from autograder.messages import Message
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


def as_fact(value: Message | str, limit: int = NOTE_CHARS) -> Message:
    """A fact with its text parameters normalised; a plain string becomes free text."""
    if not isinstance(value, Message):
        return Message.text(display_text(str(value), limit))
    params = {
        k: as_fact(v, limit)
        if isinstance(v, Message)
        else (display_text(v, limit) if isinstance(v, str) else v)
        for k, v in value.params.items()
    }
    return Message(value.code, params)


def shown(value: Message, language: str, limit: int = NOTE_CHARS) -> str:
    """A fact as the contract's text: rendered, then made displayable and capped."""
    return display_text(value.render(language), limit)


def _notes(values: tuple[Message | str, ...]) -> tuple[Message, ...]:
    clean = [as_fact(v) for v in values]
    if len(clean) > MAX_NOTES:
        clean = [*clean[: MAX_NOTES - 1], Message.of("note.more", count=len(clean) - MAX_NOTES + 1)]
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
    message: Message | str = ""  # a fact after construction (free text for a hint or an error)
    # hand grading (a compatible superset of the contract: written only when set)
    manual: str = ""  # one of MANUAL_STATES
    extra_credit: float = 0.0
    comment: str = ""  # the grader's comment (formgrader or `autograder manual`)
    checksum: str = ""  # nbgrader checksum of a hand-graded answer cell (blank ones too)

    def __post_init__(self) -> None:
        _normalize(self, rendered={"id": 200, "notebook": 200, "comment": 2000})
        object.__setattr__(self, "message", as_fact(self.message, MESSAGE_CHARS))

    @property
    def fact(self) -> Message:
        assert isinstance(self.message, Message)
        return self.message

    def text(self, language: str) -> str:
        """The message as a person reads it (empty when there is none)."""
        return shown(self.fact, language, MESSAGE_CHARS)

    @property
    def pending(self) -> bool:
        return self.manual == "pending"

    def to_dict(self, language: str = "ko") -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "notebook": self.notebook,
            "points": float(self.points),
            "max_points": float(self.max_points),
            "status": self.status,
            "hidden": self.hidden,
            "message": self.text(language),
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
    message: Message | str = ""  # a fact after construction
    details: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _normalize(self, rendered={"id": 200, "metric": 200})
        object.__setattr__(self, "message", as_fact(self.message, MESSAGE_CHARS))

    @property
    def fact(self) -> Message:
        assert isinstance(self.message, Message)
        return self.message

    def text(self, language: str) -> str:
        return shown(self.fact, language, MESSAGE_CHARS)

    @property
    def reached(self) -> bool:
        """The value meets the target (higher or lower is better, as `direction` says)."""
        if self.value is None:
            return False
        return (
            self.value >= self.target if self.direction == "higher" else self.value <= self.target
        )

    def to_dict(self, language: str = "ko") -> dict[str, Any]:
        return {
            "id": self.id,
            "metric": self.metric,
            "value": self.value,
            "target": self.target,
            "floor": self.floor,
            "points": float(self.points),
            "max_points": float(self.max_points),
            "direction": self.direction,
            "message": self.text(language),
            "details": dict(self.details),
        }


@dataclass(frozen=True)
class Penalty:
    reason: Message | str  # a fact after construction
    points: float  # negative

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", as_fact(self.reason))

    @property
    def fact(self) -> Message:
        assert isinstance(self.reason, Message)
        return self.reason

    def text(self, language: str) -> str:
        return shown(self.fact, language)

    def to_dict(self, language: str = "ko") -> dict[str, Any]:
        return {"reason": self.text(language), "points": float(self.points)}


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
    problems: tuple[Message, ...] = ()  # strings are accepted (free text)
    flags: tuple[Message, ...] = ()
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
    #: the course language: the contract's text fields are rendered in it
    language: str = "ko"

    def __post_init__(self) -> None:
        _normalize(self, rendered={"student": 100, "assignment": 200})
        object.__setattr__(self, "problems", _notes(tuple(self.problems)))
        object.__setattr__(self, "flags", _notes(tuple(self.flags)))
        object.__setattr__(
            self,
            "comments",
            tuple((display_text(c, 200), display_text(x, 2000)) for c, x in self.comments),
        )

    def problem_texts(self, language: str | None = None) -> tuple[str, ...]:
        """The problems as people read them (the course language unless told)."""
        return tuple(shown(p, language or self.language) for p in self.problems)

    def flag_texts(self, language: str | None = None) -> tuple[str, ...]:
        return tuple(shown(f, language or self.language) for f in self.flags)

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

    def to_dict(self, *, facts: bool = False) -> dict[str, Any]:
        """The contract's JSON, text in the course language; `facts` adds the codes
        (the stored result: `result_file.result_text`)."""
        lang = self.language
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
            "tests": [t.to_dict(lang) for t in self.tests],
            "metrics": [m.to_dict(lang) for m in self.metrics],
            "penalties": [p.to_dict(lang) for p in self.penalties],
            "problems": list(self.problem_texts()),
            "flags": list(self.flag_texts()),
            "runtime_s": round(float(self.runtime_s), 3),
            "submitted_at": self.submitted_at,
            "late_seconds": self.late_seconds,
            "sha": self.sha,
            "run_status": self.run_status,
            "runner": self.runner,
            "content_hash": self.content_hash,
            "assignment_version": self.assignment_version,
            **manual,
            **({"facts": self._facts()} if facts else {}),
        }

    def _facts(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "problems": [p.to_dict() for p in self.problems],
            "flags": [f.to_dict() for f in self.flags],
            "penalties": [p.fact.to_dict() for p in self.penalties],
            "tests": [t.fact.to_dict() for t in self.tests],
            "metrics": [m.fact.to_dict() for m in self.metrics],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        """A stored result; its facts when it has them, else its text as free text."""
        stored_facts = data.get("facts")
        facts: dict[str, Any] = stored_facts if isinstance(stored_facts, dict) else {}

        def restored(key: str, texts: list[Any]) -> list[Any]:
            stored = facts.get(key)
            if isinstance(stored, list) and len(stored) == len(texts):
                return [Message.from_dict(f) for f in stored]
            return texts

        tests = list(data.get("tests", []))
        tests = [
            {**t, "message": m}
            for t, m in zip(
                tests, restored("tests", [t.get("message", "") for t in tests]), strict=True
            )
        ]
        metrics = list(data.get("metrics", []))
        metrics = [
            {**m, "message": x}
            for m, x in zip(
                metrics, restored("metrics", [m.get("message", "") for m in metrics]), strict=True
            )
        ]
        penalties = list(data.get("penalties", []))
        penalties = [
            {**p, "reason": r}
            for p, r in zip(
                penalties, restored("penalties", [p["reason"] for p in penalties]), strict=True
            )
        ]
        return cls(
            assignment=data["assignment"],
            student=data["student"],
            status=data["status"],
            score=float(data["score"]),
            max_score=float(data["max_score"]),
            tests=tuple(TestResult(**t) for t in tests),
            metrics=tuple(MetricResult(**m) for m in metrics),
            penalties=tuple(Penalty(**p) for p in penalties),
            problems=tuple(restored("problems", list(data.get("problems", [])))),
            flags=tuple(restored("flags", list(data.get("flags", [])))),
            runtime_s=float(data.get("runtime_s", 0.0)),
            submitted_at=data.get("submitted_at"),
            late_seconds=float(data.get("late_seconds", 0.0)),
            sha=data.get("sha"),
            run_status=data.get("run_status", ""),
            runner=data.get("runner", ""),
            content_hash=data.get("content_hash", ""),
            assignment_version=data.get("assignment_version", ""),
            comments=tuple((str(c["cell"]), str(c["comment"])) for c in data.get("comments", [])),
            language=str(facts.get("language", "ko")),
        )
