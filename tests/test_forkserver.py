"""The process runner's fork server: one fresh process (and kernel) per job, clean env."""

from __future__ import annotations

import json
import os

import nbformat

from gpu_runner.job import CellStatus, Job, RunOutput, RunStatus
from gpu_runner.runners.process import ProcessRunner

PROBE = (
    "import os, json\n"
    "print(json.dumps({'pid': os.getpid(), 'ppid': os.getppid(), "
    "'env': sorted(os.environ), 'cwd': os.getcwd(), 'seen': globals().get('SEEN')}))\n"
    "SEEN = 'earlier job'\n"
)


def _job(job_id: str, source: str = PROBE, total_timeout_s: float = 120) -> Job:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    return Job(
        job_id=job_id,
        files={"nb.ipynb": nbformat.writes(nb).encode()},
        notebooks=("nb.ipynb",),
        cell_timeout_s=60,
        total_timeout_s=total_timeout_s,
    )


def _printed(out: RunOutput) -> dict:
    nb = nbformat.reads(out.notebooks[0].notebook_json, as_version=4)
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.output_type == "stream")
    return json.loads(text)


def test_each_job_gets_its_own_process_kernel_and_clean_environment(monkeypatch) -> None:
    monkeypatch.setenv("AUTOGRADER_TEST_SECRET", "do-not-leak")
    runner = ProcessRunner()
    assert runner.fork_server
    try:
        first, second = runner.run(_job("j1")), runner.run(_job("j2"))
    finally:
        runner.close()
    assert first.status is RunStatus.COMPLETED and second.status is RunStatus.COMPLETED
    a, b = _printed(first), _printed(second)
    assert a["pid"] != b["pid"] and a["ppid"] != b["ppid"]  # new kernel, new executor
    assert a["seen"] is None and b["seen"] is None  # nothing carried over
    assert "AUTOGRADER_TEST_SECRET" not in a["env"] + b["env"]
    assert a["cwd"] != b["cwd"]


def test_forked_and_plain_subprocess_agree() -> None:
    source = "x = 1\nassert x == 2, 'wrong'\n"
    outs = []
    for fork in (True, False):
        runner = ProcessRunner(fork_server=fork)
        try:
            outs.append(runner.run(_job(f"agree-{fork}", source)))
        finally:
            runner.close()
    assert [o.status for o in outs] == [RunStatus.COMPLETED, RunStatus.COMPLETED]
    assert [o.notebooks[0].cells[0].status for o in outs] == [CellStatus.ERROR] * 2


def test_a_job_past_its_total_timeout_is_killed_with_its_kernel() -> None:
    runner = ProcessRunner(kill_grace_s=1.0)
    try:
        out = runner.run(_job("slow", "import os\nos.system('sleep 120')\n", total_timeout_s=3))
    finally:
        runner.close()
    assert out.status in (RunStatus.TIMEOUT, RunStatus.COMPLETED)
    assert out.runtime_s < 60
    if out.status is RunStatus.COMPLETED:  # the executor's own deadline stopped the cell
        assert out.notebooks[0].cells[0].status is CellStatus.TIMEOUT


def test_close_without_jobs_is_quick() -> None:
    import time

    runner = ProcessRunner()
    runner.prepare()
    started = time.monotonic()
    runner.close()
    assert time.monotonic() - started < 1.0
    assert os.environ.get("AUTOGRADER_TEST_SECRET") is None
