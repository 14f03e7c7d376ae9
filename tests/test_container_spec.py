"""The sandbox as data: `container_spec` is pure and checked by equality, no daemon."""

from __future__ import annotations

import dataclasses
import io
import json
import tarfile
from pathlib import Path

import pytest

from autograder.commands.image import image_plan, inputs_hash
from autograder.errors import ConfigError
from gpu_runner.job import Job, Resources
from gpu_runner.runners.docker import create_kwargs, job_archive, skeleton_archive
from gpu_runner.spec import (
    RUNNER_HASH_LABEL,
    ContainerSpec,
    GpuRequest,
    SandboxShape,
    container_spec,
    kernel_argv,
    runner_sources_hash,
    sandbox_spec,
)

JOB = Job(
    job_id="week03-alice-1a2b3c4d",
    files={"data/train.csv": b"x,y\n"},
    private={"week03.ipynb": b"{}"},
    notebooks=("week03.ipynb",),
    total_timeout_s=900,
    resources=Resources(cpus=1.5, memory_mb=3072, pids=256, scratch_mb=256),
)

KERNEL_ARGV = [
    "/bin/sh",
    "-c",
    'k=/job/kernels/"$(basename "$0")" && install -m 644 "$0" "$k" && '
    "exec setpriv --reuid=2000 --regid=2000 --clear-groups "
    '--inh-caps=-all --bounding-set=-all --no-new-privs /bin/sh -c "$1" "$k"',
    "{connection_file}",
    "echo 1000 > /proc/self/oom_score_adj; "
    "mkdir -p /tmp/work && cp -Rn /job/work/. /tmp/work/ && "
    "cd / && exec /opt/venv/bin/python -P -m ipykernel_launcher "
    '--IPKernelApp.ignore_cwd=True -f "$0"',
]

TESTS_ARGV = [
    "setpriv", "--reuid=3000", "--regid=3000", "--clear-groups",
    "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
    "/opt/venv/bin/python", "-P", "-m", "gpu_runner.testproc",
]  # fmt: skip

