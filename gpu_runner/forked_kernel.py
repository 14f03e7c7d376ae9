"""TRUSTED MODE: a kernel forked from the preloaded kernel server (`gpu_runner.zygote`).

The process runner's executor starts each notebook's kernel by asking the
runner's kernel server for a fork instead of starting ``python -P -m
ipykernel_launcher``: the same program, the same arguments, folder and
environment, but ipykernel and the libraries the notebook imports (within the
server's allow-list) are already in memory. The kernel is still one process per
notebook, never reused; the server never runs a notebook's code.

`ForkedKernelProvisioner` is jupyter_client's local provisioner with one change:
`launch_kernel` sends the request over the server's socket and holds the
connection. `ForkedKernelProcess` stands in for the ``Popen`` object: its exit
status comes from the server's monitor, signals go to the kernel's process group
directly, and closing the connection (the executor exits or is killed) makes the
monitor kill the kernel. Anything unexpected (no server, another command line)
falls back to the plain launch.
"""

from __future__ import annotations

import ast
import json
import os
import signal
import socket
import sys
import time
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning.local_provisioner import LocalProvisioner

#: the command the server stands in for: ``python -P -m ipykernel_launcher ARGS``
LAUNCHER = ("-P", "-m", "ipykernel_launcher")
CONNECT_TIMEOUT_S = 10.0


class ForkedKernelProcess:
    """The ``Popen`` face of a forked kernel: pid, poll, wait, signals."""

    stdin = stdout = stderr = None

    def __init__(self, conn: socket.socket, pid: int) -> None:
        self.conn = conn
        self.pid = pid
        self.returncode: int | None = None
        self._buffer = b""

    def _read(self, timeout: float | None) -> None:
        if self.returncode is not None:
            return
        self.conn.settimeout(timeout)
        try:
            chunk = self.conn.recv(4096)
        except (BlockingIOError, TimeoutError):
            return
        except OSError:
            chunk = b""
        if not chunk:  # the monitor is gone without a word: count the kernel as killed
            self._finish(-signal.SIGKILL)
            return
        self._buffer += chunk
        if b"\n" in self._buffer:
            line = self._buffer.split(b"\n", 1)[0]
            try:
                code = int(json.loads(line)["exit"])
            except (ValueError, KeyError, TypeError):
                code = -signal.SIGKILL
            self._finish(code)

    def _finish(self, code: int) -> None:
        self.returncode = code
        self.conn.close()

    def poll(self) -> int | None:
        self._read(0.0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise TimeoutError(f"kernel {self.pid} still running")
            self._read(left)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkedKernelProvisioner(LocalProvisioner):  # type: ignore[misc]
    """LocalProvisioner whose kernels are forked by the kernel server at `socket_path`."""

    socket_path: str = ""
    preload: tuple[str, ...] = ()

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        forked = self._fork(cmd, kwargs) if self.socket_path else None
        if forked is None:
            return await super().launch_kernel(cmd, **kwargs)
        self.process = forked  # type: ignore[assignment]
        self.pid = self.pgid = forked.pid
        self.cwd = kwargs.get("cwd")
        return self.connection_info

    def _fork(self, cmd: list[str], kwargs: dict[str, Any]) -> ForkedKernelProcess | None:
        if len(cmd) < 4 or cmd[0] != sys.executable or tuple(cmd[1:4]) != LAUNCHER:
            return None
        env = dict(kwargs.get("env") or os.environ)
        env.pop("JPY_PARENT_PID", None)
        message = {
            "argv": cmd[4:],
            "env": env,
            "cwd": str(kwargs.get("cwd") or os.getcwd()),
            "preload": list(self.preload),
        }
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.settimeout(CONNECT_TIMEOUT_S)
            conn.connect(self.socket_path)
            conn.sendall(json.dumps(message).encode() + b"\n")
            line = b""
            while not line.endswith(b"\n"):
                chunk = conn.recv(1)
                if not chunk:
                    raise OSError("the kernel server closed the connection")
                line += chunk
            pid = int(json.loads(line)["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            conn.close()
            return None
        return ForkedKernelProcess(conn, pid)


def imported_modules(sources: list[str]) -> list[str]:
    """The modules `sources` import at their top level (``import a.b``, ``from a.b import
    c``), in order, without repeats; a cell that does not parse is skipped."""
    names: list[str] = []
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
    return list(dict.fromkeys(names))


__all__ = ["ForkedKernelProcess", "ForkedKernelProvisioner", "imported_modules"]
