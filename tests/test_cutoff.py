"""Deadline + grace is computed in one place, `Course.cutoff`, and everyone uses it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from autograder.config import LatePolicy
from autograder.course import Course
from autograder.pipeline.score import late_penalty


def _course(tmp_path: Path, deadline: str | None) -> Course:
    (tmp_path / "course.toml").write_text("[late_policy]\ngrace_minutes = 10\n")
    week = tmp_path / "solutions" / "week01"
    week.mkdir(parents=True)
    (week / "week01.ipynb").write_text("{}")
    if deadline is not None:
        (week / "assignment.toml").write_text(f'deadline = "{deadline}"\n')
    return Course(tmp_path)


def test_cutoff_is_deadline_plus_grace_and_aware(tmp_path: Path) -> None:
    course = _course(tmp_path, "2026-09-22T23:59:00+09:00")
    cutoff = course.cutoff("week01")
    assert cutoff is not None and cutoff.utcoffset() == timedelta(hours=9)
    assert cutoff == datetime(2026, 9, 22, 15, 9, tzinfo=UTC)


def test_no_deadline_no_cutoff(tmp_path: Path) -> None:
    assert _course(tmp_path, None).cutoff("week01") is None


def test_late_penalty_counts_from_the_cutoff() -> None:
    cutoff = LatePolicy(grace_minutes=10).cutoff(datetime(2026, 9, 1, tzinfo=UTC))
    assert cutoff is not None
    policy = LatePolicy(penalty_per_day=0.1)
    on_time = late_penalty(submitted_at=cutoff, cutoff=cutoff, policy=policy, max_score=10)
    assert on_time == (0.0, None)
    late, penalty = late_penalty(
        submitted_at=cutoff + timedelta(seconds=1),
        cutoff=cutoff,
        policy=policy,
        max_score=10,
    )
    assert late == 1.0 and penalty is not None and penalty.points == -1.0


def test_no_other_module_adds_the_grace() -> None:
    root = Path(__file__).resolve().parents[1] / "autograder"
    adders = [
        p.relative_to(root).as_posix()
        for p in root.rglob("*.py")
        if "grace_minutes)" in p.read_text(encoding="utf-8")
    ]
    assert adders == ["config.py"]
