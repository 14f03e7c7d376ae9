"""Per-job overhead of DockerRunner vs ProcessRunner.

    python bench/docker_overhead.py [--runs 7] [--image autograder-grading:latest]
        [--course . --week week03]

Runs the same job several times under each runner and prints medians: the wall
time of ``runner.run(job)``, the time the executor reports for its notebooks
(kernel start and cells), and their difference, the per-job overhead (process
or container start, executor import, copying files in and out, cleanup). The
default job is a trivial one-cell notebook; ``--course/--week`` adds the
week's reference solution (its solution notebook, as a student would submit
it, through the real grading pipeline). A bare container (create, copy in,
start ``true``, wait, remove) is measured too, as the floor of the Docker cost.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gpu_runner._fastimport  # noqa: E402,F401  (before nbformat)

# isort: split
import nbformat  # noqa: E402

from gpu_runner.job import Job, RunStatus  # noqa: E402
from gpu_runner.runners import ProcessRunner  # noqa: E402
from gpu_runner.runners.base import Runner  # noqa: E402
from gpu_runner.runners.docker import DockerRunner, create_kwargs, job_archive  # noqa: E402


def trivial_job(n: int) -> Job:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1 + 1\nprint(x)")])
    return Job(
        job_id=f"bench-trivial-{n}",
        files={"trivial.ipynb": nbformat.writes(nb).encode()},
        notebooks=("trivial.ipynb",),
    )


def week_job(course_dir: Path, week: str, n: int) -> Job:
    from autograder.course import Course
    from autograder.pipeline.context import load_week_context
    from autograder.pipeline.prepare import prepare_job

    course = Course(course_dir)
    ctx = load_week_context(course, week)
    files = {name: (course.solutions_dir / week / name).read_bytes() for name in ctx.week.notebooks}
    job = prepare_job(ctx, login=f"bench{n}", files=files).job
    return job


def measure(runner: Runner, jobs: list[Job]) -> dict[str, float]:
    walls, inside = [], []
    for job in jobs:
        started = time.monotonic()
        out = runner.run(job)
        walls.append(time.monotonic() - started)
        if out.status is not RunStatus.COMPLETED:
            raise SystemExit(f"{runner.name}: {job.job_id} ended {out.status}: {out.message}")
        inside.append(sum(nb.runtime_s for nb in out.notebooks))
    wall, nb = statistics.median(walls), statistics.median(inside)
    return {"wall": wall, "notebook": nb, "overhead": wall - nb}


def bare_container(runner: DockerRunner, runs: int) -> float:
    from gpu_runner.gpus import GpuLease

    times = []
    for n in range(runs):
        job = trivial_job(n)
        spec = runner.spec_for(job, image=runner.default_image, lease=GpuLease())
        kwargs = {**create_kwargs(spec), "command": ["true"]}
        started = time.monotonic()
        container = runner.client.containers.create(**kwargs)
        container.put_archive("/job", job_archive(job))
        container.start()
        container.wait(timeout=60)
        container.remove(force=True, v=True)
        times.append(time.monotonic() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--image", default="autograder-grading:latest")
    parser.add_argument("--course", type=Path, default=None)
    parser.add_argument("--week", default=None)
    args = parser.parse_args()

    docker = DockerRunner(image=args.image, gpus="none")
    docker.prepare()
    process = ProcessRunner()
    workloads: list[tuple[str, Any]] = [("trivial notebook", trivial_job)]
    if args.week:
        course = args.course or Path.cwd()
        workloads.append((f"{args.week} solution", lambda n: week_job(course, args.week, n)))

    rows = []
    for label, make in workloads:
        make(0)  # warm caches (imports, nbgrader) outside the measurement
        for runner in (process, docker):
            runner.run(make(-1))  # warm-up run, not counted
            stats = measure(runner, [make(n) for n in range(args.runs)])
            rows.append((label, runner.name, stats))
    floor = bare_container(docker, args.runs)
    docker.close()

    print(f"median of {args.runs} runs each (s); image {args.image}")
    print(
        f"{'workload':<22}{'runner':<9}{'wall':>8}{'kernel+cells':>14}{'overhead':>10}{'wall ratio':>12}{'overhead ratio':>16}"
    )
    base: dict[str, dict[str, float]] = {}
    for label, name, stats in rows:
        if name == "process":
            base[label] = stats
        ref = base.get(label, stats)
        print(
            f"{label:<22}{name:<9}{stats['wall']:>8.2f}{stats['notebook']:>14.2f}"
            f"{stats['overhead']:>10.2f}{stats['wall'] / ref['wall']:>11.2f}x"
            f"{stats['overhead'] / max(ref['overhead'], 1e-9):>15.2f}x"
        )
    print(f"bare container (create, put_archive, start `true`, wait, remove): {floor:.2f} s")


if __name__ == "__main__":
    main()
