"""The Ray executor on a real two-node Ray cluster on 127.0.0.1.

Ray binds every interface, so these tests start Ray only inside a loopback-only
network namespace: run them with ``tests/run_ray_tests.sh`` (``unshare -n``,
``lo`` up). Anywhere else they skip, saying why. Token auth is on.

The cluster: a head with 8 CPUs and 2 declared (fake) GPUs, and a worker node
with 4 CPUs and no GPU, each with its own temp dir. The GPU, spread and
node-loss tests use `HoldRunner`, a fake runner that sleeps and reports what it
saw; the batch test grades the demo course with the real ProcessRunner both
ways and compares the results.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Token auth on, for the nodes and for this driver: Ray reads the mode at import.
os.environ.setdefault("RAY_AUTH_MODE", "token")
os.environ.setdefault("RAY_AUTH_TOKEN", secrets.token_hex(32))
ray = pytest.importorskip("ray", reason="the Ray extra is not installed: pip install -e '.[ray]'")

from gpu_runner.executors import RunnerRecipe, recipe_of, wrap_executor  # noqa: E402
from gpu_runner.executors.network import isolation_problem  # noqa: E402
from gpu_runner.executors.ray_executor import RayExecutor  # noqa: E402
from gpu_runner.executors.ray_local import LocalNode, start_local_node  # noqa: E402
from gpu_runner.job import Job, Resources, RunOutput, RunStatus  # noqa: E402
from gpu_runner.runners import ProcessRunner, Runner  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
HOLD = f"{__name__}:HoldRunner"


class HoldRunner(Runner):
    """Fake runner: holds its slot for `hold_s` and reports where and with which GPUs."""

    name = "hold"

    def __init__(self, *, hold_s: float = 1.0, mark_dir: str = "") -> None:
        self.hold_s = hold_s
        self.mark_dir = mark_dir

    def run(self, job: Job) -> RunOutput:
        import ray as _ray

        start = time.time()
        node = _ray.get_runtime_context().get_node_id()
        if self.mark_dir:  # tell the test this job is running, and where
            Path(self.mark_dir, f"{job.job_id}.{node}").touch()
        time.sleep(self.hold_s)
        seen = {
            "gpu_ids": list(job.gpu_ids),
            "cuda": os.environ.get("CUDA_VISIBLE_DEVICES"),
            "node": node,
            "start": start,
            "end": time.time(),
        }
        return RunOutput(job_id=job.job_id, status=RunStatus.COMPLETED, message=json.dumps(seen))


def nap(seconds: float) -> None:
    time.sleep(seconds)


@dataclass
class Cluster:
    head: LocalNode
    worker: LocalNode
    head_id: str
    worker_id: str


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    problem = isolation_problem()
    if problem:
        pytest.skip(f"Ray tests need an isolated network: {problem}; use tests/run_ray_tests.sh")
    env = {
        "RAY_AUTH_MODE": os.environ["RAY_AUTH_MODE"],
        "RAY_AUTH_TOKEN": os.environ["RAY_AUTH_TOKEN"],
        # the workers import this module (HoldRunner) and the project
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(REPO), str(REPO / "tests"), os.environ.get("PYTHONPATH")])
        ),
        # notice a lost node in ~3 s instead of ~30 s
        "RAY_health_check_period_ms": "1000",
        "RAY_health_check_timeout_ms": "1000",
        "RAY_health_check_failure_threshold": "3",
        "RAY_health_check_initial_delay_ms": "1000",
    }
    os.environ.update(env)  # the driver needs the same token
    root = tmp_path_factory.mktemp("ray")
    head = start_local_node(
        temp_dir=root / "head", port_base=26300, num_cpus=8, num_gpus=2, env=env
    )
    try:
        worker = start_local_node(
            temp_dir=root / "worker", port_base=27300, head_address=head.address, num_cpus=4,
            env=env,
        )  # fmt: skip
        ray.init(address=head.address, namespace="autograder-tests", log_to_driver=False)
        deadline = time.monotonic() + 120
        while len([n for n in ray.nodes() if n["Alive"]]) < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        nodes = {n["NodeID"]: n for n in ray.nodes() if n["Alive"]}
        gpu_nodes = [k for k, n in nodes.items() if n["Resources"].get("GPU")]
        assert len(nodes) == 2 and len(gpu_nodes) == 1, nodes
        head_id = gpu_nodes[0]
        worker_id = next(k for k in nodes if k != head_id)
        # start one worker process per CPU now: on a busy machine a cold start takes
        # seconds, which would serialise the jobs of the concurrency tests
        warm = ray.remote(nap).options(num_cpus=1, scheduling_strategy="SPREAD")
        ray.get([warm.remote(2.0) for _ in range(12)], timeout=300)
        yield Cluster(head=head, worker=worker, head_id=head_id, worker_id=worker_id)
    finally:
        if ray.is_initialized():
            ray.shutdown()
        for node in (locals().get("worker"), head):
            if node is not None:
                node.kill()


def job(job_id: str, *, cpus: float = 1.0, gpus: float = 0.0, optional: bool = True) -> Job:
    return Job(
        job_id=job_id,
        files={"a.ipynb": b"{}"},
        notebooks=("a.ipynb",),
        total_timeout_s=60,
        resources=Resources(cpus=cpus, gpus=gpus, gpu_optional=optional, memory_mb=128),
    )


def executor(hold_s: float = 1.0, mark_dir: str = "", **options: Any) -> RayExecutor:
    recipe = RunnerRecipe(HOLD, {"hold_s": hold_s, "mark_dir": mark_dir})
    runner = wrap_executor("ray", recipe, **options)
    assert isinstance(runner, RayExecutor)
    runner.prepare()
    return runner


def run_all(runner: Runner, jobs: list[Job]) -> list[RunOutput]:
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(runner.run, jobs))


def seen(output: RunOutput) -> dict[str, Any]:
    assert output.status is RunStatus.COMPLETED, output
    data: dict[str, Any] = json.loads(output.message)
    return data


def peak_overlap(spans: list[tuple[float, float]]) -> int:
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    peak = now = 0
    for _, step in events:
        now += step
        peak = max(peak, now)
    return peak


# -- no cluster needed ------------------------------------------------------------


def test_recipe_keeps_non_default_options_and_rebuilds_the_runner() -> None:
    recipe = recipe_of(ProcessRunner(kill_grace_s=3.0))
    assert recipe == RunnerRecipe("process", {"kill_grace_s": 3.0})
    rebuilt = recipe.build()
    assert isinstance(rebuilt, ProcessRunner) and rebuilt.kill_grace_s == 3.0
    assert recipe_of(HoldRunner(hold_s=2.5)) == RunnerRecipe(HOLD, {"hold_s": 2.5})
    assert wrap_executor("local", ProcessRunner()).name == "process"
    with pytest.raises(ValueError, match="unknown executor"):
        wrap_executor("slurm", ProcessRunner())


@pytest.mark.parametrize("name", ["aws", "azure"])
def test_example_cluster_configs_are_valid_and_locked_down(name: str) -> None:
    import yaml
    from ray.autoscaler._private.util import prepare_config, validate_config

    raw = yaml.safe_load((REPO / "docs" / "ray" / f"{name}.yaml").read_text())
    config = prepare_config(raw)
    validate_config(config)  # Ray's own cluster-config schema
    gpu = config["available_node_types"]["gpu"]
    assert gpu["resources"]["GPU"] >= 1 and gpu["min_workers"] == 0 and gpu["max_workers"] >= 16
    starts = " ".join(config["head_start_ray_commands"] + config["worker_start_ray_commands"])
    assert starts.count("RAY_AUTH_MODE=token") == 2 and "--dashboard-host=127.0.0.1" in starts
    assert "~/.ray/auth_token" in config["file_mounts"]
    assert any("docker pull" in c for c in config["initialization_commands"])
    if name == "aws":
        rules = config["provider"]["security_group"]["IpPermissions"]
        assert [r["FromPort"] for r in rules] == [22]  # nothing of Ray's open to the outside


# -- on the cluster ---------------------------------------------------------------


def test_whole_gpu_jobs_get_distinct_device_ids(cluster: Cluster) -> None:
    runner = executor(hold_s=5.0)
    outputs = run_all(runner, [job("g1", gpus=1), job("g2", gpus=1)])
    views = [seen(o) for o in outputs]
    assert sorted(tuple(v["gpu_ids"]) for v in views) == [("0",), ("1",)]
    assert [v["cuda"] for v in views] == [",".join(v["gpu_ids"]) for v in views]
    assert {v["node"] for v in views} == {cluster.head_id}  # the only node with GPUs
    assert peak_overlap([(v["start"], v["end"]) for v in views]) == 2
    assert {p.gpu_ids for p in runner.placements.values()} == {("0",), ("1",)}


def test_quarter_gpu_jobs_pack_four_per_gpu(cluster: Cluster) -> None:
    runner = executor(hold_s=8.0)
    jobs = [job(f"q{i}", cpus=0.5, gpus=0.25) for i in range(10)]
    views = [seen(o) for o in run_all(runner, jobs)]
    spans: dict[str, list[tuple[float, float]]] = {}
    for v in views:
        assert len(v["gpu_ids"]) == 1 and v["node"] == cluster.head_id
        spans.setdefault(v["gpu_ids"][0], []).append((v["start"], v["end"]))
    assert sorted(spans) == ["0", "1"]
    peaks = {gpu: peak_overlap(s) for gpu, s in spans.items()}
    assert max(peaks.values()) == 4 and all(p <= 4 for p in peaks.values()), peaks


def test_cpu_jobs_never_take_gpu_slots(cluster: Cluster) -> None:
    runner = executor(hold_s=6.0)
    fast = executor(hold_s=0.2)
    with ThreadPoolExecutor(max_workers=6) as pool:
        busy = [pool.submit(runner.run, job(f"b{i}", cpus=0.5, gpus=1)) for i in range(2)]
        time.sleep(2.5)  # both GPUs are now held
        cpu = list(pool.map(fast.run, [job(f"c{i}", cpus=0.5) for i in range(3)]))
        views_gpu = [seen(f.result()) for f in busy]
    for v in map(seen, cpu):
        assert v["gpu_ids"] == [] and not v["cuda"]
        assert v["end"] < min(g["end"] for g in views_gpu)  # ran while every GPU was taken


def test_required_gpu_the_cluster_lacks_fails_fast(cluster: Cluster) -> None:
    runner = executor()
    started = time.monotonic()
    out = runner.run(job("big", gpus=4, optional=False))
    assert out.status is RunStatus.INFRA_ERROR and "no node of the Ray cluster" in out.message
    assert time.monotonic() - started < 5
    fallback = runner.run(job("cpu-ok", gpus=4, optional=True))
    assert seen(fallback)["gpu_ids"] == []
    assert runner.placements["cpu-ok"].gpu_ids == ()


def test_job_no_node_can_take_is_reported_after_the_pending_timeout(cluster: Cluster) -> None:
    runner = executor(pending_timeout_s=4, poll_s=0.5)
    started = time.monotonic()
    out = runner.run(job("huge", cpus=64))
    assert (
        out.status is RunStatus.INFRA_ERROR and "no Ray node took the job within 4 s" in out.message
    )
    assert "64 CPU" in out.message and 4 <= time.monotonic() - started < 30


def test_jobs_spread_over_both_nodes(cluster: Cluster) -> None:
    runner = executor(hold_s=2.0)
    outputs = run_all(runner, [job(f"s{i}") for i in range(8)])
    nodes = [seen(o)["node"] for o in outputs]
    assert set(nodes) == {cluster.head_id, cluster.worker_id}


def test_results_identical_to_the_local_executor(
    cluster: Cluster, fresh_course: Any, tmp_path: Path
) -> None:
    import nbformat

    from autograder.course import Course
    from autograder.grading import grade_week
    from autograder.submissions import collect_local
    from tests.conftest import filled

    course = fresh_course
    inbox = tmp_path / "inbox"
    answers = {
        "ann": {},
        "ben": {"mean": "def mean(xs):\n    return 0"},
        "cho": {"squares": "x = ("},
    }
    for login, ans in answers.items():
        (inbox / login).mkdir(parents=True)
        nbformat.write(filled(course, ans), inbox / login / "demo01.ipynb")
    collect_local(course, "demo01", inbox)
    course = Course(course.root)

    def comparable(results: list[Any]) -> dict[str, Any]:
        out = {}
        for r in results:
            d = r.to_dict()
            for volatile in ("runtime_s", "graded_at"):
                d.pop(volatile, None)
            out[r.student] = d
        return out

    local = grade_week(course, "demo01", runner=ProcessRunner(), jobs=2, force=True)
    via_ray = wrap_executor("ray", ProcessRunner())
    remote = grade_week(course, "demo01", runner=via_ray, jobs=3, force=True)
    assert local.errors == [] and remote.errors == []
    assert comparable(remote.graded) == comparable(local.graded)
    scores = {r.student: r.score for r in remote.graded}
    detail = {r.student: [(t.id, t.status) for t in r.tests] for r in remote.graded}
    assert scores["ann"] > scores["ben"] and scores["ann"] > scores["cho"], detail
    assert all(r.runner == "process" for r in remote.graded)


def test_node_killed_mid_batch_loses_no_submission(cluster: Cluster, tmp_path: Path) -> None:
    """Last: it kills the worker node."""
    runner = executor(hold_s=10.0, mark_dir=str(tmp_path), max_retries=3)
    jobs = [job(f"k{i}") for i in range(12)]  # one per CPU of the cluster
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [pool.submit(runner.run, j) for j in jobs]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait until jobs run on the worker node
            if len(list(tmp_path.glob(f"*.{cluster.worker_id}"))) >= 2:
                break
            time.sleep(0.2)
        killed_at = time.time()
        cluster.worker.kill()
        outputs = [f.result(timeout=240) for f in futures]
    views = {o.job_id: seen(o) for o in outputs}  # every job completed: none lost, none an error
    assert set(views) == {j.job_id for j in jobs}
    rerun = {k for k, p in runner.placements.items() if p.attempt >= 2}
    assert rerun, (
        "no job ran again",
        sorted(p.name for p in tmp_path.iterdir()),
        runner.placements,
    )
    for job_id, v in views.items():
        if v["node"] == cluster.worker_id:
            assert v["end"] < killed_at  # finished before the node died
        if job_id in rerun:
            assert v["node"] == cluster.head_id and v["start"] > killed_at
    assert cluster.worker_id not in {n["NodeID"] for n in ray.nodes() if n["Alive"]}
