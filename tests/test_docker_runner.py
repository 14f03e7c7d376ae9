"""DockerRunner against real containers: grading, parity with ProcessRunner, the sandbox.

Every test that needs a daemon starts with `require_docker()`: skipped on a
machine without Docker, a failure in CI. The image is ``AUTOGRADER_TEST_IMAGE``
(default autograder-grading:latest, built with ``autograder image build``).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import nbformat
import pytest

from autograder.course import Course
from autograder.grading import grade_single, grade_week
from gpu_runner.job import Job, Resources, RunStatus
from gpu_runner.runners import ProcessRunner, RunnerUnavailable
from gpu_runner.runners.docker import DockerRunner
from gpu_runner.spec import INSTANCE_LABEL, OWNER_LABEL, RUNNER_HASH_LABEL
from tests.conftest import REPO, filled, require_docker

IMAGE = os.environ.get("AUTOGRADER_TEST_IMAGE", "autograder-grading:latest")


@pytest.fixture(scope="module")
def runner() -> Any:
    require_docker()
    docker_runner = DockerRunner(image=IMAGE, gpus="none")
    docker_runner.prepare()
    yield docker_runner
    docker_runner.close()


def notebook(*sources: str) -> bytes:
    cells = [nbformat.v4.new_code_cell(textwrap.dedent(s)) for s in sources]
    return nbformat.writes(nbformat.v4.new_notebook(cells=cells)).encode()


def verdicts(output: Any) -> dict[str, Any]:
    """`VERDICT {json}` lines printed by the cells of the job's first notebook."""
    found: dict[str, Any] = {}
    for cell in json.loads(output.notebooks[0].notebook_json)["cells"]:
        for out in cell.get("outputs", []):
            for line in "".join(out.get("text", "")).splitlines():
                if line.startswith("VERDICT "):
                    found.update(json.loads(line.removeprefix("VERDICT ")))
    return found


def owned_containers(runner: DockerRunner) -> list[Any]:
    """This runner's containers (other runners of this process keep their own started)."""
    return runner.client.containers.list(
        all=True,
        filters={"label": [f"{OWNER_LABEL}={runner.owner}", f"{INSTANCE_LABEL}={runner.instance}"]},
    )


def summary(result: Any) -> tuple:
    return (
        result.status,
        result.score,
        result.run_status,
        [(t.id, t.status, t.points) for t in result.tests],
        sorted(result.flag_texts()),
    )


# -- grading: same results as the process runner --------------------------------------

CASES = {
    "correct": {},
    "partial": {
        "mean": "def mean(xs):\n    return sum(xs) / len(xs)",  # fails the hidden test
        "count_words": "def count_words(text):\n    return {}",
    },
    "kernel-killed": {"mean": "import os\nos._exit(0)"},
    "stderr-in-test": {
        "squares": "import sys\ndef squares(n):\n    print('debug', file=sys.stderr)\n"
        "    return [i * i for i in range(n)]"
    },
}


@pytest.mark.parametrize("case", list(CASES))
def test_same_results_as_process_runner(
    case: str, demo_course: Course, runner: DockerRunner
) -> None:
    require_docker()
    files = {"demo01.ipynb": nbformat.writes(filled(demo_course, CASES[case])).encode()}
    in_docker = grade_single(demo_course, "demo01", login="s1", files=files, runner=runner)
    in_process = grade_single(
        demo_course, "demo01", login="s1", files=files, runner=ProcessRunner()
    )
    assert in_docker.runner == "docker" and in_process.runner == "process"
    assert summary(in_docker) == summary(in_process)
    if case == "correct":
        assert in_docker.score == in_docker.max_score == 6.0
        assert in_docker.flags == () and in_docker.problems == ()
    if case == "kernel-killed":
        assert in_docker.run_status == "kernel_died" and in_docker.flags
    assert owned_containers(runner) == []


# -- tampering with the kernel ---------------------------------------------------------

