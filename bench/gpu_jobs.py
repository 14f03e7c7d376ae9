"""The Keras weeks on a GPU machine without Docker or TensorFlow: jobs built here, run there.

    python bench/gpu_jobs.py prepare --out .gpucheck [--weeks week05,...] [--copies 4]
    python bench/gpu_jobs.py run --jobs-dir .gpucheck --out DIR [--jobs-per-gpu 4]
    python bench/gpu_jobs.py score --jobs-dir .gpucheck --outputs DIR

``prepare`` (on the development machine: it needs the course, nbgrader and the
grader) builds, for each week, ``--copies`` grading jobs of the instructor's
solution exactly as ``autograder grade`` would (sanitized, tests private, probes)
and writes each as one JSON file. ``run`` (on the lent GPU machine: it needs only
``gpu_runner`` and the executor's packages) runs a week's jobs at the same time
through the process runner, each holding a slot of `GpuSlots` (``--jobs-per-gpu``
slots per GPU: 4 packs all four on one GPU); the slot's device becomes the kernel's
``CUDA_VISIBLE_DEVICES`` and JAX's memory share, Keras runs on ``KERAS_BACKEND=jax``.
It writes each RunOutput and a timing table. ``score`` (back here) prints what the
outputs' test cells earned, to check the runs graded as they do on the CPU.

``run --dry-run``: no notebooks, one tiny job per slot that prints what its
kernel sees (CUDA_VISIBLE_DEVICES, the memory share, the Keras backend): with
``AUTOGRADER_GPUS=0,1`` faked, it checks the slot plumbing on a CPU machine.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from gpu_runner.gpus import GpuLease, GpuSlots, detect_gpus  # noqa: E402
from gpu_runner.job import Job, RunOutput  # noqa: E402
from gpu_runner.spec import gpu_env  # noqa: E402

KERAS_WEEKS = ("week05", "week06", "week07", "week08")
PROBE_SOURCE = (
    "import os, json\n"
    "print('SEEN ' + json.dumps({k: os.environ.get(k) for k in "
    "('CUDA_VISIBLE_DEVICES', 'XLA_PYTHON_CLIENT_MEM_FRACTION', "
    "'XLA_PYTHON_CLIENT_PREALLOCATE', 'KERAS_BACKEND')}))\n"
)


def _b64(files: dict[str, bytes]) -> dict[str, str]:
    return {name: base64.b64encode(data).decode() for name, data in files.items()}


def _unb64(files: dict[str, str]) -> dict[str, bytes]:
    return {name: base64.b64decode(data) for name, data in files.items()}


def dump_job(job: Job, path: Path) -> None:
    data = {"spec": job.spec_dict(), "files": _b64(job.files), "private": _b64(job.private)}
    path.write_text(json.dumps(data))


def load_job(path: Path) -> Job:
    data = json.loads(path.read_text())
    job = Job.from_spec_dict(data["spec"], files=_unb64(data["files"]))
    return replace(job, private=_unb64(data["private"]))


# -- prepare (development machine) ------------------------------------------------------


def prepare(out: Path, weeks: list[str], copies: int) -> None:
    from cases import _filled, _source_solutions

    from autograder.course import Course
    from autograder.nbgrader_adapter import open_source_gradebook
    from autograder.pipeline.context import load_week_context
    from autograder.pipeline.prepare import prepare_job

    course = Course(HERE.parent)
    course.workspace.mkdir(parents=True, exist_ok=True)  # git-ignored: the gradebook
    out.mkdir(parents=True, exist_ok=True)
    for week in weeks:
        ctx = load_week_context(course, week)
        ctx.source_gradebook = open_source_gradebook(course)
        import nbformat

        nb = _filled(course, week, _source_solutions(course, week))
        files = {f"{week}.ipynb": nbformat.writes(nb).encode()}
        for i in range(copies):
            prepared = prepare_job(ctx, login=f"gpu{i}", files=files)
            job = replace(
                prepared.job,
                resources=replace(prepared.job.resources, gpus=1.0 / copies, gpu_optional=True),
            )
            dump_job(job, out / f"{week}-{i}.json")
        print(f"{week}: {copies} jobs, {len(files)} notebook(s), probes {len(job.probes)}")


# -- run (GPU machine) ------------------------------------------------------------------


def on_gpu(job: Job, lease: GpuLease) -> Job:
    """`job` on the leased GPU: the kernel sees only that device, JAX its memory share."""
    env = {
        **job.env,
        "KERAS_BACKEND": "jax",
        "CUDA_VISIBLE_DEVICES": ",".join(lease.device_ids),
        **gpu_env(
            device_ids=lease.device_ids, shared=lease.shared, memory_fraction=lease.memory_fraction
        ),
    }
    return replace(job, env=env, gpu_ids=lease.device_ids)


def run_week(
    jobs: list[Job], slots: GpuSlots, runner: object
) -> list[tuple[Job, GpuLease, RunOutput, float]]:
    """The week's jobs at the same time, each on its own slot; (job, lease, output, seconds)."""
    results: list[tuple[Job, GpuLease, RunOutput, float]] = []
    lock = threading.Lock()

    def one(job: Job) -> None:
        lease = slots.acquire(job.resources.gpus, timeout_s=3600)
        try:
            started = time.monotonic()
            output = runner.run(on_gpu(job, lease))  # type: ignore[attr-defined]
            with lock:
                results.append((job, lease, output, time.monotonic() - started))
        finally:
            slots.release(lease)

    threads = [threading.Thread(target=one, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def dry_jobs(copies: int) -> list[Job]:
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE_SOURCE)])
    from gpu_runner.job import Resources

    return [
        Job(
            job_id=f"dry-{i}",
            files={},
            private={"dry.ipynb": nbformat.writes(nb).encode()},
            notebooks=("dry.ipynb",),
            resources=Resources(gpus=1.0 / copies),
            total_timeout_s=120,
        )
        for i in range(copies)
    ]


