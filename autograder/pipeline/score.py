"""Host step 3: score a RunOutput with nbgrader's semantics, rules and thresholds.

A test cell earns points only when the executor recorded it ``ok`` (test cells
run in the trusted test process, outside the student's kernel) AND nbgrader's
`determine_grade` on its outputs gives them (error or stderr = 0, a numeric
result = partial credit, otherwise full). A static rule violation
(`autograder.pipeline.rules`) zeroes the tests the rule names.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

import nbformat
from nbformat import NotebookNode

from autograder.config import LatePolicy, Threshold
from autograder.messages import Message
from autograder.pipeline.context import GradedCell, WeekContext
from autograder.pipeline.evaluate import ScoredModel
from autograder.pipeline.rules import Violation
from autograder.results import MetricResult, Penalty, TestResult
from gpu_runner.job import CellStatus, RunOutput, RunStatus

MESSAGE_LIMIT = 300


def _error_text(cell: NotebookNode) -> str:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            text = f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip().rstrip(":")
            return text[:MESSAGE_LIMIT]
    return ""


def _has_stderr(cell: NotebookNode) -> bool:
    return any(
        o.get("output_type") == "stream" and o.get("name") == "stderr"
        for o in cell.get("outputs", [])
    )


def _exception_type(cell: NotebookNode | None) -> str:
    """The failing exception's type, only when it is a builtin exception's name.

    The name comes from the kernel, so the student chooses it (a class can be named
    anything); only the names of Python's own exceptions pass, anything else is
    "Exception"."""
    for out in cell.get("outputs", []) if cell is not None else []:
        if out.get("output_type") == "error":
            name = out.get("ename")
            known = isinstance(name, str) and isinstance(getattr(builtins, name, None), type)
            if known and issubclass(getattr(builtins, name), BaseException):
                return str(name)
            return "Exception"
    return ""


def _safe_message(info: GradedCell, text: str, cell: NotebookNode | None = None) -> Message:
    """What the student may read about a failed test cell.

    A cell with hidden tests shows the exception's type and the instructor's hint,
    never the error message: the student's code chooses that text (it can read the
    hidden test's source from the notebook and raise with it), and nothing the kernel
    reports, not even a traceback line number, can say which part of the cell failed.
    Visible-only cells keep their message.
    """
    if not info.hidden:
        return Message.text(text)
    hint = Message.text(info.hint) if info.hint else Message.of("test.hidden_failed")
    kind = _exception_type(cell)
    return Message.of("test.hidden_error", kind=kind, hint=hint) if kind else hint


def _answer_checksum(cell: NotebookNode) -> str:
    """nbgrader's checksum of a hand-graded answer: a regrade keeps a score given by hand
    only while this stays the same (`autograder.manual.grades`)."""
    from nbgrader.utils import compute_checksum

    try:
        return str(compute_checksum(cell))
    except Exception:  # damaged metadata: never equal to a stored checksum
        return ""


def _score_cell(cell: NotebookNode, status: CellStatus, info: GradedCell) -> TestResult:
    from nbgrader.utils import determine_grade

    def result(points: float, status: str, message: Message | str) -> TestResult:
        return TestResult(
            id=info.grade_id,
            notebook=info.notebook,
            points=points,
            max_points=info.points,
            status=status,
            hidden=info.hidden,
            message=message,
        )

    if info.kind in ("answer", "task"):
        if info.kind == "answer" and cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            try:
                answered, _ = determine_grade(cell)
            except Exception:
                answered = None
            if answered == 0:  # nothing written: 0 points, nothing to grade by hand
                return replace(
                    result(0.0, "failed", Message.of("test.no_answer")),
                    checksum=_answer_checksum(cell),
                )
        return replace(
            result(0.0, "manual", Message.of("test.manual")),
            manual="pending",
            checksum=_answer_checksum(cell),
        )
    if status is CellStatus.TIMEOUT:
        return result(0.0, "timeout", Message.of("test.timeout"))
    if status is CellStatus.NOT_RUN:
        return result(0.0, "not_run", Message.of("test.not_run"))
    if status is CellStatus.ERROR:
        return result(0.0, "failed", _safe_message(info, _error_text(cell) or "Error", cell))
    if _has_stderr(cell):
        return result(0.0, "failed", Message.of("test.stderr"))
    try:
        graded, _ = determine_grade(cell)
    except Exception:
        graded = 0.0
    points = max(0.0, min(float(graded or 0.0), info.points))
    if points >= info.points:
        return result(points, "passed", "")
    if points > 0:
        return result(points, "passed", Message.of("test.partial"))
    return result(0.0, "failed", _safe_message(info, ""))


def score_tests(
    ctx: WeekContext, output: RunOutput, missing_notebooks: set[str]
) -> list[TestResult]:
    results: list[TestResult] = []
    runs = {nb.name.removesuffix(".ipynb"): nb for nb in output.notebooks}
    for notebook_id, infos in ctx.cells.items():
        run = runs.get(notebook_id)
        if run is None:
            reason = "test.missing_notebook" if notebook_id in missing_notebooks else "test.not_run"
            for info in infos.values():
                results.append(
                    TestResult(
                        id=info.grade_id,
                        notebook=notebook_id,
                        points=0.0,
                        max_points=info.points,
                        status="not_run",
                        hidden=info.hidden,
                        message=Message.of(reason, notebook=notebook_id),
                    )
                )
            continue
        nb = nbformat.reads(run.notebook_json, as_version=4)
        status_by_index = {c.index: c.status for c in run.cells}
        seen: set[str] = set()
        for index, cell in enumerate(nb.cells):
            status = status_by_index.get(index, CellStatus.NOT_RUN)
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            found = infos.get(grade_id) if grade_id else None
            if found is None or grade_id in seen:
                continue
            seen.add(found.grade_id)
            results.append(_score_cell(cell, status, found))
        for grade_id, info in infos.items():
            if grade_id not in seen:  # sanitize re-adds these; belt and braces
                results.append(
                    TestResult(
                        id=grade_id,
                        notebook=notebook_id,
                        points=0.0,
                        max_points=info.points,
                        status="not_run",
                        hidden=info.hidden,
                        message=Message.of("test.not_run"),
                    )
                )
    return results


def score_thresholds(
    ctx: WeekContext, scored: Mapping[str, ScoredModel]
) -> tuple[list[MetricResult], list[Message]]:
    """Each threshold's result from the evaluate stage's predictions; review flags."""
    thresholds = ctx.week.config.thresholds
    if not thresholds:
        return [], []
    from autograder.thresholds import score_threshold

    results: list[MetricResult] = []
    flags: list[Message] = []
    for threshold in thresholds:
        model = scored.get(threshold.id)
        outcome = score_threshold(
            threshold,
            artifact=model.predictions if model else None,
            failure=model.failure if model else Message.of("test.not_run"),
            scored=model.what if model else threshold.model.variable,
            week_dir=ctx.week.source_dir,
        )
        results.append(outcome)
        if implausible(threshold, outcome.value, outcome.direction):
            flags.append(
                Message.of(
                    "flag.implausible",
                    id=threshold.id,
                    value=f"{outcome.value:.4f}",
                    limit=f"{threshold.review_beyond:g}",
                )
            )
    return results, flags


def implausible(threshold: Threshold, value: float | None, direction: str) -> bool:
    """A value beyond `review_beyond`: suspicious for the data (lookups, leaks)."""
    limit = threshold.review_beyond
    if limit is None or value is None:
        return False
    return value > limit if direction == "higher" else value < limit


def apply_rules(tests: list[TestResult], violations: list[Violation]) -> list[TestResult]:
    """A broken "by hand" rule: the tests it names score zero and say why."""
    broken = {test: v for v in reversed(violations) for test in v.tests}
    return [
        replace(
            r,
            points=0.0,
            status="failed",
            message=Message.of(
                "test.rule_violated", rule=broken[r.id].rule, where=broken[r.id].where
            ),
            manual="",
        )
        if r.id in broken
        else r
        for r in tests
    ]


def late_penalty(
    *,
    submitted_at: datetime | None,
    cutoff: datetime | None,
    policy: LatePolicy,
    max_score: float,
) -> tuple[float, Penalty | None]:
    """(seconds late, penalty) from the trusted submission time and `Course.cutoff`."""
    if submitted_at is None or cutoff is None:
        return 0.0, None
    late = (submitted_at - cutoff).total_seconds()
    if late <= 0:
        return 0.0, None
    days = math.ceil(late / 86400)
    fraction = min(policy.max_penalty, days * policy.penalty_per_day)
    if fraction <= 0:
        return late, None
    return late, Penalty(
        reason=Message.of("penalty.late", days=days), points=-round(fraction * max_score, 4)
    )


def run_problems(ctx: WeekContext, output: RunOutput) -> list[Message]:
    problems = []
    if output.status is RunStatus.TIMEOUT:
        problems.append(
            Message.of("problem.timeout", seconds=int(ctx.week.resources.total_timeout_s))
        )
    elif output.status is RunStatus.KERNEL_DIED:
        problems.append(Message.of("problem.kernel_died"))
    elif output.status is RunStatus.MEMORY:
        problems.append(Message.of("problem.memory", memory=ctx.week.resources.memory_mb))
    for run in output.notebooks:  # a timed-out test cell says so itself; other cells here
        nb = nbformat.reads(run.notebook_json, as_version=4)
        number = 0
        for cell_run in run.cells:
            cell = nb.cells[cell_run.index] if cell_run.index < len(nb.cells) else None
            if cell is None:
                continue
            number += 1
            meta = cell.metadata.get("nbgrader", {})
            is_test = bool(meta.get("grade")) and not meta.get("solution")
            if cell_run.status is CellStatus.TIMEOUT and not is_test:
                problems.append(Message.of("problem.cell_timeout", notebook=run.name, cell=number))
    if output.output_truncated:
        problems.append(Message.of("problem.output_truncated"))
    return problems


__all__ = [
    "apply_rules",
    "late_penalty",
    "run_problems",
    "score_tests",
    "score_thresholds",
]
