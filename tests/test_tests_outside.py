"""Test verdicts cannot be forged from the student's kernel (tests run outside it).

Each attack is a submission of the demo week whose functions are left blank (or
wrong) plus hostile code. It must earn no test point it did not earn, with the
process runner (same semantics, trusted mode) and the Docker runner (the
sandbox, where the graded notebook is also unreadable to the kernel).
"""

from __future__ import annotations

import copy
import json
import os
import textwrap
from typing import Any

import nbformat
import pytest

from autograder.course import Course
from autograder.grading import grade_single
from autograder.pipeline.context import load_week_context
from autograder.pipeline.prepare import assign_roles, prepare_job
from gpu_runner.runners import ProcessRunner
from tests.conftest import cell_by_id, filled, released, require_docker

IMAGE = os.environ.get("AUTOGRADER_TEST_IMAGE", "autograder-grading:latest")

BLANK = {
    "squares": "def squares(n):\n    pass",
    "mean": "def mean(xs):\n    pass",
    "count_words": "def count_words(text):\n    pass",
}

ALWAYS_EQUAL = """
class Anything(list):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __hash__(self): return 0
    def __bool__(self): return True
    def __getitem__(self, i): return Anything()
    def __sub__(self, other): return 0.0
    def __float__(self): return 0.0

def squares(n): return Anything()
def mean(xs):
    if not xs: raise ValueError("empty")
    return Anything()
def count_words(text): return Anything()
"""

FRAME_ORACLE = """
import sys, linecache, re, ast

def _expected():
    # read the caller's source line (the test's assert) and evaluate its right side
    for depth in range(1, 12):
        try:
            frame = sys._getframe(depth)
        except ValueError:
            break
        line = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
        match = re.search(r"==\\s*(.+?)(?:,\\s*[\\"'].*)?$", line.strip())
        if "assert" in line and match:
            return ast.literal_eval(match.group(1))
    return None

def squares(n): return _expected()
def mean(xs): return _expected()
def count_words(text): return _expected()
"""

RUN_CELL_PATCH = """
import ast
ip = get_ipython()
_orig = ip.run_cell

def _patched(raw_cell, *args, **kwargs):
    # canary-aware: let only cells that look like tests pass
    if "assert" in raw_cell or "BEGIN HIDDEN" in raw_cell:
        raw_cell = "pass"
    return _orig(raw_cell, *args, **kwargs)

ip.run_cell = _patched

class _DropAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()

ip.ast_transformers.append(_DropAsserts())
kernel = ip.kernel
_orig_do_execute = kernel.do_execute
async def _do_execute(code, *args, **kwargs):
    if "assert" in code:
        code = "pass"
    return await _orig_do_execute(code, *args, **kwargs)
kernel.do_execute = _do_execute

def squares(n): pass
def mean(xs): pass
def count_words(text): pass
"""

BUILTINS_REBIND = """
import builtins
builtins.ValueError = BaseException
builtins.AssertionError = type("Never", (Exception,), {})
builtins.Exception = BaseException
def squares(n): return None
def mean(xs): return None
def count_words(text): return None
"""

REDEFINE_SETUP = """
DATA = [1, 2]
def squares(n): return [i * i for i in range(n)]
def mean(xs): return 1.5  # right for the redefined DATA only
def count_words(text): return None
"""

READ_GRADED_NOTEBOOK = """
import os
needles = [("BEGIN HIDDEN" + " TESTS").encode(), ("squares(10)" + "[-1]").encode()]
found = []
for root in ("/job", "/tmp", os.getcwd(), os.path.expanduser("~")):
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as f:
                    data = f.read()
                if any(needle in data for needle in needles):
                    found.append(path)
            except OSError:
                pass
print("FOUND", sorted(set(found)))
def squares(n): return None
def mean(xs): return None
def count_words(text): return None
"""


def attack_notebook(course: Course, attack: str) -> nbformat.NotebookNode:
    """The release with blank answers and the attack in the first answer cell."""
    nb = filled(course, BLANK)
    cell_by_id(nb, "squares").source = attack
    return nb


def grade(
    course: Course, nb: nbformat.NotebookNode, runner: Any, extra: dict[str, bytes] | None = None
) -> Any:
    files = {"demo01.ipynb": nbformat.writes(nb).encode(), **(extra or {})}
    return grade_single(course, "demo01", login="mallory", files=files, runner=runner)