def seen(output: RunOutput) -> dict[str, str | None]:
    nb = json.loads(output.notebooks[0].notebook_json)
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", ""))
            if text.startswith("SEEN "):
                return dict(json.loads(text.removeprefix("SEEN ")))
    return {}


def run(jobs_dir: Path, out: Path, jobs_per_gpu: int, dry_run: bool, copies: int) -> int:
    from gpu_runner.runners.process import ProcessRunner

    os.environ["KERAS_BACKEND"] = "jax"
    devices = detect_gpus()
    slots = GpuSlots(devices=devices, jobs_per_gpu=jobs_per_gpu)
    print(f"GPUs: {list(devices) or 'none'}; {jobs_per_gpu} jobs per GPU", flush=True)
    if not devices:
        print("no GPU found (nvidia-smi, AUTOGRADER_GPUS): nothing to check", flush=True)
        return 2
    weeks: dict[str, list[Job]] = {}
    if dry_run:
        weeks["dry"] = dry_jobs(copies)
    else:
        for path in sorted(jobs_dir.glob("week*.json")):
            weeks.setdefault(path.name.split("-")[0], []).append(load_job(path))
    out.mkdir(parents=True, exist_ok=True)
    runner = ProcessRunner()
    rows = []
    failed = 0
    try:
        for week, jobs in weeks.items():
            started = time.monotonic()
            results = run_week(jobs, slots, runner)
            wall = time.monotonic() - started
            for job, lease, output, seconds in results:
                (out / f"{job.job_id}.json").write_text(output.to_json())
                print(
                    f"{week} {job.job_id}: {output.status.value} in {seconds:.1f} s on GPU "
                    f"{','.join(lease.device_ids)} (shared {lease.shared}, "
                    f"share {lease.memory_fraction:.2f}) {output.message[:200]}",
                    flush=True,
                )
                if dry_run:
                    got = seen(output)
                    print(f"  kernel saw {got}", flush=True)
                    if got.get("CUDA_VISIBLE_DEVICES") != ",".join(lease.device_ids):
                        failed += 1
                if output.status.value != "completed":
                    failed += 1
            times = [seconds for *_, seconds in results]
            rows.append((week, len(jobs), wall, statistics.median(times), max(times)))
    finally:
        runner.close()
    table = ["| week | jobs at once | batch wall s | median job s | slowest job s |"]
    table.append("|---|---|---|---|---|")
    table += [f"| {w} | {n} | {wall:.1f} | {med:.1f} | {mx:.1f} |" for w, n, wall, med, mx in rows]
    text = "\n".join(table)
    print("\n" + text, flush=True)
    (out / "timings.md").write_text(text + "\n")
    return 1 if failed else 0


# -- score (development machine) ----------------------------------------------------------


def score(jobs_dir: Path, outputs: Path) -> None:
    for path in sorted(outputs.glob("week*.json")):
        output = RunOutput.from_json(path.read_text())
        cells = [c for nb in output.notebooks for c in nb.cells]
        bad = [c.grade_id or c.index for c in cells if c.status.value != "ok"]
        probes = [(p.id, p.error or "exported") for p in output.probes]
        print(f"{path.stem}: {output.status.value}, cells not ok: {bad}, probes: {probes}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--out", type=Path, default=Path(".gpucheck"))
    p.add_argument("--weeks", default=",".join(KERAS_WEEKS))
    p.add_argument("--copies", type=int, default=4)
    r = sub.add_parser("run")
    r.add_argument("--jobs-dir", type=Path, default=Path(".gpucheck"))
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--jobs-per-gpu", type=int, default=4)
    r.add_argument("--dry-run", action="store_true")
    r.add_argument("--copies", type=int, default=4)
    s = sub.add_parser("score")
    s.add_argument("--jobs-dir", type=Path, default=Path(".gpucheck"))
    s.add_argument("--outputs", type=Path, required=True)
    args = parser.parse_args()
    if args.cmd == "prepare":
        prepare(args.out, args.weeks.split(","), args.copies)
        return 0
    if args.cmd == "run":
        return run(args.jobs_dir, args.out, args.jobs_per_gpu, args.dry_run, args.copies)
    score(args.jobs_dir, args.outputs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
