"""Known-answer canary cells: detect a kernel that lies about test outcomes.

The kernel is the student's; a patched ``run_cell`` can report every failing
test as ``ok``. The host slips in extra cells written like real tests whose
outcome it knows: some must fail, one must pass and print a nonce. A must-fail
canary reported ``ok``, or a must-pass canary without its nonce, means the
kernel was tampered with.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

import nbformat
from nbformat import NotebookNode

from gpu_runner.job import CellStatus

META_KEY = "autograder_canary"


@dataclass(frozen=True)
class CanaryVerdict:
    tampered: bool
    traceback_hidden: bool


def _must_fail(rng: random.Random) -> str:
    a, b = rng.randint(2, 40), rng.randint(2, 40)
    name = rng.choice(["result", "expected", "value", "answer", "out"])
    forms = [
        f'{name} = {a} + {b}\nassert {name} == {a + b + rng.randint(1, 9)}, "결과가 올바르지 않습니다"',
        f'{name} = sorted([{a}, {b}, 1])\nassert {name} == [{b}, {a}], "정렬 결과가 다릅니다"',
        f'{name} = len(list(range({a})))\nassert {name} == {a + 1}, "길이가 맞지 않습니다"',
        f'{name} = {{"k": {a}}}\nassert {name}["k"] * 2 == {2 * a + 1}, "값이 다릅니다"',
    ]
    return rng.choice(forms)


def _must_pass(rng: random.Random, nonce: str) -> str:
    a = rng.randint(2, 50)
    return (
        f'assert sum(range({a})) == {sum(range(a))}, "합계가 올바르지 않습니다"\nprint("{nonce}")'
    )


def _is_test(cell: NotebookNode) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _canary(rng: random.Random, kind: str) -> NotebookNode:
    nonce = secrets.token_hex(8) if kind == "pass" else None
    source = _must_fail(rng) if kind == "fail" else _must_pass(rng, nonce or "")
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata[META_KEY] = {"kind": kind, "nonce": nonce}
    return cell


def insert_canaries(nb: NotebookNode, *, seed: int | None = None) -> NotebookNode:
    """A canary right before every test cell, and one of each kind at the end.

    A patched kernel that fakes a test's outcome is active when the canary
    next to that test runs, so faking the test means faking the canary too.
    """
    rng = random.Random(seed if seed is not None else secrets.randbits(64))
    cells: list[NotebookNode] = []
    for cell in nb.cells:
        if _is_test(cell):
            cells.append(_canary(rng, "fail" if rng.random() < 0.7 else "pass"))
        cells.append(cell)
    tail = [_canary(rng, "fail"), _canary(rng, "pass")]
    rng.shuffle(tail)
    nb.cells = cells + tail
    if nb.get("nbformat_minor", 5) < 5:  # cell ids exist from nbformat 4.5 on
        for cell in nb.cells:
            if is_canary(cell):
                cell.pop("id", None)
    return nb


def is_canary(cell: NotebookNode) -> bool:
    return META_KEY in cell.get("metadata", {})


def _stdout(cell: NotebookNode) -> str:
    return "".join(
        o.get("text", "")
        for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )


def judge_canaries(cells: list[tuple[NotebookNode, CellStatus]]) -> CanaryVerdict:
    """Compare each canary's reported outcome with the known answer."""
    tampered = hidden = False
    for cell, status in cells:
        info = cell.metadata[META_KEY]
        if status in (CellStatus.NOT_RUN, CellStatus.TIMEOUT):
            continue  # the notebook stopped before; scored as not run anyway
        if info["kind"] == "fail":
            if status is CellStatus.OK:
                tampered = True
            elif not any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
                hidden = True
        elif status is not CellStatus.OK or info["nonce"] not in _stdout(cell):
            tampered = True
    return CanaryVerdict(tampered=tampered, traceback_hidden=hidden)
