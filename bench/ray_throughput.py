"""Throughput of the local and the Ray executor on this machine, and Ray's per-job overhead.

Grades N copies of the demo course's sample submissions (demo01: trivial
notebooks, so the numbers are dominated by kernel start and scheduling) with
the ProcessRunner, once with the local executor and once through a
single-node Ray cluster of the same size (127.0.0.1, token auth). Then measures
Ray's per-job round trip with a runner that does nothing.

Ray binds every interface: this refuses to run outside a loopback-only network
namespace. Run it as

    unshare --net --pid --fork --mount-proc sh -c \\
        'ip link set lo up && exec python bench/ray_throughput.py --n 40'
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gpu_runner.executors import RunnerRecipe, wrap_executor  # noqa: E402
from gpu_runner.executors.network import require_loopback_only  # noqa: E402
from gpu_runner.job import Job, Resources, RunOutput, RunStatus  # noqa: E402
from gpu_runner.runners import ProcessRunner, Runner  # noqa: E402


class NoopRunner(Runner):
    """Returns at once: what remains of a job's wall time is the executor's overhead."""

    name = "noop"

    def run(self, job: Job) -> RunOutput:
        return RunOutput(job_id=job.job_id, status=RunStatus.COMPLETED)


def make_course(root: Path, n: int):  # type: ignore[no-untyped-def]
    from autograder.course import Course
    from autograder.demo import bundled_course
    from autograder.nbgrader_adapter import release_week
    from autograder.submissions import collect_local

    source = bundled_course()
    shutil.copytree(source, root, ignore=shutil.ignore_patterns(".autograder", "__pycache__"))
    course = Course(root)
    release_week(course, "demo01")
    samples = sorted(p for p in (root / "submissions").iterdir() if p.is_dir())
    inbox = root / "inbox"
    for i in range(n):
        sample = samples[i % len(samples)]
        shutil.copytree(sample, inbox / f"{sample.name}{i:03d}")
    collect_local(course, "demo01", inbox)
    return course


def grade(course, runner: Runner, jobs: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from autograder.grading import grade_week

    report = grade_week(course, "demo01", runner=runner, jobs=jobs, force=True)
    runtimes = [r.runtime_s for r in report.graded]
    return {
        "graded": len(report.graded),
        "errors": len(report.errors),
        "wall_s": round(report.wall_s, 2),
        "jobs_per_min": round(60 * len(report.graded) / report.wall_s, 1),
        "mean_job_s": round(statistics.mean(runtimes), 2) if runtimes else 0.0,
        "scores": sorted({r.score for r in report.graded}),  # type: ignore[dict-item]
    }


def overhead(runner: Runner, n: int) -> dict[str, float]:
    job = Job(job_id="x", files={}, notebooks=(), resources=Resources(cpus=0.1, memory_mb=128))
    runner.run(Job(job_id="warm", files={}, notebooks=()))
    serial = []
    for i in range(n):
        t0 = time.perf_counter()
        runner.run(Job(job_id=f"s{i}", files={}, notebooks=(), resources=job.resources))
        serial.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=n) as pool:
        list(
            pool.map(
                runner.run,
                [
                    Job(job_id=f"p{i}", files={}, notebooks=(), resources=job.resources)
                    for i in range(n)
                ],
            )
        )
    parallel = time.perf_counter() - t0
    return {
        "serial_median_ms": round(1000 * statistics.median(serial), 1),
        "serial_p90_ms": round(1000 * sorted(serial)[int(0.9 * (n - 1))], 1),
        f"{n}_parallel_total_ms": round(1000 * parallel, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="submissions")
    parser.add_argument(
        "--cpus", type=int, default=os.cpu_count() or 2, help="parallel jobs / Ray CPUs"
    )
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()
    require_loopback_only()
    os.environ.update(
        RAY_AUTH_MODE="token",
        RAY_AUTH_TOKEN=secrets.token_hex(32),
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "bench")]),
    )
    import ray

    from gpu_runner.executors.ray_local import start_local_node

    results: dict[str, object] = {"n": args.n, "cpus": args.cpus}
    with tempfile.TemporaryDirectory(prefix="ray-bench-") as tmp:
        course = make_course(Path(tmp) / "course", args.n)
        results["local"] = grade(course, ProcessRunner(), args.cpus)
        print("local", results["local"], flush=True)

        t0 = time.perf_counter()
        head = start_local_node(temp_dir=Path(tmp) / "ray", port_base=28300, num_cpus=args.cpus)
        try:
            ray.init(address=head.address, log_to_driver=False)
            results["ray_start_s"] = round(time.perf_counter() - t0, 1)
            via_ray = wrap_executor("ray", ProcessRunner())
            results["ray"] = grade(course, via_ray, 4 * args.cpus)
            print("ray", results["ray"], flush=True)
            noop = wrap_executor(
                "ray", RunnerRecipe("ray_throughput:NoopRunner"), reserve_memory=False
            )
            noop.prepare()
            results["ray_overhead"] = overhead(noop, 20)
            results["local_overhead"] = overhead(NoopRunner(), 20)
            print("overhead", results["ray_overhead"], results["local_overhead"], flush=True)
            noop.close()
        finally:
            if ray.is_initialized():
                ray.shutdown()
            head.kill()
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
