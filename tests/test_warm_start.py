"""Started ahead of need: the executor's wait-for-job mode and the warm pool, no daemon.

The executor really runs (a subprocess, a real kernel and test process); the job's
files are written only after its kernel started, as `put_archive` does in a container.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from gpu_runner.job import CellStatus, Job, Resources, RunOutput, RunStatus
from gpu_runner.runners.base import write_job_files
from gpu_runner.runners.docker import warm_limit
from gpu_runner.runners.warm_pool import WarmPool
from gpu_runner.warm import READY_MARKER

PROBE = (
    "import os, json\n"
    "print(json.dumps({'pid': os.getpid(), 'cwd': os.getcwd(), "
    "'data': sorted(os.listdir('.')), 'mode': os.environ.get('AG_MODE')}))\n"
)
TEST = "assert open('data.txt').read() == 'hello', 'data'\n"


def _job(job_id: str, env: dict[str, str] | None = None) -> Job:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(PROBE),
            nbformat.v4.new_code_cell("x = 41 + 1"),
            nbformat.v4.new_code_cell(
                "assert x == 42\n", metadata={"autograder": {"role": "test"}}
            ),
        ]
    )
    return Job(
        job_id=job_id,
        files={"data.txt": b"hello"},
        private={"nb.ipynb": nbformat.writes(nb).encode()},
        notebooks=("nb.ipynb",),
        cell_timeout_s=60,
        total_timeout_s=120,
        env=env or {},
    )


def _start_waiting(root: Path, kernel_env: dict[str, str]) -> subprocess.Popen[bytes]:
    (root / "job" / "work").mkdir(parents=True)
    # as in the sandbox: the kernel copies the job's work/ into its own folder at its start
    kernel = [
        "/bin/sh", "-c",
        f'mkdir -p {root}/kwork && cp -Rn {root}/job/work/. {root}/kwork/ && '
        f'exec {sys.executable} -P -m ipykernel_launcher -f "$0"',
        "{connection_file}",
    ]  # fmt: skip
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gpu_runner.executor",
            "--job",
            str(root / "job"),
            "--results",
            str(root / "results"),
            "--scratch",
            str(root / "scratch"),
            "--kernel-workdir",
            str(root / "kwork"),
            "--kernel-argv",
            json.dumps(kernel),
            "--wait-for-job",
            "--kernel-env",
            json.dumps(kernel_env),
        ],  # fmt: skip
        stderr=subprocess.PIPE,
    )


def _children(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [Path(f"/proc/{c}/cmdline").read_bytes().replace(b"\0", b" ").decode() for c in text]


def _kernel_started(proc: subprocess.Popen[bytes], timeout: float = 60) -> bool:
    """The kernel and the trusted test process run before any job file exists."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _children(proc.pid)
        if any("ipykernel_launcher" in c for c in found) and any(
            "gpu_runner.testproc" in c for c in found
        ):
            return True
        time.sleep(0.05)
    return False


def _deliver(root: Path, job: Job) -> RunOutput:
    (root / "job" / "job.json").write_text(json.dumps(job.spec_dict()))
    write_job_files(job, root / "job" / "work", root / "job" / "private")
    (root / "job" / READY_MARKER).touch()  # last, as in the archive
    return RunOutput.from_json((root / "results" / "result.json").read_text())


def _printed(out: RunOutput) -> dict:
    nb = nbformat.reads(out.notebooks[0].notebook_json, as_version=4)
    return json.loads("".join(o.get("text", "") for o in nb.cells[0].outputs))


@pytest.mark.parametrize("env_fits", [True, False])
def test_waiting_executor_runs_the_job_that_arrives_later(tmp_path: Path, env_fits: bool) -> None:
    proc = _start_waiting(tmp_path, {"AG_MODE": "warm"})
    try:
        assert _kernel_started(proc), "the kernel was not started before the job"
        time.sleep(0.5)
        assert proc.poll() is None and not (tmp_path / "results").exists()  # still waiting
        job = _job("warm-1", {"AG_MODE": "warm" if env_fits else "cold"})
        (tmp_path / "job" / "job.json").write_text(json.dumps(job.spec_dict()))
        write_job_files(job, tmp_path / "job" / "work", tmp_path / "job" / "private")
        time.sleep(0.3)
        assert proc.poll() is None  # files without the marker: not complete yet
        (tmp_path / "job" / READY_MARKER).touch()
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    out = RunOutput.from_json((tmp_path / "results" / "result.json").read_text())
    assert out.status is RunStatus.COMPLETED, err.decode()[-2000:]
    assert [c.status for c in out.notebooks[0].cells] == [CellStatus.OK] * 3
    seen = _printed(out)
    # the warm kernel copied the files in itself; a cold one got them at its start
    assert seen["data"] == ["data.txt"] and seen["cwd"] == str(tmp_path / "kwork")
    # a job whose environment differs never gets the kernel started for another one
    assert seen["mode"] == ("warm" if env_fits else "cold")


