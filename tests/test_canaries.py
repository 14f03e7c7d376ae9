"""Kernel tampering is caught by known-answer canaries (real kernels, process runner)."""

from __future__ import annotations

import nbformat
import pytest

from autograder.course import Course
from autograder.grading import grade_single
from autograder.pipeline.canaries import CanaryVerdict, insert_canaries, is_canary, judge_canaries
from gpu_runner.job import CellStatus
from gpu_runner.runners import ProcessRunner
from tests.conftest import filled

WRONG = "def squares(n):\n    return [1, 2, 3]\n"

CHEATS = {
    "run_cell": WRONG
    + "ip = get_ipython()\n_orig = ip.run_cell\n"
    + "def _fake(raw_cell, *a, **k):\n    return _orig('None', *a, **k)\n"
    + "ip.run_cell = _fake",
    "do_execute": WRONG
    + "k = get_ipython().kernel\n_orig = k.do_execute\n"
    + "async def _do_execute(*a, **kw):\n    r = await _orig(*a, **kw)\n    r['status'] = 'ok'\n    return r\n"
    + "k.do_execute = _do_execute",
    "showtraceback": WRONG + "get_ipython().showtraceback = lambda *a, **k: None",
    "set_custom_exc": WRONG
    + "get_ipython().set_custom_exc((BaseException,), lambda shell, etype, evalue, tb, tb_offset=None: None)",
    "excepthook": WRONG + "import sys\nsys.excepthook = lambda *a: None",
}


@pytest.mark.parametrize("cheat", sorted(CHEATS))
def test_tampering_earns_no_test_points(demo_course: Course, cheat: str) -> None:
    nb = filled(demo_course, {"squares": CHEATS[cheat]})
    result = grade_single(
        demo_course, "demo01", login="mallory",
        files={"demo01.ipynb": nbformat.writes(nb).encode()}, runner=ProcessRunner(),
    )  # fmt: skip
    tests = {t.id: t for t in result.tests}
    assert tests["test_squares"].points == 0  # the wrong answer never passes
    if cheat in ("run_cell", "do_execute"):
        # the kernel lies about outcomes: every test point is withheld and it is flagged
        assert result.score == 0
        assert result.flags
    else:
        # errors are still errors by the reply status; only the faulty answer loses points
        assert tests["test_mean"].points == 3 and tests["test_count_words"].points == 1
    if cheat in ("showtraceback", "set_custom_exc"):
        assert result.flags  # suppressed tracebacks are reported to the instructor


def test_honest_submission_raises_no_flag(demo_course: Course) -> None:
    result = grade_single(
        demo_course, "demo01", login="honest",
        files={"demo01.ipynb": nbformat.writes(filled(demo_course)).encode()}, runner=ProcessRunner(),
    )  # fmt: skip
    assert result.flags == () and result.score == 6


def _outputs(kind: str, nonce: str | None) -> list:
    if kind == "error":
        return [nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=[])]
    return [nbformat.v4.new_output("stream", name="stdout", text=f"{nonce}\n")] if nonce else []


def test_canaries_sit_before_every_test_and_at_the_end(demo_course: Course) -> None:
    nb = insert_canaries(filled(demo_course), seed=1)
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            assert is_canary(nb.cells[index - 1])
    assert is_canary(nb.cells[-1]) and is_canary(nb.cells[-2])
    kinds = {c.metadata["autograder_canary"]["kind"] for c in nb.cells[-2:]}
    assert kinds == {"fail", "pass"}


def test_judge_canaries_verdicts(demo_course: Course) -> None:
    nb = insert_canaries(filled(demo_course), seed=2)
    canaries = [c for c in nb.cells if is_canary(c)]

    def run(fail_status: CellStatus, fail_outputs: str, pass_ok: bool) -> CanaryVerdict:
        cells = []
        for c in canaries:
            info = c.metadata["autograder_canary"]
            if info["kind"] == "fail":
                c.outputs = _outputs(fail_outputs, None)
                cells.append((c, fail_status))
            else:
                c.outputs = _outputs("stdout", info["nonce"] if pass_ok else "wrong")
                cells.append((c, CellStatus.OK))
        return judge_canaries(cells)

    assert run(CellStatus.ERROR, "error", True) == CanaryVerdict(False, False)
    assert run(CellStatus.OK, "none", True).tampered
    assert run(CellStatus.ERROR, "none", True) == CanaryVerdict(False, True)
    assert run(CellStatus.ERROR, "error", False).tampered
