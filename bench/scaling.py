"""Cost per submission as the class grows: N = 10, 100, 1,000 trivial submissions.

    python bench/scaling.py [--real 10,100] [--fake 10,100,1000] [--jobs 2] [--work DIR]

- ``real`` rows: ``autograder grade demo01 --runner process --jobs J --force`` (the CLI,
  full grading with kernels).
- ``fake`` rows: `grade_week` in this process with bench/fake_runner.FakeRunner, i.e.
  everything but the kernels: collection, content hashes, sanitize (nbgrader
  preprocessors), roles and rules, scoring, result files and both gradebooks. N = 1,000
  uses this row because full grading would take ~15 minutes on 2 cores; the kernel
  part is a constant per submission (a fresh process and kernel each).
- ``rerun`` columns: the same batch again, unchanged (skipped by content hash), as
  the CLI (``autograder grade demo01``, process start and imports included) and
  in-process (`grade_week` only).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import gpu_runner._fastimport  # noqa: F401

# isort: split
from cases import make_course, make_submissions, place_in_workspace
from fake_runner import FakeRunner
from measure import load_average, run_measured

from autograder.grading import grade_week
from autograder.pipeline.context import load_week_context


def _env() -> dict[str, str]:
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}


def row(kind: str, n: int, work: Path, jobs: int) -> str:
    course = make_course(work / f"{kind}-{n}", ("demo01",))
    place_in_workspace(course, make_submissions(course, "demo01", n))
    load_week_context(course, "demo01")  # one-time gradebook sync, not part of a batch
    cli = ["autograder", "--course", str(course.root), "grade", "demo01"]
    if kind == "real":
        m = run_measured([*cli, "--runner", "process", "--jobs", str(jobs), "--force"], env=_env())
        wall, cpu, ok = m.wall_s, m.cpu_s, m.rc == 0
    else:
        before = os.times()
        started = time.monotonic()
        report = grade_week(course, "demo01", runner=FakeRunner(), jobs=jobs, force=True)
        wall = time.monotonic() - started
        after = os.times()
        cpu = (after.user - before.user) + (after.system - before.system)
        ok = report.ok and len(report.graded) == n
    rerun_cli = run_measured([*cli, "--runner", "process"], env=_env())
    started = time.monotonic()
    again = grade_week(course, "demo01", runner=FakeRunner(), jobs=jobs)
    rerun_in = time.monotonic() - started
    assert len(again.skipped) == n, f"rerun graded {len(again.graded)} of {n} again"
    return (
        f"{kind:5} {n:>6} {wall:>9.1f} {wall / n:>8.3f} {cpu / n:>9.3f}"
        f" {rerun_cli.wall_s:>10.2f} {rerun_in:>10.2f}  {'ok' if ok else 'FAILED'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", default="10,100")
    parser.add_argument("--fake", default="10,100,1000")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="autograder-scaling-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"load average at start: {load_average()}; cores {os.cpu_count()}; jobs {args.jobs}")
    print(
        f"{'kind':5} {'N':>6} {'wall s':>9} {'s/sub':>8} {'CPU/sub':>9}"
        f" {'rerun CLI':>10} {'rerun API':>10}"
    )
    for kind, sizes in (("real", args.real), ("fake", args.fake)):
        for n in [int(x) for x in sizes.split(",") if x]:
            print(row(kind, n, work, args.jobs), flush=True)
    print(f"load average at end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
