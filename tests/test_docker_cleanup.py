"""Graders sharing one Docker daemon: leftover cleanup while containers (and their volumes)
vanish under it, removed by another grader at the same moment. Real daemon, no fakes."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from typing import Any

import pytest
from docker.errors import APIError, NotFound  # type: ignore[import-not-found]
from docker.types import Mount  # type: ignore[import-not-found]

from gpu_runner.runners.docker import DockerRunner
from gpu_runner.spec import JOB_LABEL, OWNER_LABEL, OWNER_START_LABEL, RUNNER_LABEL
from tests.conftest import require_docker

pytestmark = pytest.mark.docker

IMAGE = os.environ.get("AUTOGRADER_TEST_IMAGE", "autograder-grading:latest")
ROUNDS = 4
PER_ROUND = 8


def dead_owner(runner: DockerRunner) -> str:
    """A pid on this host that is not running (so its containers are leftovers)."""
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return f"{runner.hostname}:{pid}"
        except PermissionError:
            pass
        pid -= 1


def make_leftovers(runner: DockerRunner, tag: str, owner: str, n: int) -> list[Any]:
    return [
        runner.client.containers.create(
            IMAGE,
            command=["true"],
            labels={
                RUNNER_LABEL: "docker",
                JOB_LABEL: f"cleanup-{tag}",
                OWNER_LABEL: owner,
                OWNER_START_LABEL: "",
            },
            mounts=[Mount(target="/job", source=None, type="volume")],
            network_disabled=True,
        )
        for _ in range(n)
    ]


def step(barrier: threading.Barrier, action: Any, errors: list[BaseException]) -> None:
    barrier.wait()
    try:
        action()
    except BaseException as exc:  # noqa: BLE001 - collected and asserted by the test
        errors.append(exc)


def vanish(containers: list[Any]) -> None:
    """Another client removes the containers, volumes included, at the same moment."""
    for container in containers:
        try:
            container.remove(force=True, v=True)
        except (NotFound, APIError):
            pass


def test_two_graders_cleaning_up_at_once_never_break_each_other() -> None:
    require_docker()
    tag = uuid.uuid4().hex[:8]
    graders = [DockerRunner(image=IMAGE, gpus="none", allow_stale_image=True) for _ in range(2)]
    live = make_leftovers(graders[0], tag, graders[0].owner, 1)[0]  # a running grader's own
    # a grader in another pid namespace (a container) with the same host name: its pids
    # mean nothing here, so its containers are never taken for leftovers
    dead_pid = dead_owner(graders[0]).rpartition(":")[2]
    foreign = f"{socket.gethostname()}/pidns-1:{dead_pid}"
    assert graders[0].hostname != foreign.rpartition(":")[0]
    other_namespace = make_leftovers(graders[0], tag, foreign, 1)[0]
    kept = {live.id, other_namespace.id}
    errors: list[BaseException] = []
    try:
        owner = dead_owner(graders[0])
        for _ in range(ROUNDS):
            created = make_leftovers(graders[0], tag, owner, PER_ROUND)
            volumes = [c.attrs["Mounts"][0]["Name"] for c in created if c.attrs.get("Mounts")]
            barrier = threading.Barrier(4)
            actions = [
                graders[0].cleanup_leftovers,
                graders[1].cleanup_leftovers,
                graders[1].prepare,
                lambda created=created: vanish(created),
            ]
            threads = [
                threading.Thread(target=step, args=(barrier, action, errors)) for action in actions
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            assert errors == [], errors
            left = graders[0].containers(f"cleanup-{tag}")
            assert {c.id for c in left} == kept  # live graders' containers are kept
            names = {v.name for v in graders[0].client.volumes.list()}
            assert not names & set(volumes)  # the leftovers' volumes went with them
    finally:
        for container in graders[0].containers(f"cleanup-{tag}"):
            container.remove(force=True, v=True)
        for grader in graders:
            grader.close()
