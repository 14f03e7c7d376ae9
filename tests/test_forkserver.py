"""The process runner's fork server: one fresh process (and kernel) per job, clean env."""

from __future__ import annotations

import json
import os
from typing import Any

import nbformat

from gpu_runner.job import CellStatus, Job, RunOutput, RunStatus
from gpu_runner.runners.process import ProcessRunner

PROBE = (
    "import os, json\n"
    "print(json.dumps({'pid': os.getpid(), 'ppid': os.getppid(), "
    "'env': sorted(os.environ), 'cwd': os.getcwd(), 'seen': globals().get('SEEN')}))\n"
    "SEEN = 'earlier job'\n"
)


def _job(
    job_id: str,
    source: str = PROBE,
    total_timeout_s: float = 120,
    *,
    cells: list | None = None,
    cell_timeout_s: float = 60,
) -> Job:
    """A one-notebook job: one cell of `source`, or `cells` (sources or cells)."""
    cells = cells if cells is not None else [source]
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(c) if isinstance(c, str) else c for c in cells]
    )
    return Job(
        job_id=job_id,
        files={"nb.ipynb": nbformat.writes(nb).encode()},
        notebooks=("nb.ipynb",),
        cell_timeout_s=cell_timeout_s,
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


# -- kernels forked from the preloaded kernel server (trusted mode) -------------------------

FORKED_PROBE = (
    "import os, json, random, tempfile, numpy\n"
    "monitor = os.getppid()\n"
    "server = int(open(f'/proc/{monitor}/stat').read().rsplit(')', 1)[1].split()[1])\n"
    "print(json.dumps({'pid': os.getpid(), 'server': server, 'cwd': os.getcwd(),\n"
    "  'tmp': tempfile.gettempdir(), 'env': sorted(os.environ),\n"
    "  'np': float(numpy.random.rand()), 'random': random.random(),\n"
    "  'seen': globals().get('SEEN')}))\n"
    "SEEN = 'earlier job'\n"
)


def _kernel_server(runner: ProcessRunner) -> int:
    """The kernel server's pid once it listens (the first job may start before it does)."""
    assert runner.kernels is not None
    runner.kernels.start()
    assert runner.kernels.socket(wait_s=60)
    assert runner.kernels.pid
    return runner.kernels.pid


def test_kernels_are_fresh_forks_of_the_kernel_server(monkeypatch) -> None:
    monkeypatch.setenv("AUTOGRADER_TEST_SECRET", "do-not-leak")
    runner = ProcessRunner()
    try:
        server = _kernel_server(runner)
        outs = [runner.run(_job(f"fk{i}", FORKED_PROBE)) for i in range(2)]
    finally:
        runner.close()
    assert [o.status for o in outs] == [RunStatus.COMPLETED] * 2
    a, b = (_printed(o) for o in outs)
    assert a["server"] == b["server"] == server  # forked, not started with python -m
    assert a["pid"] != b["pid"] and a["seen"] is None and b["seen"] is None
    assert a["np"] != b["np"] and a["random"] != b["random"]  # no shared random stream
    assert a["cwd"].endswith("/work") and a["cwd"] != b["cwd"]
    assert a["tmp"] != b["tmp"] and "scratch" in a["tmp"]  # each kernel's own TMPDIR
    assert "AUTOGRADER_TEST_SECRET" not in a["env"] + b["env"]
    assert "MPLCONFIGDIR" in a["env"] and "JPY_PARENT_PID" in a["env"]


def test_forked_and_plain_kernels_agree_on_timeouts_errors_and_kills() -> None:
    cells = [
        "import time\ntime.sleep(60)",  # interrupted at the cell timeout
        "print('after the timeout')",
        "raise ValueError('wrong')",
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",  # as the OOM killer does
    ]
    job = _job("agree", cells=cells, cell_timeout_s=3)
    results = []
    for fork in (True, False):
        runner = ProcessRunner(fork_kernels=fork)
        try:
            if fork:
                _kernel_server(runner)
            out = runner.run(job)
        finally:
            runner.close()
        results.append((out.status, [c.status for c in out.notebooks[0].cells]))
    assert results[0] == results[1]
    assert results[0][0] is RunStatus.MEMORY
    assert results[0][1][:3] == [CellStatus.TIMEOUT, CellStatus.OK, CellStatus.ERROR]


def test_a_forked_kernel_dies_when_its_executor_goes_away(tmp_path) -> None:
    """The executor holds the connection; closing it (or dying) kills the kernel's group."""
    import socket
    import time

    from gpu_runner.zygote import Zygote, read_line, send_json

    server = Zygote("kernel")
    server.start()
    try:
        path = server.socket(wait_s=60)
        assert path
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(path)
        env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
        if "PYTHONPATH" in os.environ:
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        send_json(
            conn, {"argv": ["-f", str(tmp_path / "kernel.json")], "env": env, "cwd": str(tmp_path)}
        )
        pid = json.loads(read_line(conn))["pid"]
        for _ in range(200):  # the kernel is up once it wrote its connection file
            if (tmp_path / "kernel.json").exists():
                break
            time.sleep(0.05)
        assert (tmp_path / "kernel.json").exists()
        os.kill(pid, 0)  # alive
        conn.close()
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"kernel {pid} outlived its executor's connection")
    finally:
        server.close()