def test_warm_kernel_does_not_overwrite_what_is_already_there(tmp_path: Path) -> None:
    proc = _start_waiting(tmp_path, {})
    try:
        assert _kernel_started(proc)
        (tmp_path / "kwork").mkdir(exist_ok=True)
        (tmp_path / "kwork" / "data.txt").write_text("kept")
        job = _job("warm-2")
        (tmp_path / "job" / "job.json").write_text(json.dumps(job.spec_dict()))
        write_job_files(job, tmp_path / "job" / "work", tmp_path / "job" / "private")
        (tmp_path / "job" / READY_MARKER).touch()
        proc.communicate(timeout=120)
    finally:
        proc.kill()
    out = RunOutput.from_json((tmp_path / "results" / "result.json").read_text())
    assert out.status is RunStatus.COMPLETED
    assert (tmp_path / "kwork" / "data.txt").read_text() == "kept"  # cp -Rn semantics


# -- the pool ----------------------------------------------------------------------------


class Things:
    """Items with a start that takes time; records what happened to each."""

    def __init__(self, delay: float = 0.05, fail: int = 0) -> None:
        self.delay, self.fail = delay, fail
        self.started: list[int] = []
        self.discarded: list[int] = []
        self.retired: list[int] = []
        self.lock = threading.Lock()

    def start(self, key: str) -> int | None:
        time.sleep(self.delay)
        with self.lock:
            if self.fail:
                self.fail -= 1
                raise RuntimeError("daemon hiccup")
            self.started.append(len(self.started))
            return self.started[-1]

    def discard(self, item: int) -> None:
        with self.lock:
            self.discarded.append(item)


def test_pool_hands_each_item_out_once_and_keeps_idle_ready() -> None:
    things = Things()
    pool: WarmPool[str, int] = WarmPool(
        start=things.start, discard=things.discard, limit=lambda k: 4, idle=2
    )
    try:
        assert pool.take("a") is None  # nothing known yet: the first job starts its own
        pool.done("a")
        assert pool.wait_ready("a", 2, timeout=10)
        taken = [pool.take("a"), pool.take("a")]
        assert None not in taken and len(set(taken)) == 2
        assert pool.wait_ready("a", 2, timeout=10)  # replaced in the background
        third = pool.take("a")
        assert third is not None and third not in taken  # never reused
        for _ in range(3):
            pool.done("a", retire=lambda: None)
    finally:
        pool.close()
    assert len(things.discarded) == len(things.started) - 3  # the ready ones, at close
    assert pool.stats.hits == 3 and pool.stats.misses == 1


def test_pool_never_exceeds_its_limit_counting_items_in_use() -> None:
    things = Things(delay=0.01)
    pool: WarmPool[str, int] = WarmPool(
        start=things.start, discard=things.discard, limit=lambda k: 3, idle=5
    )
    try:
        held = [pool.take("k") for _ in range(2)]  # two jobs running (started their own)
        assert held == [None, None]
        time.sleep(0.5)
        assert pool.ready_count("k") == 1  # 2 in use + 1 ready = the limit of 3
        pool.done("k")
        assert pool.wait_ready("k", 2, timeout=10)
    finally:
        pool.close()


def test_pool_retries_after_a_failed_start_and_retires_in_the_background() -> None:
    things = Things(fail=1)
    retired = threading.Event()
    pool: WarmPool[str, int] = WarmPool(
        start=things.start, discard=things.discard, limit=lambda k: 2, idle=1
    )
    try:
        pool.take("k")
        pool.done("k", retire=retired.set)
        assert retired.wait(5)
        assert pool.wait_ready("k", 1, timeout=10)
        assert pool.stats.failed == 1
    finally:
        pool.close()


def test_warm_limit_counts_memory_cores_and_gpus() -> None:
    small = Resources(cpus=1, memory_mb=2048)
    assert warm_limit(small, cores=2, memory_mb=24000, gpu_slots=0, idle=2) == 4
    assert warm_limit(small, cores=2, memory_mb=5000, gpu_slots=0, idle=2) == 1
    big = Resources(cpus=2, memory_mb=8192)
    assert warm_limit(big, cores=16, memory_mb=128000, gpu_slots=0, idle=2) == 10
    gpu = Resources(cpus=2, memory_mb=8192, gpus=0.25)
    assert warm_limit(gpu, cores=16, memory_mb=128000, gpu_slots=4, idle=2) == 4


def test_a_batch_starts_no_more_ahead_than_jobs_still_to_come() -> None:
    things = Things(delay=0.01)
    pool: WarmPool[str, int] = WarmPool(
        start=things.start, discard=things.discard, limit=lambda k: 10, idle=3
    )
    try:
        pool.expect(2)
        pool.want("k")
        assert pool.wait_ready("k", 2, timeout=10)
        time.sleep(0.3)
        assert pool.ready_count("k") == 2  # not the 3 idle: only 2 jobs will come
        assert pool.take("k") is not None and pool.take("k") is not None
        time.sleep(0.3)
        assert pool.ready_count("k") == 0 and len(things.started) == 2  # nothing wasted
    finally:
        pool.close()
    assert things.discarded == []


def test_only_the_most_recent_kind_is_kept_started() -> None:
    things = Things(delay=0.01)
    pool: WarmPool[str, int] = WarmPool(
        start=things.start, discard=things.discard, limit=lambda k: 10, idle=2
    )
    try:
        pool.want("week03")
        assert pool.wait_ready("week03", 2, timeout=10)
        first = list(things.started)
        pool.take("week05")  # a server moved on to another week's kind
        assert pool.wait_ready("week05", 2, timeout=10)
        assert pool.ready_count("week03") == 0 and sorted(things.discarded) == first
        time.sleep(0.3)
        assert pool.ready_count("week03") == 0  # not started again
    finally:
        pool.close()
