"""Every course week: the reference solution earns full marks (thresholds included),
the blank release earns zero on autograded items, and each typical-mistake case
earns partial credit with useful feedback. Real kernels, process runner."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograder.course import Course
from autograder.feedback import to_markdown
from autograder.grading import grade_files
from autograder.pipeline.context import load_week_context
from gpu_runner.runners import ProcessRunner
from tests.conftest import REPO

COURSE = Course(REPO)
CASES = REPO / "tests" / "course_cases"
WEEKS = COURSE.week_names()


def _notebooks(folder: Path, names: tuple[str, ...]) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in names}


def _cases(week: str) -> dict[str, tuple[dict[str, bytes], dict]]:
    names = COURSE.week(week).notebooks
    cases = {
        "reference": (_notebooks(COURSE.solutions_dir / week, names), {}),
        "blank": (_notebooks(COURSE.assignments_dir / week, names), {}),
    }
    for expect in sorted((CASES / week).glob("*.expect.json")):
        case = expect.name.removesuffix(".expect.json")
        files = _notebooks(COURSE.assignments_dir / week, names)  # untouched notebooks as released
        submitted = sorted((CASES / week).glob(f"{case}*.ipynb"))
        if len(submitted) == 1 and len(names) == 1:
            files[names[0]] = submitted[0].read_bytes()
        else:
            files.update({p.name.removeprefix(f"{case}-"): p.read_bytes() for p in submitted})
        cases[case] = (files, json.loads(expect.read_text()))
    return cases


@pytest.mark.slow
@pytest.mark.timeout(1500)
@pytest.mark.parametrize("week", WEEKS)
def test_week(week: str) -> None:
    ctx = load_week_context(COURSE, week)
    cases = _cases(week)
    runner = ProcessRunner()
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            name: pool.submit(grade_files, ctx, login=name, files=files, runner=runner)
            for name, (files, _) in cases.items()
        }
        results = {name: future.result() for name, future in futures.items()}

    reference = results["reference"]
    detail = [(t.id, t.status, t.message) for t in reference.tests] + [
        (m.id, m.value, m.message) for m in reference.metrics
    ]
    assert reference.status == "graded", reference.problems
    assert reference.score == pytest.approx(reference.max_score), detail
    assert len(reference.metrics) == len(ctx.week.config.thresholds)
    assert not reference.flags

    blank = results["blank"]
    assert blank.status == "graded"
    assert all(t.points == 0 for t in blank.tests if t.status != "manual"), blank.tests
    assert all(m.points == 0 for m in blank.metrics)

    mistakes = [name for name in cases if name not in ("reference", "blank")]
    assert mistakes, f"{week} has no typical-mistake case in tests/course_cases/{week}"
    for name in mistakes:
        result, expect = results[name], cases[name][1]
        assert result.status == "graded"
        assert expect["min_score"] <= result.score <= expect["max_score"], (name, result.score)
        assert 0 < result.score < result.max_score
        items = {t.id: (t.points, t.max_points, t.text("ko")) for t in result.tests}
        items |= {m.id: (m.points, m.max_points, m.text("ko")) for m in result.metrics}
        for failed in expect.get("failed", []):
            points, max_points, message = items[failed]
            assert points < max_points, (name, failed)
            assert message, f"{week}/{name}: {failed} fails without any message"
        body = to_markdown(result, language="ko", title=ctx.week.title)
        assert "BEGIN HIDDEN TESTS" not in body
        kinds = {t.id: t.model.kind for t in ctx.week.config.thresholds}
        for m in result.metrics:  # the advice speaks of the framework the threshold expects
            if kinds.get(m.id) == "sklearn":
                assert "Keras" not in m.text("ko"), (name, m.id, m.text("ko"))
