"""Render a SubmissionResult as the Markdown body of a feedback issue.

Rendering is separate from publishing (`FileSink` here, the GitHub issue sink
in `autograder.github`). Hidden-test source never reaches a result, so it
cannot reach feedback; hidden failures carry only the instructor's hint.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from autograder.course import Course
from autograder.results import SubmissionResult, TestResult
from gpu_runner.textsafe import display_text

log = logging.getLogger(__name__)

TEXT: dict[str, dict[str, Any]] = {
    "ko": {
        "title": "{title} 채점 결과",
        "score": "**점수: {score:g} / {max:g}**",
        "provisional": "**잠정 점수**: 수동 채점 {pending:g}점이 아직 채점 대기 중입니다. 최종 점수는 바뀔 수 있습니다.",
        "review": "**잠정 점수**: 수동 채점한 답안이 다시 제출되어 교수자가 다시 확인할 예정입니다.",
        "pending": "{points:g}점 채점 대기",
        "extra": "가산점 +{points:g}",
        "comments": "### 채점자 의견",
        "tests": "### 테스트",
        "col": "| 항목 | 결과 | 점수 | 설명 |\n|---|---|---|---|",
        "metrics": "### 모델 성능 기준",
        "penalties": "### 감점",
        "problems": "### 알림",
        "error": "채점 시스템 오류로 이 제출물은 아직 채점되지 않았습니다. 교수자가 다시 채점할 예정입니다.",
        "hidden": "숨김",
        "footer": "_autograder가 자동으로 작성했습니다. 질문은 교수자에게 하세요._",
        "status": {
            "passed": "✅ 통과",
            "failed": "❌ 실패",
            "error": "❌ 오류",
            "timeout": "⏱️ 시간 초과",
            "not_run": "⏭️ 실행 안 됨",
            "manual": "📝 수동 채점",
            "manual_graded": "📝 채점 완료",
            "manual_review": "📝 재확인 중",
        },
        "your": "내 모델",
        "target": "목표",
        "floor": "최소",
        "points": "점",
        "late": "제출 시각: {when}",
    },
    "en": {
        "title": "{title}: grading result",
        "score": "**Score: {score:g} / {max:g}**",
        "provisional": "**Provisional score**: {pending:g} points of hand-graded answers are "
        "still pending. The final score may change.",
        "review": "**Provisional score**: a hand-graded answer changed since it was graded; "
        "the instructor will look at it again.",
        "pending": "{points:g} points pending",
        "extra": "extra credit +{points:g}",
        "comments": "### Grader's comments",
        "tests": "### Tests",
        "col": "| item | result | points | details |\n|---|---|---|---|",
        "metrics": "### Model thresholds",
        "penalties": "### Penalties",
        "problems": "### Notes",
        "error": "A grading infrastructure error prevented grading this submission. "
        "The instructor will regrade it.",
        "hidden": "hidden",
        "footer": "_Written by autograder. Ask your instructor if anything is unclear._",
        "status": {
            "passed": "✅ passed",
            "failed": "❌ failed",
            "error": "❌ error",
            "timeout": "⏱️ timeout",
            "not_run": "⏭️ not run",
            "manual": "📝 manual",
            "manual_graded": "📝 graded by hand",
            "manual_review": "📝 to be reviewed",
        },
        "your": "your model",
        "target": "target",
        "floor": "floor",
        "points": "points",
        "late": "submitted at: {when}",
    },
}


def inert(text: str, *, limit: int = 500, in_table: bool = False) -> str:
    """Student-influenced text as one inert code span: no markup, links or references.

    GitHub turns ``https://…``, ``www.…`` and bare ``www.x.com`` names into links,
    ``@login`` into a mention and ``#12`` into an issue reference, in plain text even
    when Markdown characters are escaped; it does none of that inside a code span. So
    the text goes in one, flattened to a line, with control and invisible characters
    removed; a backtick becomes ``ˋ`` so that the span cannot be closed early, and in
    a table a pipe becomes ``│`` (GFM splits a row on every pipe, code spans included,
    and its ``\\|`` escape can itself be undone by a student's backslash).
    """
    flat = " ".join(display_text(text, limit).replace("`", "\u02cb").split())
    if not flat:
        return ""
    if in_table:
        flat = flat.replace("|", "\u2502")
    return f"`{flat}`"


def _test_row(test: TestResult, tx: dict[str, Any]) -> str:
    name = f"`{test.id}`" + (f" ({tx['hidden']})" if test.hidden else "")
    status = test.status if not test.manual or test.pending else f"manual_{test.manual}"
    if test.pending:
        points = tx["pending"].format(points=test.max_points)
    else:
        points = f"{test.points:g} / {test.max_points:g}"
    if test.extra_credit:
        points += " (" + tx["extra"].format(points=test.extra_credit) + ")"
    return (
        f"| {name} | {tx['status'].get(status, test.status)} | "
        f"{points} | {inert(test.message, in_table=True)} |"
    )


def to_markdown(result: SubmissionResult, *, language: str = "ko", title: str | None = None) -> str:
    tx = TEXT.get(language, TEXT["en"])
    lines = [f"## {tx['title'].format(title=title or result.assignment)}", ""]
    if result.status == "error":
        lines += [tx["error"], ""]
        lines += [f"- {inert(p)}" for p in result.problems]
        return "\n".join(lines + ["", tx["footer"]]) + "\n"
    lines += [tx["score"].format(score=result.score, max=result.max_score), ""]
    if result.pending_points:
        lines += [tx["provisional"].format(pending=result.pending_points), ""]
    elif result.provisional:
        lines += [tx["review"], ""]
    if result.submitted_at:
        lines += [tx["late"].format(when=result.submitted_at), ""]
    if result.tests:
        lines += [tx["tests"], "", tx["col"]]
        for test in result.tests:
            lines.append(_test_row(test, tx))
        lines.append("")
    comments = [(t.id, t.comment) for t in result.tests if t.comment] + list(result.comments)
    if comments:
        lines += [tx["comments"], ""]
        lines += [f"- {inert(cell)}: {inert(text, limit=2000)}" for cell, text in comments]
        lines.append("")
    if result.metrics:
        lines += [tx["metrics"], ""]
        for m in result.metrics:
            value = "—" if m.value is None else f"{m.value:.4g}"
            mark = "✓" if m.points >= m.max_points else ("△" if m.points > 0 else "✗")
            cmp = "≤ " if m.direction == "lower" else "≥ "
            lines.append(
                f"- `{m.id}` ({m.metric}): {tx['your']} {value} — {tx['target']} {cmp}{m.target:g} "
                f"{mark} ({tx['floor']} {m.floor:g}; {m.points:g}/{m.max_points:g}{tx['points']})"
            )
            if m.message:
                lines.append(f"  - {inert(m.message)}")
        lines.append("")
    if result.penalties:
        lines += [tx["penalties"], ""]
        lines += [f"- {inert(p.reason)}: {p.points:g}" for p in result.penalties]
        lines.append("")
    notes = [*result.problems, *result.flags]
    if notes:
        lines += [tx["problems"], ""]
        lines += [f"- {inert(p)}" for p in notes]
        lines.append("")
    return "\n".join(lines + [tx["footer"]]) + "\n"


class FileSink:
    """Writes each rendered result to ``<workspace>/feedback/<week>/<login>.md``."""

    def __init__(self, course: Course) -> None:
        self.course = course

    def publish(self, result: SubmissionResult, body: str) -> Path:
        path = self.course.feedback_path(result.assignment, result.student)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        return path


def write_feedback(course: Course, week: str, *, language: str | None = None) -> list[Path]:
    """Render and write every recorded result of `week`; one failure never stops the rest."""
    from autograder.gradebook import GradebookStore

    lang = language or course.config.language
    title = course.week(week).title
    sink = FileSink(course)
    paths = []
    for result in sorted(GradebookStore(course).results(week), key=lambda r: r.student):
        try:
            paths.append(sink.publish(result, to_markdown(result, language=lang, title=title)))
        except Exception:  # a bug of ours with one result, or its file
            log.exception("feedback for %s/%s not written", week, result.student)
    return paths