TAMPER = {
    "run_cell": """
        import functools
        _ip = get_ipython()
        _ip.showtraceback = lambda *a, **k: None
        _orig_async, _orig_sync = _ip.run_cell_async, _ip.run_cell
        def _clean(res):
            res.error_in_exec = None
            res.error_before_exec = None
            return res
        @functools.wraps(_orig_async)
        async def _run_cell_async(*a, **k):
            return _clean(await _orig_async(*a, **k))
        _ip.run_cell_async = _run_cell_async
        _ip.run_cell = functools.wraps(_orig_sync)(lambda *a, **k: _clean(_orig_sync(*a, **k)))
    """,
    "do_execute": """
        _kernel = get_ipython().kernel
        _orig = _kernel.do_execute
        async def _always_ok(*a, **k):
            reply = _orig(*a, **k)
            if hasattr(reply, "__await__"):
                reply = await reply
            reply = dict(reply)
            reply["status"] = "ok"
            return reply
        _kernel.do_execute = _always_ok
        get_ipython().showtraceback = lambda *a, **k: None
    """,
    "showtraceback": """
        get_ipython().showtraceback = lambda *a, **k: None
    """,
    "set_custom_exc": """
        get_ipython().set_custom_exc(
            (BaseException,), lambda shell, etype, value, tb, tb_offset=None: None
        )
    """,
}


@pytest.mark.parametrize("patch", list(TAMPER))
def test_tampered_kernel_changes_no_verdict(
    patch: str, demo_course: Course, runner: DockerRunner
) -> None:
    """Tests run outside the kernel: patching it leaves every verdict as earned."""
    require_docker()
    answers = {
        "squares": textwrap.dedent(TAMPER[patch])
        + "\ndef squares(n):\n    return [i * i for i in range(n)]",
        "mean": "def mean(xs):\n    return 0",
        "count_words": "def count_words(text):\n    return {}",
    }
    files = {"demo01.ipynb": nbformat.writes(filled(demo_course, answers)).encode()}
    result = grade_single(demo_course, "demo01", login="cheater", files=files, runner=runner)
    assert result.status == "graded" and result.run_status == "completed"
    assert {t.id: t.points for t in result.tests} == {
        "test_squares": 2.0,
        "test_mean": 0.0,
        "test_count_words": 0.0,
    }


# -- the sandbox -------------------------------------------------------------------------


