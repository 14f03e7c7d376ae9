"""The Docker daemon as `DockerRunner` sees it: connect, check images, find and remove containers.

Other graders may share the daemon: a container can vanish, or be in removal by
another grader, at any moment between listing and removing, so a 404 or 409 on
removal means "not ours to remove" rather than a failure.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import requests
from docker import DockerClient, from_env  # type: ignore[attr-defined]

# docker: the SDK. (The repo's docker/ folder looks like a namespace package to ruff and
# mypy run from the repo root, hence the ignores; at runtime the installed SDK wins.)
from docker.errors import (  # type: ignore[import-not-found]
    APIError,
    DockerException,
    ImageNotFound,
    NotFound,
)

from gpu_runner.runners.base import RunnerUnavailable
from gpu_runner.runners.containers import owner_alive
from gpu_runner.spec import (
    JOB_LABEL,
    OWNER_LABEL,
    OWNER_START_LABEL,
    RUNNER_HASH_LABEL,
    RUNNER_LABEL,
    runner_sources_hash,
)

log = logging.getLogger(__name__)

DEFAULT_IMAGE = "autograder-grading:latest"
BUILD_HINT = "build it with `autograder image build` (see docker/README.md)"


def connect(base_url: str | None = None) -> DockerClient:
    """A client that answered a ping; `RunnerUnavailable` (with what to do) otherwise."""
    where = base_url or os.environ.get("DOCKER_HOST") or "the default socket"
    try:
        client = DockerClient(base_url=base_url) if base_url else from_env()
        client.ping()
    except (DockerException, requests.RequestException, OSError) as exc:
        raise RunnerUnavailable(
            f"no Docker daemon answers at {where} ({type(exc).__name__}: {exc}). "
            "Start it (e.g. `.ci/docker-engine.sh`), set DOCKER_HOST, or use "
            "`--runner process` for trusted code only."
        ) from exc
    return client


def image_problem(client: DockerClient, image: str, *, allow_stale: bool = False) -> str | None:
    """Why `image` cannot be used (missing, or built from other gpu_runner sources), or None."""
    try:
        labels = client.images.get(image).labels or {}
    except ImageNotFound:
        return f"the grading image {image!r} is missing: {BUILD_HINT}"
    built = labels.get(RUNNER_HASH_LABEL)
    current = runner_sources_hash()
    if built and built != current and not allow_stale:
        return (
            f"the grading image {image!r} is stale: it was built from other "
            f"gpu_runner sources (image {built[:12]}, here {current[:12]}); "
            f"rebuild it: {BUILD_HINT}"
        )
    return None


def list_containers(
    client: DockerClient, *, runner: str, job_id: str | None = None, owner: str | None = None
) -> list[Any]:
    """The containers of runner `runner` on the daemon (all owners), of one slot or one owner."""
    labels = [f"{RUNNER_LABEL}={runner}"]
    if job_id:
        labels.append(f"{JOB_LABEL}={job_id}")
    if owner:
        labels.append(f"{OWNER_LABEL}={owner}")
    return list(client.containers.list(all=True, sparse=True, filters={"label": labels}))


def remove_leftovers(client: DockerClient, *, runner: str, hostname: str) -> list[str]:
    """Remove containers (and volumes) whose owner process is gone; their ids.

    Listing is sparse (one request, no per-container inspect that could miss).
    """
    removed = []
    try:
        listed = client.containers.list(
            all=True, sparse=True, filters={"label": f"{RUNNER_LABEL}={runner}"}
        )
    except NotFound:  # the daemon lost a container while listing: try once more
        listed = client.containers.list(
            all=True, sparse=True, filters={"label": f"{RUNNER_LABEL}={runner}"}
        )
    for container in listed:
        labels = container.attrs.get("Labels") or {}
        owner = labels.get(OWNER_LABEL, "")
        if owner_alive(owner, labels.get(OWNER_START_LABEL, ""), hostname):
            continue
        if _remove_quietly(container):
            removed.append(container.id)
            log.info("removed leftover container %s of %s", container.short_id, owner)
    return removed


def remove_container(container: Any) -> None:
    """Remove a container with its volume; retried, and never raises."""
    for attempt in range(3):
        try:
            container.remove(force=True, v=True)
            return
        except NotFound:
            return
        except APIError as exc:
            if _gone_or_going(exc):
                return
            if attempt == 2:
                log.warning("could not remove container %s: %s", container.short_id, exc)
            time.sleep(0.5)
        except DockerException as exc:
            if attempt == 2:
                log.warning("could not remove container %s: %s", container.short_id, exc)
            time.sleep(0.5)


def _gone_or_going(exc: APIError) -> bool:
    """404 (gone) or 409 (another client is removing it, or its volume is in use/gone)."""
    return exc.status_code in (404, 409)


def _remove_quietly(container: Any) -> bool:
    """Remove a leftover container with its volume; False when it vanished under us."""
    try:
        container.remove(force=True, v=True)
        return True
    except NotFound:
        return False
    except APIError as exc:
        if _gone_or_going(exc):
            return False
        log.warning("could not remove leftover container %s: %s", container.short_id, exc)
        return False


__all__ = [
    "BUILD_HINT",
    "DEFAULT_IMAGE",
    "connect",
    "image_problem",
    "list_containers",
    "remove_container",
    "remove_leftovers",
]