def test_points(result: Any) -> float:
    return sum(t.points for t in result.tests)


test_points.__test__ = False  # type: ignore[attr-defined]


FLOOD = """
import sys
def squares(n):
    for _ in range(200):
        print("x" * 50_000)
        sys.stderr.write("y" * 1000)
    return [0, 1, 4]
def mean(xs): return None
def count_words(text): return None
"""

ATTACKS = {
    "always_equal": ALWAYS_EQUAL,
    "caller_frame_oracle": FRAME_ORACLE,
    "run_cell_and_ast_patch": RUN_CELL_PATCH,
    "builtins_rebinding": BUILTINS_REBIND,
    "output_flood": FLOOD,
}


@pytest.fixture(scope="module")
def process_runner() -> Any:
    runner = ProcessRunner()
    yield runner
    runner.close()


@pytest.fixture(scope="module")
def docker_runner() -> Any:
    require_docker()
    from gpu_runner.runners.docker import DockerRunner

    runner = DockerRunner(image=IMAGE, gpus="none")
    runner.prepare()
    yield runner
    runner.close()


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attacks_earn_nothing_in_trusted_mode(
    demo_course: Course, process_runner: Any, attack: str
) -> None:
    result = grade(demo_course, attack_notebook(demo_course, ATTACKS[attack]), process_runner)
    assert result.status == "graded"
    assert test_points(result) == 0, [(t.id, t.points, t.message) for t in result.tests]


def test_honest_and_blank_submissions_still_score(demo_course: Course, process_runner: Any) -> None:
    honest = grade(demo_course, filled(demo_course), process_runner)
    assert test_points(honest) == 6 and all(t.status == "passed" for t in honest.tests)
    blank = grade(demo_course, filled(demo_course, BLANK), process_runner)
    assert test_points(blank) == 0
    wrong_mean = grade(
        demo_course, filled(demo_course, {"mean": "def mean(xs):\n    return sum(xs) / len(xs)"}),
        process_runner,
    )  # fmt: skip
    assert {t.id: t.points for t in wrong_mean.tests} == {
        "test_squares": 2.0, "test_mean": 0.0, "test_count_words": 1.0
    }  # fmt: skip


def test_tests_see_the_instructors_setup_names(demo_course: Course, process_runner: Any) -> None:
    """A student who rebinds DATA (a setup name) cannot make `mean(DATA)` easy."""
    result = grade(demo_course, attack_notebook(demo_course, REDEFINE_SETUP), process_runner)
    points = {t.id: t.points for t in result.tests}
    assert points["test_squares"] == 2.0 and points["test_mean"] == 0.0


def test_shadowing_launcher_and_numpy_are_never_imported(
    demo_course: Course, process_runner: Any
) -> None:
    """A submitted ipykernel_launcher.py or numpy.py never shadows the real ones."""
    shadow = b"raise SystemExit('shadowed')\n"
    nb = filled(demo_course)
    nb.cells.insert(
        1,
        nbformat.v4.new_code_cell(
            "import numpy, sys\nprint('NUMPY', numpy.__file__)\nimport helper\nprint(helper.VALUE)"
        ),
    )
    files = {
        "ipykernel_launcher.py": shadow,
        "numpy.py": shadow,
        "helper.py": b"VALUE = 'helper-imported'\n",
    }
    result = grade(demo_course, nb, process_runner, files)
    assert test_points(result) == 6, [(t.id, t.message) for t in result.tests]


