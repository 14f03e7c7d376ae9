"""Feedback before the deadline, as the week's check policy allows.

Public tests in full (or as a count), hidden tests as a count passed (or in full,
hint only; or not at all), thresholds shown or not. Whatever the policy, the text
is built from the same `SubmissionResult` as the final feedback, which never holds
hidden-test source, so no policy can leak it.
"""

from __future__ import annotations

from datetime import datetime

from autograder.config import CheckPolicy
from autograder.feedback import inert, status_label
from autograder.messages import Labels
from autograder.results import SubmissionResult, TestResult


def _rows(tests: list[TestResult], tx: Labels) -> list[str]:
    lines = [tx("col")]
    for test in tests:
        name = f"`{test.id}`" + (f" ({tx('hidden')})" if test.hidden else "")
        lines.append(
            f"| {name} | {status_label(tx, test.status)} | "
            f"{test.points:g} / {test.max_points:g} | {inert(test.text(tx.language), in_table=True)} |"
        )
    return lines


def _section(heading: str, tests: list[TestResult], mode: str, tx: Labels, cx: Labels) -> list[str]:
    if mode == "hidden" or not tests:
        return []
    lines = [heading, ""]
    if mode == "count":
        passed = sum(1 for t in tests if t.status == "passed")
        lines.append(cx("count", passed=passed, total=len(tests)))
    else:
        lines += _rows(tests, tx)
    return [*lines, ""]


def check_markdown(
    result: SubmissionResult,
    *,
    policy: CheckPolicy,
    language: str = "ko",
    title: str | None = None,
    deadline: datetime | None = None,
) -> str:
    tx = Labels(language, "feedback")
    cx = Labels(language, "check")
    lines = [f"## {cx('title', title=title or result.assignment)}", "", cx("intro")]
    if deadline is not None:
        lines.append(cx("deadline", when=deadline.isoformat()))
    lines.append("")
    if result.sha:
        lines += [cx("commit", sha=result.sha[:7]), ""]
    if result.status == "error":
        lines += [tx("error"), ""]
        lines += [f"- {inert(p)}" for p in result.problem_texts(language)]
        return "\n".join([*lines, "", tx("footer")]) + "\n"
    anything_hidden = "hidden" in (policy.public_tests, policy.hidden_tests, policy.thresholds)
    if policy.show_score and not anything_hidden:
        lines += [cx("score", score=result.score, max=result.max_score), ""]
    public = [t for t in result.tests if not t.hidden]
    hidden = [t for t in result.tests if t.hidden]
    lines += _section(cx("public"), public, policy.public_tests, tx, cx)
    lines += _section(cx("hidden"), hidden, policy.hidden_tests, tx, cx)
    if result.metrics:
        lines += [tx("metrics"), ""]
        if policy.thresholds == "hidden":
            lines.append(cx("thresholds_hidden"))
        else:
            for m in result.metrics:
                value = "—" if m.value is None else f"{m.value:.4g}"
                mark = "✓" if m.points >= m.max_points else ("△" if m.points > 0 else "✗")
                cmp = "≤ " if m.direction == "lower" else "≥ "
                lines.append(
                    f"- `{m.id}` ({m.metric}): {tx('your')} {value} — {tx('target')} "
                    f"{cmp}{m.target:g} {mark} ({tx('floor')} {m.floor:g}; "
                    f"{m.points:g}/{m.max_points:g}{tx('points')})"
                )
        lines.append("")
    notes = [*result.problem_texts(language), *result.flag_texts(language)]
    if notes:
        lines += [tx("problems"), ""]
        lines += [f"- {inert(p)}" for p in notes]
        lines.append("")
    if policy.min_interval_minutes > 0:
        lines += [cx("next", minutes=policy.min_interval_minutes), ""]
    return "\n".join([*lines, tx("footer")]) + "\n"