EXECUTOR_ENV = {
    "HOME": "/job/exec",
    "JUPYTER_PLATFORM_DIRS": "1",
    "JUPYTER_RUNTIME_DIR": "/job/exec/runtime",
    "JUPYTER_CONFIG_DIR": "/job/exec/config",
    "JUPYTER_DATA_DIR": "/job/exec/data",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def test_cpu_job_spec() -> None:
    spec = container_spec(
        JOB, image="autograder-grading:cpu-abc", owner="grader:42", owner_start="777"
    )
    assert spec == ContainerSpec(
        image="autograder-grading:cpu-abc",
        command=(
            "/opt/venv/bin/python",
            "-m",
            "gpu_runner.executor",
            "--job",
            "/job",
            "--results",
            "/job/results",
            "--scratch",
            "/tmp",
            "--kernel-argv",
            json.dumps(KERNEL_ARGV),
            "--kernel-workdir",
            "/tmp/work",
            "--tests-argv",
            json.dumps(TESTS_ARGV),
        ),  # fmt: skip
        user="0:0",
        working_dir="/job",
        env=EXECUTOR_ENV,
        labels={
            "org.autograder.runner": "docker",
            "org.autograder.job": "week03-alice-1a2b3c4d",
            "org.autograder.owner": "grader:42",
            "org.autograder.owner-start": "777",
        },
        kernel_env={},
        mem_limit_mb=3072,
        memswap_limit_mb=3072,  # no swap
        nano_cpus=1_500_000_000,
        pids_limit=256,
        tmpfs={"/tmp": "size=256m,mode=1777"},
        volume="/job",
        read_only=True,
        network_mode="none",
        cap_drop=("ALL",),
        cap_add=("KILL", "SETGID", "SETUID"),
        security_opt=("no-new-privileges",),
        init=True,
        log_max_size="1m",
        device_requests=(),
    )


def test_packed_gpu_job_spec() -> None:
    spec = container_spec(
        JOB,
        image="autograder-grading-gpu:latest",
        owner="grader:42",
        gpu_ids=("1",),
        gpu_shared=True,
        gpu_memory_fraction=0.5,
    )
    assert spec.device_requests == (
        GpuRequest(device_ids=("1",), capabilities=(("gpu",),), driver=""),
    )
    gpu_env = {
        "TF_FORCE_GPU_ALLOW_GROWTH": "true",
        "XLA_PYTHON_CLIENT_PREALLOCATE": "false",
        "XLA_PYTHON_CLIENT_MEM_FRACTION": "0.45",
    }
    assert spec.kernel_env == gpu_env
    assert spec.env == {**EXECUTOR_ENV, **gpu_env}


def test_whole_gpu_job_grows_memory_without_a_cap() -> None:
    spec = container_spec(JOB, image="i", owner="h:1", gpu_ids=("0", "3"))
    assert spec.device_requests == (GpuRequest(device_ids=("0", "3")),)
    assert spec.kernel_env == {
        "TF_FORCE_GPU_ALLOW_GROWTH": "true",
        "XLA_PYTHON_CLIENT_PREALLOCATE": "false",
    }


def test_spec_is_pure_and_frozen() -> None:
    a = container_spec(JOB, image="i", owner="h:1")
    assert a == container_spec(JOB, image="i", owner="h:1")
    assert a != container_spec(JOB, image="i", owner="h:2")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.image = "other"  # type: ignore[misc]


def test_container_started_ahead_differs_only_in_its_command_and_slot() -> None:
    shape = SandboxShape(image="autograder-grading:cpu-abc", resources=JOB.resources)
    ahead = sandbox_spec(
        shape, slot="sandbox-1", owner="grader:42", owner_start="777", wait=True, instance="r1"
    )
    cold = container_spec(
        JOB, image="autograder-grading:cpu-abc", owner="grader:42", owner_start="777"
    )
    assert ahead.command == (*cold.command, "--wait-for-job", "--kernel-env", "{}")
    assert ahead.labels == {
        **cold.labels,
        "org.autograder.job": "sandbox-1",
        "org.autograder.instance": "r1",
    }
    assert dataclasses.replace(ahead, command=cold.command, labels=cold.labels) == cold
    # a GPU slot is fixed at creation: the kernel's environment travels on the command line
    gpu = SandboxShape(
        image="i", resources=JOB.resources, gpu_ids=("1",), gpu_shared=True, gpu_memory_fraction=0.5
    )
    spec = sandbox_spec(gpu, slot="s", owner="h:1", wait=True)
    assert spec.command[-1] == json.dumps(
        {
            "TF_FORCE_GPU_ALLOW_GROWTH": "true",
            "XLA_PYTHON_CLIENT_MEM_FRACTION": "0.45",
            "XLA_PYTHON_CLIENT_PREALLOCATE": "false",
        }
    )
    assert spec.device_requests == (GpuRequest(device_ids=("1",)),)


def test_job_archive_for_a_waiting_executor_ends_with_the_ready_marker() -> None:
    with tarfile.open(fileobj=io.BytesIO(job_archive(JOB, ready=True))) as tar:
        names = [m.name for m in tar.getmembers()]
    assert names[-1] == "./ready" and "./ready" not in _names(job_archive(JOB))
    with tarfile.open(fileobj=io.BytesIO(skeleton_archive())) as tar:
        skeleton = {m.name: (m.mode, m.isdir()) for m in tar.getmembers()}
    assert skeleton == {
        "./work": (0o755, True),
        "./results": (0o700, True),
        "./exec": (0o700, True),
        "./exec/runtime": (0o700, True),
        "./kernels": (0o755, True),
    }


def _names(archive: bytes) -> list[str]:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return [m.name for m in tar.getmembers()]


def test_kernel_argv_leaves_only_the_connection_file_to_jupyter() -> None:
    argv = kernel_argv()
    assert argv == KERNEL_ARGV
    # jupyter_client substitutes every {name}; the scripts must have no other braces
    assert [a for a in argv if "{" in a] == ["{connection_file}"]


def test_create_kwargs_translates_the_spec() -> None:
    spec = container_spec(JOB, image="i", owner="h:1", gpu_ids=("2",))
    kwargs = create_kwargs(spec)
    assert kwargs["mem_limit"] == kwargs["memswap_limit"] == "3072m"
    assert kwargs["network_mode"] == "none" and kwargs["read_only"] is True
    assert kwargs["cap_drop"] == ["ALL"] and kwargs["cap_add"] == ["KILL", "SETGID", "SETUID"]
    assert kwargs["security_opt"] == ["no-new-privileges"]
    assert kwargs["tmpfs"] == {"/tmp": "size=256m,mode=1777"}
    assert [dict(m) for m in kwargs["mounts"]] == [
        {"Target": "/job", "Source": None, "Type": "volume", "ReadOnly": False}
    ]
    assert [dict(d) for d in kwargs["device_requests"]] == [
        {"Driver": "", "Count": 0, "DeviceIDs": ["2"], "Capabilities": [["gpu"]], "Options": {}}
    ]
    assert kwargs["log_config"]["Config"] == {"max-size": "1m", "max-file": "1"}
    assert kwargs["labels"]["org.autograder.job"] == JOB.job_id


def test_job_archive_layout_and_modes() -> None:
    with tarfile.open(fileobj=io.BytesIO(job_archive(JOB))) as tar:
        members = {m.name.removeprefix("./"): m for m in tar.getmembers()}
        assert json.loads(tar.extractfile(members["job.json"]).read())["job_id"] == JOB.job_id  # type: ignore[union-attr]
    modes = {name: (m.mode, m.uid, m.isdir()) for name, m in members.items()}
    assert modes["results"] == (0o700, 0, True)
    assert modes["exec"] == (0o700, 0, True)
    assert modes["kernels"] == (0o755, 0, True)
    assert modes["work"] == (0o755, 0, True)
    assert modes["work/data/train.csv"] == (0o644, 0, False)
    # the graded notebook (with its tests) is the executor's alone
    assert modes["private"] == (0o700, 0, True)
    assert modes["private/week03.ipynb"] == (0o600, 0, False)
    assert "work/week03.ipynb" not in modes


def test_job_archive_refuses_paths_that_leave_the_job() -> None:
    bad = dataclasses.replace(JOB, files={"../escape.py": b""})
    with pytest.raises(ValueError, match="unsafe path"):
        job_archive(bad)


# -- image identity: what `autograder image build` tags and labels ---------------------


def _checkout(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    (root / "docker").mkdir(parents=True)
    (root / "docker" / "Dockerfile").write_text("FROM scratch\n")
    (root / "docker" / "Dockerfile.gpu").write_text("FROM scratch\n")
    (root / "docker" / "requirements-image.txt").write_text("numpy==2.4.6\n")
    (root / "gpu_runner").mkdir()
    (root / "gpu_runner" / "executor.py").write_text("print('v1')\n")
    return root


def test_image_tags_carry_the_hash_of_their_inputs(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    plan = image_plan(root=root, base="autograder-base:bookworm")
    digest = inputs_hash(root=root, kind="cpu")
    assert plan.tags == (f"autograder-grading:cpu-{digest[:12]}", "autograder-grading:latest")
    assert plan.buildargs == {"BASE_IMAGE": "autograder-base:bookworm"}
    assert plan.labels[RUNNER_HASH_LABEL] == runner_sources_hash(root / "gpu_runner")
    gpu = image_plan(root=root, gpu=True, tag="registry.example/grading")
    assert gpu.dockerfile == "docker/Dockerfile.gpu"
    assert gpu.tags[1] == "registry.example/grading:latest" and ":gpu-" in gpu.tags[0]
    # any change to what goes in changes the tag and the runner label
    (root / "gpu_runner" / "executor.py").write_text("print('v2')\n")
    changed = image_plan(root=root, base="autograder-base:bookworm")
    assert changed.tags[0] != plan.tags[0]
    assert changed.labels[RUNNER_HASH_LABEL] != plan.labels[RUNNER_HASH_LABEL]
    (root / "docker" / "requirements-image.txt").write_text("numpy==2.4.7\n")
    assert inputs_hash(root=root, kind="cpu") != inputs_hash(root=root, kind="gpu")
    assert image_plan(root=root).tags[0] != changed.tags[0]


def test_ca_bundle_is_copied_once_and_reused(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    bundle = tmp_path / "corp-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n")
    first = image_plan(root=root, ca_bundle=bundle)
    assert first.buildargs == {"CA_BUNDLE": "corp-ca.pem"}
    assert (root / "docker" / "ca" / "corp-ca.pem").read_bytes() == bundle.read_bytes()
    renamed = tmp_path / "same-bytes.crt"
    renamed.write_bytes(bundle.read_bytes())
    assert image_plan(root=root, ca_bundle=renamed).buildargs == {"CA_BUNDLE": "corp-ca.pem"}
    with pytest.raises(ConfigError, match="no such file"):
        image_plan(root=root, ca_bundle=tmp_path / "missing.pem")
