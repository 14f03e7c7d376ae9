"""Throwaway Ray nodes on this machine, on 127.0.0.1 only: for tests and benchmarks.

`start_local_node` runs ``ray start`` for one node (head or worker) with its own
temp dir and fixed ports, and refuses outside a loopback-only network namespace
(Ray binds every interface). Several nodes on one machine make a real
multi-node cluster: each has its own raylet, object store and workers.

Ray's raylet gives its dashboard agent a fixed 15 s to report its ports; on a
loaded small machine the agent's imports can take longer. So the node's
processes start with a raised priority (when allowed), which is dropped again
once the node is up (workers started later get the normal one), and a failed
start is retried.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from gpu_runner.executors.network import require_loopback_only

LOOPBACK = "127.0.0.1"


class RayStartError(RuntimeError):
    """``ray start`` failed on every try."""


@dataclass
class LocalNode:
    temp_dir: Path
    head: bool
    address: str
    env: dict[str, str] = field(default_factory=dict)

    def pids(self) -> list[int]:
        """Processes of this node: every one whose command line names its temp dir."""
        found = []
        marker = str(self.temp_dir)
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in cmdline:
                found.append(int(entry.name))
        return found

    def raylet_pids(self) -> list[int]:
        out = []
        for pid in self.pids():
            try:
                exe = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
            except OSError:
                continue
            if exe.endswith(b"raylet"):
                out.append(pid)
        return out

    def kill(self) -> None:
        """SIGKILL the node, its raylet's workers included: a lost machine."""
        doomed = self.pids()
        doomed += _descendants(doomed)
        for pid in doomed:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _descendants(roots: list[int]) -> list[int]:
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: list[int] = []
    frontier = set(roots)
    while frontier:
        children = [pid for pid, ppid in parent.items() if ppid in frontier and pid not in found]
        found += children
        frontier = set(children)
    return found


def _boost(amount: int) -> None:
    """In the child before exec: its own session (so its own CPU autogroup), raised."""
    os.setsid()
    for action in (
        lambda: Path("/proc/self/autogroup").write_text(str(-amount)),
        lambda: os.nice(-amount),
    ):
        try:
            action()
        except OSError:  # not allowed here: the normal priority
            pass


def _renice(pid: int, value: int) -> None:
    """Every thread of `pid` (Linux keeps the nice value per thread), and its autogroup."""
    try:
        Path(f"/proc/{pid}/autogroup").write_text(str(value))
    except OSError:
        pass
    try:
        tids = [int(t.name) for t in Path(f"/proc/{pid}/task").iterdir()]
    except OSError:
        tids = [pid]
    for tid in tids:
        try:
            os.setpriority(os.PRIO_PROCESS, tid, value)
        except OSError:
            pass


def _ports(base: int) -> list[str]:
    return [
        f"--node-manager-port={base + 1}",
        f"--object-manager-port={base + 2}",
        f"--dashboard-agent-grpc-port={base + 3}",
        f"--dashboard-agent-listen-port={base + 4}",
        f"--metrics-export-port={base + 5}",
        f"--runtime-env-agent-port={base + 6}",
        f"--min-worker-port={base + 100}",
        f"--max-worker-port={base + 899}",
    ]


def start_local_node(
    *,
    temp_dir: Path,
    port_base: int,
    head_address: str | None = None,
    num_cpus: float = 2,
    num_gpus: float = 0,
    resources: dict[str, float] | None = None,
    env: dict[str, str] | None = None,
    tries: int = 3,
    start_boost: int = 10,
) -> LocalNode:
    """Start a head (``head_address`` None; GCS on ``port_base``) or a worker node."""
    require_loopback_only()
    temp_dir.mkdir(parents=True, exist_ok=True)
    ray_bin = str(Path(sys.executable).with_name("ray"))
    cmd = [
        ray_bin, "start",
        f"--node-ip-address={LOOPBACK}",
        f"--num-cpus={num_cpus:g}",
        f"--num-gpus={num_gpus:g}",
        f"--temp-dir={temp_dir}",
        "--disable-usage-stats",
        "--include-log-monitor=false",
        *_ports(port_base),
    ]  # fmt: skip
    if resources:
        cmd.append(f"--resources={json.dumps(resources)}")
    if head_address is None:
        address = f"{LOOPBACK}:{port_base}"
        cmd += ["--head", f"--port={port_base}", "--include-dashboard=false"]
        cmd.append(f"--ray-client-server-port={port_base + 7}")
    else:
        address = head_address
        cmd.append(f"--address={head_address}")
    full_env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", **(env or {})}
    node = LocalNode(temp_dir=temp_dir, head=head_address is None, address=address, env=full_env)
    last = ""
    for _ in range(max(1, tries)):
        proc = subprocess.run(
            cmd,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=lambda: _boost(start_boost),
        )
        if proc.returncode == 0:
            for pid in node.pids():
                _renice(pid, 0)
            return node
        last = (proc.stdout + proc.stderr)[-3000:]
        node.kill()
        time.sleep(1.0)
    raise RayStartError(f"ray start failed {tries} times: {last}")


__all__ = ["LOOPBACK", "LocalNode", "RayStartError", "start_local_node"]
