"""Feedback before the deadline, as the week's check policy allows.

Public tests in full (or as a count), hidden tests as a count passed (or in full,
hint only; or not at all), thresholds shown or not. Whatever the policy, the text
is built from the same `SubmissionResult` as the final feedback, which never holds
hidden-test source, so no policy can leak it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from autograder.config import CheckPolicy
from autograder.feedback import TEXT as FINAL_TEXT
from autograder.feedback import inert
from autograder.results import SubmissionResult, TestResult

TEXT = {
    "ko": {
        "title": "{title} 점검 결과 (마감 전)",
        "intro": "마감 전 자동 점검입니다. 최종 점수는 마감 후 채점으로 정해집니다.",
        "deadline": "마감: {when}",
        "score": "**현재 점수(잠정): {score:g} / {max:g}**",
        "public": "### 공개 테스트",
        "hidden": "### 숨김 테스트",
        "count": "{passed} / {total} 통과",
        "thresholds_hidden": "모델 성능 기준 결과는 마감 후에 공개됩니다.",
        "commit": "점검한 커밋: `{sha}`",
        "next": "다음 점검은 마지막 채점 후 {minutes:g}분이 지나야 합니다. 그 사이의 push는 모아서 한 번에 점검합니다.",
    },
    "en": {
        "title": "{title}: check before the deadline",
        "intro": "An automatic check before the deadline. The final score comes from "
        "grading after the deadline.",
        "deadline": "Deadline: {when}",
        "score": "**Provisional score: {score:g} / {max:g}**",
        "public": "### Public tests",
        "hidden": "### Hidden tests",
        "count": "{passed} / {total} passed",
        "thresholds_hidden": "Model threshold results are shown after the deadline.",
        "commit": "Checked commit: `{sha}`",
        "next": "The next check comes at least {minutes:g} minutes after the last one; "
        "pushes in between are checked together.",
    },
}


def _rows(tests: list[TestResult], tx: dict[str, Any]) -> list[str]:
    lines = [tx["col"]]
    for test in tests:
        name = f"`{test.id}`" + (f" ({tx['hidden']})" if test.hidden else "")
        lines.append(
            f"| {name} | {tx['status'].get(test.status, test.status)} | "
            f"{test.points:g} / {test.max_points:g} | {inert(test.message, in_table=True)} |"
        )
    return lines


def _section(
    heading: str, tests: list[TestResult], mode: str, tx: dict[str, Any], cx: dict[str, str]
) -> list[str]:
    if mode == "hidden" or not tests:
        return []
    lines = [heading, ""]
    if mode == "count":
        passed = sum(1 for t in tests if t.status == "passed")
        lines.append(cx["count"].format(passed=passed, total=len(tests)))
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
    tx = FINAL_TEXT.get(language, FINAL_TEXT["en"])
    cx = TEXT.get(language, TEXT["en"])
    lines = [f"## {cx['title'].format(title=title or result.assignment)}", "", cx["intro"]]
    if deadline is not None:
        lines.append(cx["deadline"].format(when=deadline.isoformat()))
    lines.append("")
    if result.sha:
        lines += [cx["commit"].format(sha=result.sha[:7]), ""]
    if result.status == "error":
        lines += [tx["error"], ""]
        lines += [f"- {inert(p)}" for p in result.problems]
        return "\n".join([*lines, "", tx["footer"]]) + "\n"
    anything_hidden = "hidden" in (policy.public_tests, policy.hidden_tests, policy.thresholds)
    if policy.show_score and not anything_hidden:
        lines += [cx["score"].format(score=result.score, max=result.max_score), ""]
    public = [t for t in result.tests if not t.hidden]
    hidden = [t for t in result.tests if t.hidden]
    lines += _section(cx["public"], public, policy.public_tests, tx, cx)
    lines += _section(cx["hidden"], hidden, policy.hidden_tests, tx, cx)
    if result.metrics:
        lines += [tx["metrics"], ""]
        if policy.thresholds == "hidden":
            lines.append(cx["thresholds_hidden"])
        else:
            for m in result.metrics:
                value = "—" if m.value is None else f"{m.value:.4g}"
                mark = "✓" if m.points >= m.max_points else ("△" if m.points > 0 else "✗")
                cmp = "≤ " if m.direction == "lower" else "≥ "
                lines.append(
                    f"- `{m.id}` ({m.metric}): {tx['your']} {value} — {tx['target']} "
                    f"{cmp}{m.target:g} {mark} ({tx['floor']} {m.floor:g}; "
                    f"{m.points:g}/{m.max_points:g}{tx['points']})"
                )
        lines.append("")
    notes = [*result.problems, *result.flags]
    if notes:
        lines += [tx["problems"], ""]
        lines += [f"- {inert(p)}" for p in notes]
        lines.append("")
    if policy.min_interval_minutes > 0:
        lines += [cx["next"].format(minutes=policy.min_interval_minutes), ""]
    return "\n".join([*lines, tx["footer"]]) + "\n"