class Listener:
    """A TCP listener on the host's loopback that records every connection."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


HOSTILE = [
    # network: the host's loopback, DNS, interfaces
    """
    import json, os, socket
    v = {}
    try:
        socket.create_connection(("127.0.0.1", PORT), timeout=3).close()
        v["loopback"] = "connected"
    except OSError as e:
        v["loopback"] = type(e).__name__
    try:
        socket.getaddrinfo("pypi.org", 443)
        v["dns"] = "resolved"
    except OSError as e:
        v["dns"] = type(e).__name__
    v["interfaces"] = sorted(name for _, name in socket.if_nameindex())
    print("VERDICT", json.dumps({"network": v}))
    """,
    # what the container holds: no course files, nothing of the host (/tmp starts empty)
    """
    suspicious = []
    for root, dirs, files in os.walk("/", onerror=lambda e: None):
        if root in ("/proc", "/sys", "/dev"):
            dirs[:] = []
            continue
        for name in dirs + files:
            path = os.path.join(root, name)
            if (
                name in ("solutions", "hidden", "assignment.toml", "course.toml", "gradebook.db")
                or name.endswith((".ipynb", ".db", ".sqlite"))
            ) and not path.startswith(("/job/work/", "/tmp/")):  # /tmp: the kernel's own
                suspicious.append(path)
    v = {
        "suspicious": suspicious,
        "host_paths": [p for p in HOST_PATHS if os.path.exists(p)],
        "job_files": sorted(
            os.path.relpath(os.path.join(r, f), "/job/work")
            for r, _, fs in os.walk("/job/work") for f in fs
        ),
        "cwd": os.getcwd(),
        "uid": os.getuid(),
        "cap_eff": open("/proc/self/status").read().split("CapEff:")[1].split()[0],
    }
    print("VERDICT", json.dumps({"files": v}))
    """,
    # the executor's results and everything else that is not the tmpfs
    """
    v = {}
    for path in ("/job/results/result.json", "/job/results/x", "/job/exec/x", "/job/work/x",
                 "/job/job.json", "/opt/autograder/gpu_runner/executor.py", "/etc/passwd", "/x"):
        try:
            with open(path, "a") as fh:
                fh.write("pwned")
            v[path] = "written"
        except OSError as e:
            v[path] = type(e).__name__
    try:
        os.listdir("/job/results")
        v["list_results"] = "listed"
    except OSError as e:
        v["list_results"] = type(e).__name__
    with open("scratch.txt", "w") as fh:  # the working folder is writable (on the tmpfs)
        v["cwd_write"] = fh.write("ok")
    print("VERDICT", json.dumps({"writes": v}))
    """,
    # signals: the executor (parent), init, any process not ours
    """
    import signal
    v = {}
    for name, pid in (("parent", os.getppid()), ("init", 1)):
        try:
            os.kill(pid, signal.SIGKILL)
            v[name] = "sent"
        except OSError as e:
            v[name] = type(e).__name__
    sent = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                if os.stat(f"/proc/{entry}").st_uid != os.getuid():
                    os.kill(int(entry), signal.SIGTERM)
                    sent.append(int(entry))
            except OSError:
                pass
    v["others"] = sent
    print("VERDICT", json.dumps({"signals": v}))
    """,
    # fill the disk
    """
    written, err = 0, None
    try:
        with open("/tmp/fill.bin", "wb") as fh:
            while written < 2**30:
                fh.write(b"\\1" * 2**20)
                fh.flush()
                written += 2**20
    except OSError as e:
        err = e.errno
    finally:
        os.remove("/tmp/fill.bin")
    print("VERDICT", json.dumps({"disk": {"written_mb": written // 2**20, "errno": err}}))
    """,
    # fork bomb (children sleep; the cap stops it)
    """
    import time
    pids, err = [], None
    for _ in range(100000):
        try:
            pid = os.fork()
        except OSError as e:
            err = type(e).__name__
            break
        if pid == 0:
            time.sleep(600)
            os._exit(0)
        pids.append(pid)
    for pid in pids:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    print("VERDICT", json.dumps({"fork": {"forks": len(pids), "error": err}}))
    """,
    """
    print("VERDICT", json.dumps({"alive": True}))
    """,
    # output flood: notebook output and the raw file descriptors
    """
    for i in range(3000):
        print("x" * 1000)
    os.write(1, b"y" * 5 * 2**20)
    os.write(2, b"z" * 5 * 2**20)
    """,
]


@pytest.fixture(scope="module")
def hostile_run(demo_course: Course) -> Any:
    require_docker()
    runner = DockerRunner(image=IMAGE, gpus="none")
    listener = Listener()
    host_paths = [str(REPO), str(demo_course.root), str(demo_course.root.parent)]
    cells = [
        c.replace("PORT", str(listener.port)).replace("HOST_PATHS", repr(host_paths))
        for c in HOSTILE
    ]
    job = Job(
        job_id=f"hostile-{uuid.uuid4().hex[:8]}",
        files={"hostile.ipynb": notebook(*cells), "data/public.csv": b"a,b\n1,2\n"},
        notebooks=("hostile.ipynb",),
        cell_timeout_s=60,
        total_timeout_s=240,
        output_limit_bytes=100_000,
        resources=Resources(memory_mb=1024, pids=128, scratch_mb=64, gpus=0.5),
    )
    started = time.monotonic()
    output = runner.run(job)
    listener.close()
    runner.close()  # removals finish; containers started ahead are discarded
    return {
        "output": output,
        "verdicts": verdicts(output),
        "connections": listener.connections,
        "job": job,
        "wall_s": time.monotonic() - started,
        "leftovers": owned_containers(runner),
    }


def test_hostile_notebook_completes_and_leaves_nothing(hostile_run: dict) -> None:
    require_docker()
    output = hostile_run["output"]
    assert output.status is RunStatus.COMPLETED, output.message
    assert hostile_run["verdicts"].get("alive") is True  # the kernel survived its own attacks
    assert hostile_run["leftovers"] == []
    # a week that wants a GPU but allows the CPU runs on the CPU here, with a note
    assert "CPU" in output.message


def test_no_network_not_even_the_hosts_loopback(hostile_run: dict) -> None:
    require_docker()
    net = hostile_run["verdicts"]["network"]
    assert net["loopback"] != "connected" and net["dns"] != "resolved"
    assert net["interfaces"] == ["lo"]
    assert hostile_run["connections"] == 0


def test_only_the_job_files_are_visible(hostile_run: dict) -> None:
    require_docker()
    files = hostile_run["verdicts"]["files"]
    assert files["suspicious"] == []
    assert files["host_paths"] == []
    assert files["job_files"] == sorted(hostile_run["job"].files)
    assert files["cwd"] == "/tmp/work" and files["uid"] == 2000
    assert files["cap_eff"] == "0000000000000000"


def test_kernel_cannot_write_results_or_outside_the_tmpfs(hostile_run: dict) -> None:
    require_docker()
    writes = hostile_run["verdicts"]["writes"]
    assert writes.pop("cwd_write") == 2
    assert writes.pop("list_results") == "PermissionError"
    assert "written" not in writes.values(), writes
    assert hostile_run["output"].job_id == hostile_run["job"].job_id  # our result, intact


def test_kernel_cannot_signal_the_executor(hostile_run: dict) -> None:
    require_docker()
    sig = hostile_run["verdicts"]["signals"]
    assert sig["parent"] == "PermissionError" and sig["init"] == "PermissionError"
    assert sig["others"] == []


def test_disk_is_capped_by_the_tmpfs(hostile_run: dict) -> None:
    require_docker()
    disk = hostile_run["verdicts"]["disk"]
    assert disk["errno"] == 28  # ENOSPC
    assert disk["written_mb"] <= 64


def test_fork_bomb_hits_the_pids_cap(hostile_run: dict) -> None:
    require_docker()
    fork = hostile_run["verdicts"]["fork"]
    assert fork["error"] == "BlockingIOError"
    assert 0 < fork["forks"] < 128


def test_output_flood_is_capped_and_marked(hostile_run: dict) -> None:
    require_docker()
    output = hostile_run["output"]
    assert output.output_truncated
    assert len(output.notebooks[0].notebook_json) < 400_000
    assert "[autograder: output truncated]" in output.notebooks[0].notebook_json


def test_cell_timeout_interrupts_the_kernel_and_the_notebook_goes_on(runner: DockerRunner) -> None:
    require_docker()
    job = Job(
        job_id=f"cell-timeout-{uuid.uuid4().hex[:8]}",
        files={
            "loop.ipynb": notebook("while True:\n    pass", "print('VERDICT', '{\"after\": 1}')")
        },
        notebooks=("loop.ipynb",),
        cell_timeout_s=3,
        total_timeout_s=120,
    )
    output = runner.run(job)
    assert output.status is RunStatus.COMPLETED, output.message
    assert [c.status.value for c in output.notebooks[0].cells] == ["timeout", "ok"]
    assert verdicts(output) == {"after": 1}


def test_timeout_kills_the_container_and_everything_in_it() -> None:
    require_docker()
    runner = DockerRunner(image=IMAGE, gpus="none", kill_grace_s=2)
    job = Job(
        job_id=f"timeout-{uuid.uuid4().hex[:8]}",
        files={
            "slow.ipynb": notebook(
                "import subprocess\nsubprocess.Popen(['sleep', '1000'], start_new_session=True)",
                "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
            )
        },
        notebooks=("slow.ipynb",),
        cell_timeout_s=60,
        total_timeout_s=5,
    )
    started = time.monotonic()
    output = runner.run(job)
    elapsed = time.monotonic() - started
    assert output.status is RunStatus.TIMEOUT
    assert elapsed < 5 + 2 + 30
    runner.close()
    assert owned_containers(runner) == []  # the detached sleeper went with it


def test_memory_bomb_is_reported_and_the_batch_goes_on(fresh_course: Course) -> None:
    require_docker()
    bomb = "_hog = []\nwhile True:\n    _hog.append(b'x' * (64 * 2**20))"
    for login, answers in (("bomber", {"mean": bomb}), ("good", {})):
        folder = fresh_course.submission_dir("demo01", login)
        folder.mkdir(parents=True)
        nbformat.write(filled(fresh_course, answers), folder / "demo01.ipynb")
    runner = DockerRunner(image=IMAGE, gpus="none")
    report = grade_week(fresh_course, "demo01", runner=runner, jobs=2)
    results = {r.student: r for r in report.graded}
    assert set(results) == {"bomber", "good"} and report.errors == []
    assert results["good"].score == 6.0
    bomber = results["bomber"]
    assert bomber.run_status == "memory_limit"
    assert any("memory limit exceeded" in p for p in bomber.problem_texts())
    assert {t.id: t.status for t in bomber.tests}["test_squares"] == "passed"
    assert owned_containers(runner) == []


# -- cleanup after a crashed coordinator --------------------------------------------

CRASHING_COORDINATOR = """
import sys, nbformat
from gpu_runner.job import Job
from gpu_runner.runners.docker import DockerRunner
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time\\ntime.sleep(600)")])
runner = DockerRunner(image=sys.argv[1], gpus="none")
runner.prepare()
runner.run(Job(job_id="orphan-" + sys.argv[2], files={"a.ipynb": nbformat.writes(nb).encode()},
               notebooks=("a.ipynb",), total_timeout_s=600))
"""


def test_leftovers_of_a_killed_coordinator_are_removed_at_the_next_start() -> None:
    require_docker()
    tag = uuid.uuid4().hex[:8]
    child = subprocess.Popen([sys.executable, "-c", CRASHING_COORDINATOR, IMAGE, tag], cwd=REPO)
    observer = DockerRunner(image=IMAGE, gpus="none")

    def childs() -> list[Any]:  # the job's container and those it started ahead
        return observer.containers(owner=f"{observer.hostname}:{child.pid}")

    try:
        deadline = time.monotonic() + 90
        running: list[Any] = []
        while time.monotonic() < deadline and len(running) < 2:
            running = [c for c in childs() if c.status == "running"]
            time.sleep(0.5)
        assert len(running) >= 2, "the child never started its containers"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        assert {c.status for c in childs()} == {"running"}
        DockerRunner(image=IMAGE, gpus="none").prepare()  # the next coordinator
        assert childs() == []
    finally:
        if child.poll() is None:
            child.kill()
        for c in childs():
            c.remove(force=True, v=True)
        observer.close()


# -- prepare() and daemon errors -------------------------------------------------------


def test_prepare_without_a_daemon_says_so(tmp_path: Path) -> None:
    runner = DockerRunner(base_url=f"unix://{tmp_path}/no-such.sock", gpus="none")
    with pytest.raises(RunnerUnavailable, match="no Docker daemon answers"):
        runner.prepare()


def test_prepare_with_a_missing_image_says_how_to_build_it() -> None:
    require_docker()
    runner = DockerRunner(image="autograder-grading:no-such-tag", gpus="none")
    with pytest.raises(RunnerUnavailable, match="autograder image build"):
        runner.prepare()


def test_prepare_refuses_a_stale_image() -> None:
    require_docker()
    import io

    client = DockerRunner(image=IMAGE, gpus="none").client
    tag = f"autograder-test-stale:{uuid.uuid4().hex[:8]}"
    client.images.build(
        fileobj=io.BytesIO(f"FROM {IMAGE}\n".encode()),
        tag=tag,
        labels={RUNNER_HASH_LABEL: "0" * 64},
        network_mode="none",
        rm=True,
    )
    try:
        with pytest.raises(RunnerUnavailable, match="stale"):
            DockerRunner(image=tag, gpus="none").prepare()
        DockerRunner(image=tag, gpus="none", allow_stale_image=True).prepare()
    finally:
        client.images.remove(tag, force=True)


class _Broken:
    """A daemon that lists and inspects fine but fails to create containers."""

    class _Images:
        def get(self, name: str) -> Any:
            return type("Image", (), {"labels": {}})()

    class _Containers:
        def list(self, **kw: Any) -> list:
            return []

        def create(self, **kw: Any) -> Any:
            from docker.errors import APIError  # type: ignore[import-not-found]

            raise APIError("500 Server Error: the daemon fell over")

    images = _Images()
    containers = _Containers()

    def close(self) -> None:
        pass


def test_daemon_error_during_a_job_is_an_infra_error_not_the_students() -> None:
    runner = DockerRunner(image="any", gpus="none", client=_Broken())  # type: ignore[arg-type]
    runner.prepare()
    job = Job(job_id="j1", files={"a.ipynb": notebook("1")}, notebooks=("a.ipynb",))
    output = runner.run(job)
    assert output.status is RunStatus.INFRA_ERROR
    assert "daemon fell over" in output.message and output.runner == "docker"


def test_required_gpu_on_a_machine_without_one_fails_fast() -> None:
    runner = DockerRunner(image="any", gpus="none", client=_Broken())  # type: ignore[arg-type]
    runner.prepare()
    job = Job(
        job_id="gpu-job",
        files={"a.ipynb": notebook("1")},
        notebooks=("a.ipynb",),
        resources=Resources(gpus=1, gpu_optional=False),
    )
    started = time.monotonic()
    output = runner.run(job)
    assert time.monotonic() - started < 5
    assert output.status is RunStatus.INFRA_ERROR
    assert "needs 1 GPU(s) but this machine has 0" in output.message
    assert "gpu_optional" in output.message
