"""The same submissions graded by nbgrader, otter and autograder, side by side.

    python bench/compare.py [--n 40] [--weeks demo01,week03] [--repeat 3] [--jobs 2]
                            [--tools nbgrader,otter,process,docker,limit] [--work DIR]

For every week, N submissions (correct / partial / broken in rotation, see
cases.py) are graded by each tool as one batch per week:

- ``nbgrader``: ``nbgrader autograde WEEK --force`` in a temporary nbgrader
  course built from the same source notebook (generate_assignment first, not
  timed);
- ``otter``: ``otter grade`` on an equivalent otter assignment (otter_setup.py
  says exactly how it is built and what is patched);
- ``process`` / ``docker``: ``autograder grade WEEK --runner R --jobs J --force``;
- ``limit``: the bare submissions executed with plain nbclient one at a time
  (bare.py); its "wall" is the summed execution time divided by --jobs.

Each repeat runs every tool once, in this order, and prints a table with
ratios from that one run; the last table holds the medians over repeats.
CPU and memory: see measure.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import gpu_runner._fastimport  # noqa: F401

# isort: split
from cases import Submission, make_course, make_submissions, place_in_workspace
from measure import Measured, load_average, run_measured

from autograder.course import Course
from autograder.pipeline.context import load_week_context

BENCH_IMAGE = os.environ.get("AUTOGRADER_BENCH_IMAGE", "autograder-grading:bench")
NBGRADER_CONFIG = """\
c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = "sqlite:///{root}/gradebook.db"
c.ExecutePreprocessor.timeout = 600
c.Execute.timeout = 600
"""


@dataclass(frozen=True)
class Row:
    tool: str
    n: int
    wall_s: float
    cpu_s: float
    peak_mb: float
    ok: bool
    note: str = ""

    @property
    def per_sub(self) -> float:
        return self.wall_s / self.n if self.n else 0.0


def tool_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0", PYTHONWARNINGS="ignore")
    return env


# -- setup ----------------------------------------------------------------------


def setup_nbgrader(root: Path, course: Course, subs: dict[str, list[Submission]]) -> Path:
    nb_root = root / "nbgrader"
    nb_root.mkdir(parents=True)
    (nb_root / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(root=str(nb_root)))
    for week, week_subs in subs.items():
        src = nb_root / "source" / week
        src.mkdir(parents=True)
        shutil.copy(course.solutions_dir / week / f"{week}.ipynb", src / f"{week}.ipynb")
        run_checked(["nbgrader", "generate_assignment", week, "--force"], cwd=nb_root)
        for sub in week_subs:
            folder = nb_root / "submitted" / sub.login / week
            folder.mkdir(parents=True, exist_ok=True)
            (folder / sub.notebook).write_bytes(sub.data)
    return nb_root


def setup_bare(root: Path, subs: dict[str, list[Submission]]) -> list[str]:
    paths = []
    for week_subs in subs.values():
        for sub in week_subs:
            folder = root / "bare" / sub.week / sub.login
            folder.mkdir(parents=True, exist_ok=True)
            (folder / sub.notebook).write_bytes(sub.data)
            paths.append(str(folder / sub.notebook))
    return paths


def run_checked(cmd: list[str], *, cwd: Path) -> None:
    import subprocess

    done = subprocess.run(cmd, cwd=cwd, env=tool_env(), capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


# -- tools ----------------------------------------------------------------------


def _sum(tool: str, parts: list[Measured], n: int, note: str = "") -> Row:
    return Row(
        tool=tool,
        n=n,
        wall_s=sum(p.wall_s for p in parts),
        cpu_s=sum(p.cpu_s for p in parts),
        peak_mb=max((p.peak_mb for p in parts), default=0.0),
        ok=all(p.rc == 0 for p in parts),
        note=note or "; ".join(p.output.strip().splitlines()[-1][:120] for p in parts if p.rc),
    )


def run_nbgrader(nb_root: Path, weeks: list[str], n: int) -> Row:
    parts = [
        run_measured(["nbgrader", "autograde", w, "--force"], cwd=nb_root, env=tool_env())
        for w in weeks
    ]
    return _sum("nbgrader autograde", parts, n)


def run_autograder(course: Course, weeks: list[str], n: int, runner: str, jobs: int) -> Row:
    parts = []
    for week in weeks:
        cmd = ["autograder", "--course", str(course.root), "grade", week, "--runner", runner]
        if runner == "docker":
            cmd += ["--image", BENCH_IMAGE]
        parts.append(run_measured([*cmd, "--jobs", str(jobs), "--force"], env=tool_env()))
    return _sum(f"autograder ({runner})", parts, n)


def run_limit(paths: list[str], jobs: int) -> Row:
    bare = Path(__file__).with_name("bare.py")
    m = run_measured([sys.executable, str(bare), *paths], env=tool_env())
    total = next((float(x.split()[1]) for x in m.output.splitlines() if x.startswith("TOTAL")), 0.0)
    return Row(
        tool=f"limit (bare nbclient, sum/{jobs})",
        n=len(paths),
        wall_s=total / jobs,
        cpu_s=m.cpu_s,
        peak_mb=m.peak_mb,
        ok=m.rc == 0,
        note=f"summed execution {total:.1f} s",
    )


# -- report ---------------------------------------------------------------------


def table(rows: list[Row], title: str) -> str:
    nbg = next((r for r in rows if r.tool.startswith("nbgrader") and r.ok), None)
    ott = next((r for r in rows if r.tool.startswith("otter") and r.ok), None)
    lim = next((r for r in rows if r.tool.startswith("limit") and r.ok), None)
    head = (
        f"{'tool':34} {'N':>4} {'wall s':>8} {'s/sub':>6} {'CPU s':>8} {'peak MB':>8}"
        f" {'x nbgrader':>10} {'x otter':>8} {'/ limit':>8}  note"
    )
    lines = [title, head, "-" * len(head)]
    for r in rows:

        def ratio(peer: Row | None, r: Row = r) -> str:
            return f"{peer.wall_s / r.wall_s:.2f}" if peer and r.ok and r.wall_s else "-"

        over = f"{r.wall_s / lim.wall_s:.2f}" if lim and r.ok and lim.wall_s else "-"
        lines.append(
            f"{r.tool:34} {r.n:>4} {r.wall_s:>8.1f} {r.per_sub:>6.2f} {r.cpu_s:>8.1f}"
            f" {r.peak_mb:>8.0f} {ratio(nbg):>10} {ratio(ott):>8} {over:>8}  "
            f"{'' if r.ok else 'FAILED '}{r.note}"
        )
    return "\n".join(lines)


def medians(runs: list[list[Row]]) -> list[Row]:
    out = []
    for tool in [r.tool for r in runs[0]]:
        same = [r for run in runs for r in run if r.tool == tool]
        ok = [r for r in same if r.ok] or same
        out.append(
            Row(
                tool=tool,
                n=same[0].n,
                wall_s=statistics.median(r.wall_s for r in ok),
                cpu_s=statistics.median(r.cpu_s for r in ok),
                peak_mb=statistics.median(r.peak_mb for r in ok),
                ok=bool([r for r in same if r.ok]),
                note=f"{len([r for r in same if r.ok])}/{len(same)} runs ok",
            )
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=40, help="submissions per week")
    parser.add_argument("--weeks", default="demo01,week03")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--tools", default="nbgrader,otter,process,docker,limit")
    parser.add_argument("--work", type=Path, default=None, help="keep the work folder here")
    parser.add_argument(
        "--image-base", default="autograder-base:bookworm", help="'' skips the image build"
    )
    parser.add_argument("--ca-bundle", default="/etc/ssl/certs/ca-certificates.crt")
    parser.add_argument("--otter-containers", type=int, default=4, help="otter's default: 4")
    args = parser.parse_args()
    weeks = args.weeks.split(",")
    tools = args.tools.split(",")
    root = args.work or Path(tempfile.mkdtemp(prefix="autograder-bench-"))
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    print(f"setting up in {root} (weeks {weeks}, {args.n} submissions each)", flush=True)
    course = make_course(root / "course", tuple(weeks))
    subs = {w: make_submissions(course, w, args.n) for w in weeks}
    for week_subs in subs.values():
        place_in_workspace(course, week_subs)
    for w in weeks:
        load_week_context(course, w)  # the one-time gradebook sync of a new assignment version
    n = sum(len(s) for s in subs.values())
    build = ["autograder", "image", "build", "--base", args.image_base, "--tag", BENCH_IMAGE]
    if args.ca_bundle:
        build += ["--ca-bundle", args.ca_bundle]
    nb_root = setup_nbgrader(root, course, subs) if "nbgrader" in tools else None
    bare = setup_bare(root, subs) if "limit" in tools else []
    otter_cmds: list[list[str]] = []
    otter_note = ""
    if "otter" in tools:
        try:
            from otter_setup import setup_otter

            otter_cmds = setup_otter(root / "otter", course, subs, containers=args.otter_containers)
        except Exception as exc:  # say why and keep the rest
            otter_note = f"otter not run: {type(exc).__name__}: {str(exc)[:300]}"
            print(otter_note, flush=True)
    runs: list[list[Row]] = []
    for i in range(args.repeat):
        load = load_average()
        rows: list[Row] = []
        for tool in tools:
            if tool == "nbgrader" and nb_root:
                rows.append(run_nbgrader(nb_root, weeks, n))
            elif tool == "otter":
                if otter_cmds:
                    parts = [run_measured(c, env=tool_env()) for c in otter_cmds]
                    name = f"otter grade ({args.otter_containers} containers)"
                    rows.append(_sum(name, parts, n))
                else:
                    rows.append(Row("otter grade", n, 0, 0, 0, False, otter_note))
            elif tool == "docker" and args.image_base:
                # a private tag, rebuilt (cached: seconds) right before each docker row so
                # it matches this checkout's gpu_runner even while others edit or retag
                run_checked(build, cwd=root)
                rows.append(run_autograder(course, weeks, n, tool, args.jobs))
            elif tool in ("process", "docker"):
                rows.append(run_autograder(course, weeks, n, tool, args.jobs))
            elif tool == "limit":
                rows.append(run_limit(bare, args.jobs))
            print(f"  run {i + 1}: {rows[-1].tool}: {rows[-1].wall_s:.1f} s", flush=True)
        runs.append(rows)
        print(
            "\n" + table(rows, f"run {i + 1}/{args.repeat}  (load average at start: {load})"),
            flush=True,
        )
    print("\n" + table(medians(runs), f"medians of {args.repeat} runs; cores {os.cpu_count()}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