def test_forged_role_metadata_is_ignored(demo_course: Course) -> None:
    """Roles come from the source: a student cell claiming to be a test stays a student cell."""
    ctx = load_week_context(demo_course, "demo01")
    nb = filled(demo_course)
    forged = nbformat.v4.new_code_cell("print('I am a test')")
    forged.metadata["autograder"] = {"role": "test"}
    nb.cells.append(forged)
    copy_of_test = copy.deepcopy(cell_by_id(nb, "test_squares"))
    copy_of_test.source = "pass"  # a second cell with a real test's id
    copy_of_test.metadata["autograder"] = {"role": "test"}
    nb.cells.append(copy_of_test)
    prepared = prepare_job(ctx, login="m", files={"demo01.ipynb": nbformat.writes(nb).encode()})
    graded = nbformat.reads(prepared.job.private["demo01.ipynb"].decode(), as_version=4)
    tests = [c for c in graded.cells if c.metadata["autograder"]["role"] == "test"]
    assert sorted(c.metadata["nbgrader"]["grade_id"] for c in tests) == [
        "test_count_words", "test_mean", "test_squares"
    ]  # fmt: skip
    # whichever copy nbgrader kept, a test cell runs the source's test, hidden part included
    source = nbformat.read(demo_course.root / "solutions/demo01/demo01.ipynb", as_version=4)
    expected = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_")
    }
    assert {c.metadata["nbgrader"]["grade_id"]: c.source for c in tests} == expected
    assert "print('I am a test')" in [
        c.source for c in graded.cells if c.metadata["autograder"]["role"] == "student"
    ]
    # the kernel's files never hold a notebook
    assert not any(name.endswith(".ipynb") for name in prepared.job.files)


def test_role_assignment_is_idempotent_on_a_clean_release(demo_course: Course) -> None:
    ctx = load_week_context(demo_course, "demo01")
    nb = assign_roles(copy.deepcopy(released(demo_course)), ctx, "demo01")
    roles = {
        c.metadata.get("nbgrader", {}).get("grade_id"): c.metadata["autograder"]["role"]
        for c in nb.cells
        if c.cell_type == "code"
    }
    assert roles == {
        "setup": "setup", "squares": "student", "test_squares": "test", "mean": "student",
        "test_mean": "test", "count_words": "student", "test_count_words": "test",
    }  # fmt: skip


# -- the sandbox ---------------------------------------------------------------------------


@pytest.mark.docker
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attacks_earn_nothing_in_the_sandbox(
    demo_course: Course, docker_runner: Any, attack: str
) -> None:
    result = grade(demo_course, attack_notebook(demo_course, ATTACKS[attack]), docker_runner)
    assert result.status == "graded", result.problems
    assert test_points(result) == 0, [(t.id, t.points, t.message) for t in result.tests]


@pytest.mark.docker
def test_sandbox_honest_submission_full_marks_and_shadows_ignored(
    demo_course: Course, docker_runner: Any
) -> None:
    nb = filled(demo_course)
    files = {
        "ipykernel_launcher.py": b"raise SystemExit(3)\n",
        "numpy.py": b"raise SystemExit(4)\n",
    }
    nb.cells.insert(
        1, nbformat.v4.new_code_cell("import numpy\nassert 'site-packages' in numpy.__file__")
    )
    result = grade(demo_course, nb, docker_runner, files)
    assert result.status == "graded" and test_points(result) == 6, [
        (t.id, t.message) for t in result.tests
    ]


@pytest.mark.docker
def test_sandbox_kernel_cannot_read_the_tests(demo_course: Course, docker_runner: Any) -> None:
    """No file the kernel can read holds a hidden test; the test process is out of reach."""
    ctx = load_week_context(demo_course, "demo01")
    probe = textwrap.dedent(
        READ_GRADED_NOTEBOOK
        + """
import signal, glob
reachable = []
for status in glob.glob("/proc/[0-9]*/status"):
    pid = int(status.split("/")[2])
    try:
        uid = int(next(l for l in open(status) if l.startswith("Uid:")).split()[1])
    except (OSError, StopIteration):
        continue
    if uid != os.getuid():
        for what in ("environ", "mem", "fd"):
            try:
                os.listdir(f"/proc/{pid}/fd") if what == "fd" else open(f"/proc/{pid}/{what}", "rb").read(1)
                reachable.append((pid, what))
            except OSError:
                pass
        try:
            os.kill(pid, 0)
            reachable.append((pid, "signal"))
        except OSError:
            pass
print("REACHABLE", reachable)
"""
    )
    nb = filled(demo_course, BLANK)
    cell_by_id(nb, "count_words").source = probe  # after two tests: the test process is up
    prepared = prepare_job(ctx, login="m", files={"demo01.ipynb": nbformat.writes(nb).encode()})
    output = docker_runner.run(prepared.job)
    text = "".join(
        "".join(o.get("text", ""))
        for c in json.loads(output.notebooks[0].notebook_json)["cells"]
        for o in c.get("outputs", [])
    )
    assert "FOUND []" in text, text[:2000]
    assert "REACHABLE []" in text, text[:2000]
