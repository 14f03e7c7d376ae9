"""The cost of running tests outside the student's kernel.

    python bench/bridge.py [--calls 500] [--before REV] [--repeat 3]

1. Per bridged call: a job whose test cell calls a student function N times
   through the real path (test process -> executor -> kernel -> back), timing
   each call in the test process. Prints median and p95 for a scalar call, a
   call with a 10,000-float numpy array in and out, and a method call on an
   object left in the kernel.
2. Week 3's whole grading time (reference solution, process runner, one
   submission, `grade --json`), here and, with ``--before REV``, in a worktree
   of that revision: median of ``--repeat`` runs each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent

STUDENT = """
import numpy as np
def f(x):
    return x
class Model:
    def predict(self, X):
        return X * 2
model = Model()
"""

TEST = """
import time, statistics, json
import numpy as np
def _measure(call, n):
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - t0)
    times.sort()
    return {"median_ms": 1000 * statistics.median(times), "p95_ms": 1000 * times[int(0.95 * len(times)) - 1]}
_arr = np.random.default_rng(0).normal(size=10_000)
print("BENCH " + json.dumps({
    "scalar call f(i)": _measure(lambda i: f(i), N),
    "array call f(10k floats)": _measure(lambda i: f(_arr), N),
    "method call model.predict(10k)": _measure(lambda i: model.predict(_arr), N),
}))
"""


def bridge_costs(calls: int) -> dict[str, dict[str, float]]:
    from gpu_runner.job import Job
    from gpu_runner.runners import ProcessRunner

    cells = [
        nbformat.v4.new_code_cell(STUDENT),
        nbformat.v4.new_code_cell(TEST.replace("N)", f"{calls})")),
    ]
    cells[0].metadata["autograder"] = {"role": "student"}
    cells[1].metadata["autograder"] = {"role": "test"}
    nb = nbformat.v4.new_notebook(cells=cells)
    job = Job(
        job_id="bench-bridge",
        files={},
        private={"bench.ipynb": nbformat.writes(nb).encode()},
        notebooks=("bench.ipynb",),
        cell_timeout_s=600,
        total_timeout_s=900,
    )
    runner = ProcessRunner()
    try:
        output = runner.run(job)
    finally:
        runner.close()
    for cell in json.loads(output.notebooks[0].notebook_json)["cells"]:
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", ""))
            if text.startswith("BENCH "):
                return json.loads(text.removeprefix("BENCH "))  # type: ignore[no-any-return]
            if out.get("output_type") == "error":
                raise RuntimeError(f"{out.get('ename')}: {out.get('evalue')}")
    raise RuntimeError(f"no measurement: {output.status} {output.message}")


def grade_week03(tree: Path, repeat: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    times = []
    for _ in range(repeat):
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "autograder.cli", "--course", str(tree), "grade", "week03",
             "--submission", str(tree / "solutions/week03/week03.ipynb"), "--student", "ref",
             "--json", "--runner", "process"],
            env=env, capture_output=True, text=True, cwd=tree, check=False,
        )  # fmt: skip
        took = time.monotonic() - started
        result = json.loads(done.stdout)
        assert result["score"] == result["max_score"], (tree, result["score"])
        times.append(took)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--before", default=None, help="git revision to compare week 3 with")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"bridged calls ({args.calls} each), measured in the trusted test process:")
    for name, figures in bridge_costs(args.calls).items():
        print(
            f"  {name:34s} median {figures['median_ms']:7.3f} ms   p95 {figures['p95_ms']:7.3f} ms"
        )
    rows = [("this tree", REPO)]
    with tempfile.TemporaryDirectory() as tmp:
        if args.before:
            before = Path(tmp) / "before"
            subprocess.run(
                [
                    "git",
                    "-C",
                    str(REPO),
                    "worktree",
                    "add",
                    "-q",
                    "--detach",
                    str(before),
                    args.before,
                ],
                check=True,
            )
            rows.insert(0, (f"before ({args.before})", before))
        try:
            print(f"week 3 reference, grade --json, process runner (median of {args.repeat}):")
            for label, tree in rows:
                times = grade_week03(tree, args.repeat)
                print(
                    f"  {label:24s} {statistics.median(times):6.2f} s   runs: {', '.join(f'{t:.2f}' for t in times)}"
                )
        finally:
            if args.before:
                subprocess.run(
                    [
                        "git",
                        "-C",
                        str(REPO),
                        "worktree",
                        "remove",
                        "--force",
                        str(Path(tmp) / "before"),
                    ],
                    check=False,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
