"""Similarity at class scale: N generated week06 (CNN) submissions, every pair scored.

    python bench/similarity.py [--students 300] [--week week06|week02] [--work DIR]

Builds a course from the repository's real release of the week, writes N
students (honest, natural variation, plus 3 planted disguised copies; see
tests/similarity_class.py), collects them with `collect_local`, then times

- ``analyse``: `analyse_week` in this process (read notebooks, tokenize,
  winnow, inverted index, all N·(N-1)/2 pair scores, output signal);
- ``cli``: ``autograder similarity WEEK --json`` end to end in a fresh process
  (imports, flags written into results, the HTML page, JSON of every pair).

and prints where the planted pairs rank and the highest honest score.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import gpu_runner._fastimport  # noqa: E402,F401

# isort: split
import nbformat  # noqa: E402

from autograder.course import Course  # noqa: E402
from autograder.similarity import analyse_week  # noqa: E402
from autograder.submissions import collect_local  # noqa: E402
from tests.similarity_class import WEEK02, make_class  # noqa: E402
from tests.similarity_week06 import WEEK06  # noqa: E402


def add_outputs(inbox: Path, week: str, seed: int = 6) -> None:
    """The prints a run leaves in a notebook (the setup line, an accuracy), as students push them."""
    rng = random.Random(seed)
    for path in sorted(inbox.glob(f"*/{week}.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in ("setup", "setup_imports"):
                text = "train: (1437, 64) test: (360, 64)\n"
            elif gid == "train":
                text = f"공개 테스트 정확도: {rng.uniform(0.95, 0.99):.3f}\n"
            else:
                continue
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        nbformat.write(nb, path)


def build(work: Path, week: str, students: int) -> tuple[Course, list[tuple[str, str]]]:
    root = work / "course"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "course.toml").write_text('name = "bench"\nlanguage = "ko"\nrunner = "process"\n')
    for part in ("solutions", "assignments"):
        shutil.copytree(REPO / part / week, root / part / week)
    spec = WEEK06 if week == "week06" else WEEK02
    _, planted = make_class(root / "inbox", students=students, spec=spec)
    add_outputs(root / "inbox", week)
    course = Course(root)
    collect_local(course, week, root / "inbox")
    return course, planted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--week", choices=["week06", "week02"], default="week06")
    parser.add_argument("--work", type=Path, help="keep the generated course here")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="ag-sim-bench-"))
    t0 = time.perf_counter()
    course, planted = build(work, args.week, args.students)
    t_build = time.perf_counter() - t0

    t0 = time.perf_counter()
    sim = analyse_week(course, args.week)
    t_analyse = time.perf_counter() - t0

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "--course", str(course.root), "similarity"]
        + [args.week, "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    t_cli = time.perf_counter() - t0
    pairs = json.loads(proc.stdout)["pairs"]

    want = {tuple(sorted(p)) for p in planted}
    ranks = [i for i, p in enumerate(sim.pairs, start=1) if (p.a, p.b) in want]
    honest = [p.score for p in sim.pairs if (p.a, p.b) not in want]
    flagged = [p for p in sim.pairs if p.flagged]
    true_pos = sum((p.a, p.b) in want for p in flagged)
    print(f"week {args.week}: {len(sim.students)} students, {len(pairs)} pairs (JSON)")
    print(f"generate + collect: {t_build:.1f} s")
    print(f"analyse_week (in process): {t_analyse:.2f} s")
    print(f"autograder similarity {args.week} --json (fresh process, end to end): {t_cli:.2f} s")
    print(f"planted pairs rank: {ranks} (of {len(sim.pairs)})")
    print(f"highest honest pair: {max(honest):.3f}; threshold {sim.threshold}")
    print(
        f"flagged {len(flagged)}: precision {true_pos / max(len(flagged), 1):.2f}, "
        f"recall {true_pos / max(len(want), 1):.2f}"
    )
    print(f"course: {course.root}")


if __name__ == "__main__":
    main()