def test_a_kernel_starts_plainly_when_the_server_cannot_fork_it() -> None:
    job = _job("threads", FORKED_PROBE)
    job = Job(**{**job.__dict__, "env": {"OMP_NUM_THREADS": "1"}})  # numpy reads it at import
    runner = ProcessRunner()
    try:
        server = _kernel_server(runner)
        refused = runner.run(job)
        os.kill(server, 9)  # a server that died: the next kernel starts plainly too
        orphaned = runner.run(_job("no-server", FORKED_PROBE))
    finally:
        runner.close()
    assert refused.status is RunStatus.COMPLETED and orphaned.status is RunStatus.COMPLETED
    assert _printed(refused)["server"] != server
    assert _printed(orphaned)["server"] != server


def _cell(source: str, role: str | None = None) -> Any:
    from gpu_runner.job import ROLE_KEY

    cell = nbformat.v4.new_code_cell(source)
    if role:
        cell.metadata[ROLE_KEY] = {"role": role}
    return cell


SERVER_OF = (
    "import os\n"
    "def server_of():\n"
    "    monitor = os.getppid()\n"
    "    return int(open(f'/proc/{monitor}/stat').read().rsplit(')', 1)[1].split()[1])\n"
)


def test_the_trusted_test_process_is_forked_too_and_a_stuck_test_costs_only_its_cell() -> None:
    cells = [
        _cell("import numpy as np\nSCALE = 2", "setup"),
        _cell("def double(v):\n    return v * SCALE"),
        _cell(SERVER_OF + "print('server', server_of())\nassert double(3) == 6", "test"),
        _cell("import os\nprint(os.environ['HOME'])", "test"),
        _cell("while True:\n    pass", "test"),  # the test cell's deadline kills the process
        _cell(SERVER_OF + "print('server', server_of())\nassert double(4) == 8", "test"),
    ]
    job = _job("tests-forked", cells=cells, cell_timeout_s=3)
    runner = ProcessRunner()
    try:
        server = _kernel_server(runner)
        out = runner.run(job)
        left = _children_of_children(server)
    finally:
        runner.close()
    statuses = [c.status for c in out.notebooks[0].cells]
    assert statuses == [CellStatus.OK] * 4 + [CellStatus.TIMEOUT, CellStatus.OK]
    graded = nbformat.reads(out.notebooks[0].notebook_json, as_version=4)
    printed = ["".join(o.get("text", "") for o in graded.cells[i].outputs) for i in (2, 5)]
    home = "".join(o.get("text", "") for o in graded.cells[3].outputs).strip()
    assert "trusted-tests-" in home and not os.path.exists(home)  # removed with the job
    assert not home.startswith("/tmp/trusted-tests-")
    assert printed == [f"server {server}\n"] * 2  # both test processes were forks
    assert left == []  # the stuck one was killed, the others exited


def _children_of_children(pid: int) -> list[int]:
    """The processes whose parent is a child of `pid` (the monitors' programs), once the
    monitors have had a moment to reap what was killed."""
    import time

    def children(of: set[int]) -> set[int]:
        found = set()
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    stat = open(f"/proc/{name}/stat").read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(stat[1]) in of:
                    found.add(int(name))
        return found

    left: set[int] = set()
    for _ in range(50):
        left = children(children({pid}))
        if not left:
            break
        time.sleep(0.1)
    return sorted(left)


def test_what_one_notebook_imports_switches_nothing_on_for_the_next() -> None:
    enable = "import sklearn.experimental.enable_halving_search_cv\nimport sklearn.linear_model"
    use = (
        "try:\n    from sklearn.model_selection import HalvingGridSearchCV\n"
        "    print('enabled')\nexcept ImportError:\n    print('fresh')\n"
    )
    runner = ProcessRunner()
    try:
        server = _kernel_server(runner)
        first = runner.run(_job("enables", enable + "\n" + SERVER_OF + "print(server_of())"))
        second = runner.run(_job("uses", use + SERVER_OF + "print(server_of())"))
    finally:
        runner.close()

    def printed(out: RunOutput) -> list[str]:
        nb = nbformat.reads(out.notebooks[0].notebook_json, as_version=4)
        return "".join(o.get("text", "") for o in nb.cells[0].outputs).split()

    assert printed(first) == [str(server)]
    assert printed(second) == ["fresh", str(server)]  # as in a fresh interpreter
