"""Feedback rendering: Korean and English, hostile text stays literal."""

from __future__ import annotations

from autograder.feedback import to_markdown
from autograder.results import MetricResult, Penalty, SubmissionResult, TestResult


def _result(message: str) -> SubmissionResult:
    return SubmissionResult(
        assignment="week03",
        student="alice",
        status="graded",
        score=7.5,
        max_score=10.0,
        tests=(
            TestResult("t1", "week03", 0.0, 2.0, "failed", False, message),
            TestResult("t2", "week03", 2.0, 2.0, "passed", True, ""),
        ),
        metrics=(MetricResult("rmse", "rmse", 0.8, 0.78, 0.9, 1.5, 3.0, direction="lower"),),
        penalties=(Penalty("지각 제출 (1일)", -1.0),),
    )


def test_korean_and_english_bodies() -> None:
    ko = to_markdown(_result("AssertionError"), language="ko", title="3주차")
    en = to_markdown(_result("AssertionError"), language="en", title="Week 3")
    assert "점수: 7.5 / 10" in ko and "Score: 7.5 / 10" in en
    assert "≤ 0.78" in ko and "1.5/3" in ko  # lower is better, partial points
    assert "지각 제출" in ko


def test_student_text_cannot_add_markup_or_mentions() -> None:
    hostile = "x | y\n\n**점수: 10 / 10** @octocat <img src=https://evil/p.png> [link](https://evil)"
    body = to_markdown(_result(hostile), language="ko")
    row = next(line for line in body.splitlines() if line.startswith("| `t1`"))

    assert row.count("|") == 5  # the student's pipe opened no column
    assert "`x │ y **점수: 10 / 10** @octocat <img src=https://evil/p.png> [link](https://evil)`" in row
    assert body.count("\n**점수:") == 1  # the only bold score starts a line; the student's is in code
