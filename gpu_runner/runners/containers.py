"""What crosses into and out of a sandbox container, and who owns one.

`create_kwargs` translates a `ContainerSpec` for the SDK; the archives fill the
``/job`` volume (`skeleton_archive` before the job is known, `job_archive` with
the job and, for a waiting executor, the ready marker last); `read_tar_file`
takes the result out, size-capped. The owner helpers tell whether the process
that started a container is gone (its leftovers may then be removed).
"""

from __future__ import annotations

import io
import os
import socket
import tarfile
import time
from typing import Any

from docker.types import DeviceRequest, LogConfig, Mount  # type: ignore[import-not-found]

from gpu_runner.job import Job
from gpu_runner.runners.base import job_tar
from gpu_runner.spec import EXEC_HOME, JOB_DIR, KERNELS_DIR, RESULTS_DIR, ContainerSpec
from gpu_runner.warm import READY_MARKER


def create_kwargs(spec: ContainerSpec) -> dict[str, Any]:
    """`ContainerSpec` -> keyword arguments of ``client.containers.create``."""
    return {
        "image": spec.image,
        "command": list(spec.command),
        "user": spec.user,
        "working_dir": spec.working_dir,
        "environment": dict(spec.env),
        "labels": dict(spec.labels),
        "mem_limit": f"{spec.mem_limit_mb}m",
        "memswap_limit": f"{spec.memswap_limit_mb}m",
        "nano_cpus": spec.nano_cpus,
        "pids_limit": spec.pids_limit,
        "tmpfs": dict(spec.tmpfs),
        "mounts": [Mount(target=spec.volume, source=None, type="volume")],
        "read_only": spec.read_only,
        "network_mode": spec.network_mode,
        "cap_drop": list(spec.cap_drop),
        "cap_add": list(spec.cap_add),
        "security_opt": list(spec.security_opt),
        "init": spec.init,
        "log_config": LogConfig(
            type="json-file", config={"max-size": spec.log_max_size, "max-file": "1"}
        ),
        "device_requests": [
            DeviceRequest(
                driver=r.driver,
                device_ids=list(r.device_ids),
                capabilities=[list(c) for c in r.capabilities],
            )
            for r in spec.device_requests
        ],
        "stdin_open": False,
        "tty": False,
    }


SKELETON = [
    (f"{JOB_DIR}/work", 0o755),
    (RESULTS_DIR, 0o700),
    (EXEC_HOME, 0o700),
    (f"{EXEC_HOME}/runtime", 0o700),
    (KERNELS_DIR, 0o755),
]


def skeleton_archive() -> bytes:
    """The /job volume before its job is known: the executor's folders, an empty work/."""
    now = int(time.time())
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path, mode in SKELETON:
            info = tarfile.TarInfo(f"./{path.removeprefix(f'{JOB_DIR}/')}")
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, mode, now
            tar.addfile(info)
    return buf.getvalue()


def job_archive(job: Job, *, ready: bool = False) -> bytes:
    """The /job volume's content: job files plus the executor's private folders.

    `ready`: end with the marker a waiting executor looks for (`gpu_runner.warm`);
    being the last member, it exists only once every file before it is complete."""
    now = int(time.time())
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path, mode in [
            (f"{JOB_DIR}/work", 0o755),
            (RESULTS_DIR, 0o700),
            (EXEC_HOME, 0o700),
            (f"{EXEC_HOME}/runtime", 0o700),
            (KERNELS_DIR, 0o755),
        ]:
            name = path.removeprefix(f"{JOB_DIR}/")
            info = tarfile.TarInfo(f"./{name}")
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, mode, now
            tar.addfile(info)
        with tarfile.open(fileobj=io.BytesIO(job_tar(job, prefix=".")), mode="r") as src:
            for member in src.getmembers():
                member.mtime = now
                tar.addfile(member, src.extractfile(member) if member.isfile() else None)
        if ready:
            info = tarfile.TarInfo(f"./{READY_MARKER}")
            info.size, info.mode, info.mtime = 0, 0o600, now
            tar.addfile(info, io.BytesIO(b""))
    return buf.getvalue()


def proc_start_ticks(pid: int) -> str:
    """Start time of `pid` in clock ticks since boot ('' when unknown)."""
    try:
        stat = open(f"/proc/{pid}/stat").read()  # noqa: SIM115 - tiny file
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""


def owner_host() -> str:
    """Who may judge whether an owner pid is alive: this host *and* this pid namespace.

    Graders in two containers sharing one daemon (and perhaps a host name) see different
    pids; a pid is only meaningful inside the namespace that issued it, so another
    namespace's containers are never taken for leftovers."""
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return socket.gethostname()
    return f"{socket.gethostname()}/pidns-{namespace}"


def owner_alive(owner: str, start: str, hostname: str) -> bool:
    """False only when we can tell the owning process is gone."""
    host, _, pid_text = owner.rpartition(":")
    if host != hostname or not pid_text.isdigit():
        return True  # another machine's coordinator: not ours to judge
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    current = proc_start_ticks(pid)
    return not (start and current and current != start)


def read_tar_file(chunks: Any, limit: int) -> bytes:
    data = io.BytesIO()
    for chunk in chunks:
        data.write(chunk)
        if data.tell() > limit + 1024 * 1024:
            raise ValueError(f"result larger than {limit} bytes")
    data.seek(0)
    with tarfile.open(fileobj=data, mode="r") as tar:
        member = next(m for m in tar.getmembers() if m.isfile())
        handle = tar.extractfile(member)
        assert handle is not None
        return handle.read()


__all__ = [
    "create_kwargs",
    "job_archive",
    "owner_alive",
    "owner_host",
    "proc_start_ticks",
    "read_tar_file",
    "skeleton_archive",
]
