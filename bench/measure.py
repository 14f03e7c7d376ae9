"""Run one command and measure it: wall, CPU (children included), peak memory.

CPU: the command runs in a cgroup of its own when cgroup v1 cpuacct/memory can be
written (root): ``cpuacct.usage`` then counts every descendant, also processes
that are never waited for (jupyter_client's kernels are not reaped into their
executor's rusage, so ``getrusage(RUSAGE_CHILDREN)`` misses them). Without the
cgroup, ``getrusage(RUSAGE_CHILDREN)`` is the fallback (a lower bound). Docker
containers live in the daemon's cgroups: their CPU is read from there
(``cpuacct.usage``, or v2 ``cpu.stat``) by a sampler every 0.2 s, so the last
fraction of a second of each container can be missed. The daemon is shared: a
container that carries the grader's owner label counts only when its owner is the
measured command (its pid), so other graders' containers running at the same time
are not charged to it; containers without that label (otter's) all count.

Peak memory: the cgroup's ``memory.max_usage_in_bytes`` (whole tree) when
available, else the largest sum, over the samples, of the RSS of the command's
process tree; plus the largest sampled memory of running Docker containers.
"""

from __future__ import annotations

import glob
import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Measured:
    wall_s: float
    cpu_s: float
    peak_mb: float
    rc: int
    output: str


def _tree_rss(root: int) -> int:
    children: dict[int, list[int]] = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            text = Path(stat).read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[-1].split()
        children.setdefault(int(fields[1]), []).append(int(stat.split("/")[2]))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
        todo += children.get(pid, [])
    return total


def _container_dirs(kind: str) -> list[str]:
    v1 = {"cpu": "/sys/fs/cgroup/cpuacct/docker/*/", "mem": "/sys/fs/cgroup/memory/docker/*/"}
    found = glob.glob(v1[kind])
    return found or glob.glob("/sys/fs/cgroup/system.slice/docker-*.scope/")


def _container_cpu_ns() -> dict[str, int]:
    out = {}
    for d in _container_dirs("cpu"):
        try:
            if os.path.exists(d + "cpuacct.usage"):
                out[d] = int(Path(d + "cpuacct.usage").read_text())
            else:
                usage = Path(d + "cpu.stat").read_text().split()
                out[d] = int(usage[usage.index("usage_usec") + 1]) * 1000
        except (OSError, ValueError, IndexError):
            pass
    return out


_LABELS: dict[str, str | None] = {}


def _owner_of(key: str) -> str | None:
    """The grader's owner label of the container behind cgroup dir `key` (None: none)."""
    cid = key.rstrip("/").rsplit("/", 1)[-1].removeprefix("docker-").removesuffix(".scope")
    if cid not in _LABELS:
        try:
            out = subprocess.run(
                [
                    "docker",
                    "inspect",
                    "--format",
                    '{{index .Config.Labels "org.autograder.owner"}}',
                    cid,
                ],
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        _LABELS[cid] = out if out and out != "<no value>" else None
    return _LABELS[cid]


def _ours(key: str, pid: int) -> bool:
    owner = _owner_of(key)
    return owner is None or owner.endswith(f":{pid}")


def _container_mem() -> int:
    total = 0
    for d in _container_dirs("mem"):
        for name in ("memory.usage_in_bytes", "memory.current"):
            try:
                total += int(Path(d + name).read_text())
                break
            except (OSError, ValueError):
                continue
    return total


_COUNTER = [0]


def _make_cgroups() -> dict[str, Path]:
    """Private cpuacct and memory cgroups (v1) for one command; {} when not possible."""
    _COUNTER[0] += 1
    name = f"autograder-bench-{os.getpid()}-{_COUNTER[0]}"
    made = {}
    for kind in ("cpuacct", "memory"):
        path = Path("/sys/fs/cgroup") / kind / name
        try:
            path.mkdir()
            made[kind] = path
        except OSError:
            pass
    return made


def _join(groups: dict[str, Path]) -> None:
    for path in groups.values():
        try:
            (path / "cgroup.procs").write_text(str(os.getpid()))
        except OSError:
            pass


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text())
    except (OSError, ValueError):
        return None


def _remove_cgroups(groups: dict[str, Path]) -> None:
    for path in groups.values():
        for _ in range(50):  # leftover processes (none normally) keep it busy
            try:
                path.rmdir()
                break
            except OSError:
                time.sleep(0.1)


def run_measured(
    cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Measured:
    groups = _make_cgroups()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seen_cpu: dict[str, int] = {}
    baseline = _container_cpu_ns()  # containers already running belong to others
    peak = peak_docker = 0
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=(lambda: _join(groups)) if groups else None,  # noqa: PLW1509
    )
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stdout.read()))  # type: ignore[union-attr]
    reader.start()
    while proc.poll() is None:
        if "memory" not in groups:
            peak = max(peak, _tree_rss(proc.pid))
        peak_docker = max(peak_docker, _container_mem())
        for key, ns in _container_cpu_ns().items():
            if key not in baseline and (key in seen_cpu or _ours(key, proc.pid)):
                seen_cpu[key] = max(seen_cpu.get(key, 0), ns)
        time.sleep(0.2)
    wall = time.monotonic() - started
    reader.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if "cpuacct" in groups:
        cpu = max(cpu, (_read_int(groups["cpuacct"] / "cpuacct.usage") or 0) / 1e9)
    if "memory" in groups:
        peak = _read_int(groups["memory"] / "memory.max_usage_in_bytes") or peak
    _remove_cgroups(groups)
    peak += peak_docker
    cpu += sum(seen_cpu.values()) / 1e9
    return Measured(
        wall_s=wall,
        cpu_s=cpu,
        peak_mb=peak / 2**20,
        rc=proc.returncode,
        output=b"".join(chunks).decode("utf-8", "replace"),
    )


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
